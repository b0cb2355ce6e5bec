using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;
using SignatureService.Api.Features.Demo;
using SignatureService.Api.Tests.Demo;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Testing;
using static SignatureService.Api.Tests.Browser.BrowserHarness;

namespace SignatureService.Api.Tests.Browser;

/// <summary>
/// The first-run story and the pages it walks through, in Debian's Chromium with the DevTools virtual authenticator, against a
/// service running in Development with the browser emulator trusted (WebAuthn:DevelopmentBrowserEmulator): exactly what
/// scripts/run.sh sets up. With SIGNSVC_UPDATE_SCREENSHOTS=1 it rewrites docs/screenshots/login.png and enroll.png.
/// </summary>
[Collection(SignatureService.Api.Tests.Demo.ProcessTests.Name)]
public sealed partial class DemoStoryBrowserTests
{
    // Note: binding generates the signer's key in the HSM and issues the certificate: seconds on this loaded machine.
    private static readonly LocatorAssertionsToContainTextOptions Slow = new() { Timeout = 60_000 };

    [Fact]
    public async Task DemoStory_SeedEnrolSubmitApproveDownloadVerify_EndToEnd()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var port = FreePort();
        var origin = $"http://localhost:{port}";
        var (factory, db) = await ServiceFactory.CreateAsync(DevelopmentSettings(origin));
        var dir = Path.Combine(Path.GetTempPath(), $"signsvc-demo-{Guid.NewGuid():N}");
        try
        {
            // 1. `demo seed` as scripts/run.sh runs it (a process, Development), on the fresh database and the test token.
            var (exit, walkthrough, error) = await DemoProcess.ServiceAsync(DemoProcess.Environment(db, "Development"),
                "demo", "seed", "--dir", dir, "--licenses", DemoProcess.LicenseCsv, "--url", origin);
            Assert.True(exit == 0, error + walkthrough);
            factory.UseKestrel(port);
            (await factory.StartAsync()).Dispose();
            Assert.True(factory.Services.GetRequiredService<IHostEnvironment>().IsDevelopment());

            // 2. Follow the walkthrough: the printed enrollment id and code, at the printed page.
            var enrollmentId = EnrollmentIdLine().Match(walkthrough).Groups[1].Value;
            var code = CodeLine().Match(walkthrough).Groups[1].Value;
            Assert.Contains($"{origin}/enroll.html", walkthrough, StringComparison.Ordinal);
            var (page, _, _) = await OpenWithAuthenticatorAsync(browser, $"{origin}/enroll.html");
            await page.FillAsync("#enrollment-id", enrollmentId);
            await page.FillAsync("#enrollment-code", code);
            await Screenshot(page, "enroll.png");
            await page.ClickAsync("#enroll-submit");
            await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("登録しました", Slow);
            Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM webauthn_credentials"));
            Assert.Equal("enrolled", await db.ScalarAsync<string>("SELECT status FROM proofing_applications"));

            // 3. The one submit command, exactly as printed, run as a process from the repository root.
            var command = SubmitLine().Match(walkthrough).Groups[1].Value.Trim();
            Assert.StartsWith("scripts/demo-submit.sh", command, StringComparison.Ordinal);
            var (submitted, submitOutput, submitError) = await DemoProcess.RunAsync("bash", ["-c", command], new Dictionary<string, string>(), DemoProcess.RepositoryRoot);
            Assert.True(submitted == 0, submitError + submitOutput);
            var requestId = JsonDocument.Parse(submitOutput.Split('\n')[0]).RootElement.GetProperty("id").GetGuid();

            // 4. Sign in: a signer lands on the signer pages; approve the request with the key.
            await page.GotoAsync($"{origin}/login.html");
            await page.ClickAsync("#login");
            await page.WaitForURLAsync($"{origin}/signer.html");
            await page.CheckAsync($"[data-request='{requestId}']");
            await page.ClickAsync("#approve");
            await Assertions.Expect(page.Locator("#confirm-list li")).ToHaveCountAsync(1);
            await page.ClickAsync("#confirm-go");
            await Assertions.Expect(page.Locator("#queue-empty")).ToBeVisibleAsync();
            for (var i = 0; i < 600 && await db.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{requestId}'") != "signed"; i++)
            {
                await Task.Delay(100);
            }

            // 5. Download the signed XML from the page, and verify it with the printed POST /v1/verifications.
            await page.ClickAsync("[data-view=history]");
            await Assertions.Expect(page.Locator("#history-rows tr")).ToHaveCountAsync(1);
            var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"[data-signed='{requestId}/1'] a"));
            var signed = await File.ReadAllBytesAsync((await download.PathAsync())!);
            Assert.Contains($"--data-binary @signed.xml {origin}/v1/verifications", walkthrough, StringComparison.Ordinal);
            using var http = new HttpClient();
            using var content = new ByteArrayContent(signed);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/xml");
            var verified = await http.PostAsync(new Uri($"{origin}/v1/verifications"), content);
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
            var report = await verified.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(report.GetProperty("valid").GetBoolean(), report.ToString());
        }
        finally
        {
            await factory.DisposeAsync();
            await db.DisposeAsync();
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task EnrollPage_ProofedApplicant_EnrolsSignsInAndLandsOnSignerPages_WrongCodeCreatesNothing()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        await using var service = await DemoService.StartAsync();
        var seeded = await service.SeedAsync();
        var (page, _, _) = await OpenWithAuthenticatorAsync(browser, $"{service.Origin}/enroll.html");

        // A wrong code: the error is shown, and no key, certificate or enrollment comes of it.
        await page.FillAsync("#enrollment-id", seeded.SignerEnrollmentId!.Value.ToString());
        await page.FillAsync("#enrollment-code", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH");
        await page.ClickAsync("#enroll-submit");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("登録できませんでした: 登録IDまたはワンタイムコードが正しくありません。 (identity.enrollment-invalid)");
        Assert.Equal(0L, await service.Db.ScalarAsync<long>("SELECT count(*) FROM webauthn_credentials"));
        Assert.Equal(0L, await service.Db.ScalarAsync<long>("SELECT count(*) FROM certificates WHERE user_id IS NOT NULL"));
        Assert.Equal("approved", await service.Db.ScalarAsync<string>("SELECT status FROM proofing_applications"));
        Assert.Equal("pending", await service.Db.ScalarAsync<string>(
            $"SELECT u.status FROM users u JOIN enrollment_codes e ON e.user_id = u.id WHERE e.id = '{seeded.SignerEnrollmentId}'"));

        // English switch: the same page, in English.
        await page.ClickAsync("#lang");
        await Assertions.Expect(page.Locator("h2")).ToHaveTextAsync("Register your security key");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Registration failed: The enrollment id or code is not valid. (identity.enrollment-invalid)");
        await page.ClickAsync("#lang");

        // The right code: the key is bound, the certificate issued; sign in lands on the signer pages.
        await page.FillAsync("#enrollment-code", seeded.SignerCode!);
        await page.ClickAsync("#enroll-submit");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("登録しました", Slow);
        Assert.Equal(1L, await service.Db.ScalarAsync<long>("SELECT count(*) FROM webauthn_credentials"));
        Assert.Equal(1L, await service.Db.ScalarAsync<long>("SELECT count(*) FROM certificates WHERE user_id IS NOT NULL AND hc_role = 'Medical Doctor'"));
        await page.ClickAsync("#to-login");
        await page.WaitForURLAsync($"{service.Origin}/login.html");
        await Screenshot(page, "login.png");
        await page.ClickAsync("#login");
        await page.WaitForURLAsync($"{service.Origin}/signer.html");
        await Assertions.Expect(page.Locator("#who")).ToContainTextAsync("見本 一郎");
    }

    [Fact]
    public async Task SignerKeys_AddBackupKeyAndRevokeFirst_RevokedKeyCannotSignIn()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        await using var service = await DemoService.StartAsync();
        var seeded = await service.SeedAsync();
        var (page, cdp, first) = await OpenWithAuthenticatorAsync(browser, $"{service.Origin}/enroll.html");
        await page.FillAsync("#enrollment-id", seeded.SignerEnrollmentId!.Value.ToString());
        await page.FillAsync("#enrollment-code", seeded.SignerCode!);
        await page.ClickAsync("#enroll-submit");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("登録しました", Slow);
        await page.GotoAsync($"{service.Origin}/login.html");
        await page.ClickAsync("#login");
        await page.WaitForURLAsync($"{service.Origin}/signer.html");

        // The backup key comes from a second authenticator (the first is unplugged, its credential kept to try it later).
        // Note: with both plugged in, Chromium would let either answer; one at a time makes "which key" unambiguous.
        var firstCredential = await ExportCredentialAsync(cdp, first);
        await cdp.SendAsync("WebAuthn.removeVirtualAuthenticator", new Dictionary<string, object> { ["authenticatorId"] = first });
        var second = await AddAuthenticatorAsync(cdp);
        await page.ClickAsync("[data-view=keys]");
        await Assertions.Expect(page.Locator("#key-list li")).ToHaveCountAsync(1);
        await page.ClickAsync("#add-key");
        await Assertions.Expect(page.Locator("#key-list li")).ToHaveCountAsync(2);

        // Sign in again with the backup key, and revoke the first key in the page.
        await page.ClickAsync("#logout");
        await page.WaitForURLAsync($"{service.Origin}/login.html");
        await page.ClickAsync("#login");
        await page.WaitForURLAsync($"{service.Origin}/signer.html");
        await page.ClickAsync("[data-view=keys]");
        var firstItem = page.Locator("#key-list li").Filter(new LocatorFilterOptions { HasNotText = "Backup key" });
        await firstItem.Locator("button").ClickAsync();
        // Note: the revoke button itself reads 失効させる, so wait for the status between dashes and for the button to go.
        await Assertions.Expect(firstItem).ToContainTextAsync("— 失効 —");
        await Assertions.Expect(firstItem.Locator("button")).ToHaveCountAsync(0);
        Assert.Equal(1L, await service.Db.ScalarAsync<long>("SELECT count(*) FROM webauthn_credentials WHERE status = 'revoked'"));
        Assert.Equal(1L, await service.Db.ScalarAsync<long>("SELECT count(*) FROM webauthn_credentials WHERE status = 'active' AND nickname = 'Backup key'"));

        // The revoked key, plugged in alone, can no longer sign in.
        await page.ClickAsync("#logout");
        await page.WaitForURLAsync($"{service.Origin}/login.html");
        await cdp.SendAsync("WebAuthn.removeVirtualAuthenticator", new Dictionary<string, object> { ["authenticatorId"] = second });
        var again = await AddAuthenticatorAsync(cdp);
        await cdp.SendAsync("WebAuthn.addCredential", new Dictionary<string, object> { ["authenticatorId"] = again, ["credential"] = firstCredential });
        await page.ClickAsync("#login");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("このキーではログインできません");
        Assert.Equal($"{service.Origin}/login.html", page.Url);
        Assert.Equal(0L, await service.Db.ScalarAsync<long>("SELECT count(*) FROM user_sessions WHERE ended_at IS NULL"));
    }

    internal static Dictionary<string, string?> DevelopmentSettings(string origin) => new()
    {
        // Note: the host's environment is a setting; Development is what scripts/run.sh runs, and the only place the emulator is trusted.
        ["environment"] = "Development",
        ["WebAuthn:Origins:0"] = origin,
        ["WebAuthn:DevelopmentBrowserEmulator"] = "true",
    };

    private static async Task<(IPage Page, ICDPSession Cdp, string AuthenticatorId)> OpenWithAuthenticatorAsync(IBrowser browser, string url)
    {
        var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        var id = await AddAuthenticatorAsync(cdp);
        await page.GotoAsync(url);
        return (page, cdp, id);
    }

    private static async Task<string> AddAuthenticatorAsync(ICDPSession cdp)
    {
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2", ["transport"] = "usb", ["hasResidentKey"] = true, ["hasUserVerification"] = true, ["isUserVerified"] = true,
            },
        });
        return added!.Value.GetProperty("authenticatorId").GetString()!;
    }

    private static async Task<Dictionary<string, object>> ExportCredentialAsync(ICDPSession cdp, string authenticatorId)
    {
        var result = await cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId });
        var credential = Assert.Single(result!.Value.GetProperty("credentials").EnumerateArray().ToList());
        var copy = new Dictionary<string, object>
        {
            ["credentialId"] = credential.GetProperty("credentialId").GetString()!,
            ["isResidentCredential"] = credential.GetProperty("isResidentCredential").GetBoolean(),
            ["privateKey"] = credential.GetProperty("privateKey").GetString()!,
            ["signCount"] = credential.GetProperty("signCount").GetInt32(),
        };
        foreach (var name in new[] { "rpId", "userHandle" })
        {
            if (credential.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
            {
                copy[name] = value.GetString()!;
            }
        }

        return copy;
    }

    [GeneratedRegex(@"Enrollment id:\s+([0-9a-f-]{36})")]
    private static partial Regex EnrollmentIdLine();

    [GeneratedRegex(@"Enrollment code:\s+([0-9A-Z-]+)")]
    private static partial Regex CodeLine();

    [GeneratedRegex(@"2\. Submit[^\n]*\n\s+([^\n]+)")]
    private static partial Regex SubmitLine();

    /// <summary>The service in Development on a real loopback port, seeded in process through <see cref="DemoSeed"/>.</summary>
    private sealed class DemoService : IAsyncDisposable
    {
        private readonly ServiceFactory _factory;
        private readonly string _dir = Path.Combine(Path.GetTempPath(), $"signsvc-demo-{Guid.NewGuid():N}");

        private DemoService(ServiceFactory factory, TestDatabase db, string origin)
        {
            _factory = factory;
            Db = db;
            Origin = origin;
        }

        public TestDatabase Db { get; }

        public string Origin { get; }

        public static async Task<DemoService> StartAsync()
        {
            var port = FreePort();
            var origin = $"http://localhost:{port}";
            var (factory, db) = await ServiceFactory.CreateAsync(DevelopmentSettings(origin));
            factory.UseKestrel(port);
            (await factory.StartAsync()).Dispose();
            return new DemoService(factory, db, origin);
        }

        public async Task<DemoSeedResult> SeedAsync()
        {
            var hsm = _factory.Services.GetRequiredService<SignatureService.Api.Features.Hsm.HsmConnection>();
            for (var i = 0; hsm.Token is null && i < 600; i++)
            {
                await Task.Delay(50);
            }

            await using var scope = _factory.Services.CreateAsyncScope();
            return await ActivatorUtilities.CreateInstance<DemoSeed>(scope.ServiceProvider)
                .SeedAsync(new DemoSeedInput(_dir, DemoProcess.LicenseCsv, Origin), CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            await _factory.DisposeAsync();
            await Db.DisposeAsync();
            if (Directory.Exists(_dir))
            {
                Directory.Delete(_dir, recursive: true);
            }
        }
    }
}
