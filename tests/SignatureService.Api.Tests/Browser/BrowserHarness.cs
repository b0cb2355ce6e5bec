using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Tests.Demo;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Users;

namespace SignatureService.Api.Tests.Browser;

/// <summary>What the page tests share: launching Chromium, trusting its virtual authenticator, service scopes, a certified signer, screenshots.</summary>
internal static class BrowserHarness
{
    private static readonly AuditActor Setup = new("cli", "browser-test");

    /// <summary>Debian's Chromium, headless, without background traffic.</summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });

    /// <summary>The service as its own process, trusting the virtual authenticator pinned by <see cref="PinVirtualAuthenticatorAsync"/>.</summary>
    public static Task<SignInPageBrowserTests.RunningService> StartTrustingAsync((string Path, Guid Aaguid) pem) =>
        SignInPageBrowserTests.RunningService.StartAsync(new Dictionary<string, string?>
        {
            ["WebAuthn:AllowList:0:Aaguid"] = pem.Aaguid.ToString(),
            ["WebAuthn:AllowList:0:Description"] = "Chromium virtual authenticator (tests only)",
            ["WebAuthn:AllowList:0:RootPemFile"] = pem.Path,
        });

    /// <summary>
    /// Captures one attestation of Chromium's virtual authenticator under the default trust, then writes a root for its batch
    /// key to a temporary PEM file; returns the file and the AAGUID to put in <c>WebAuthn:AllowList</c>.
    /// </summary>
    public static async Task<(string Path, Guid Aaguid)> PinVirtualAuthenticatorAsync(IBrowser browser)
    {
        string attestationObject;
        await using (var service = await SignInPageBrowserTests.RunningService.StartAsync(null))
        {
            var (enrollmentId, code) = await service.CreateOperatorAsync();
            var page = await SignInPageBrowserTests.OpenPageWithAuthenticatorAsync(browser, service.Origin);
            await page.FillAsync("#enrollment-id", enrollmentId.ToString());
            await page.FillAsync("#enrollment-code", code);
            var request = await page.RunAndWaitForRequestAsync(
                () => page.ClickAsync("#register"), r => r.Url.EndsWith("/v1/identity/registration", StringComparison.Ordinal));
            using var body = JsonDocument.Parse(request.PostData!);
            attestationObject = body.RootElement.GetProperty("credential").GetProperty("response").GetProperty("attestationObject").GetString()!;
            await page.Context.CloseAsync();
        }

        var (_, aaguid, certificate) = SignInPageBrowserTests.ReadAttestation(Base64Url.DecodeFromChars(attestationObject));
        using var root = SignInPageBrowserTests.VirtualAuthenticatorRoot(certificate);
        var path = Path.Combine(Path.GetTempPath(), $"chromium-virtual-authenticator-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(path, root.ExportCertificatePem());
        return (path, aaguid);
    }

    public static async Task<T> WithScopeAsync<T>(SignInPageBrowserTests.RunningService service, Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = service.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    /// <summary>An active signer with a verified license and an issued signing certificate ("Medical Doctor").</summary>
    public static async Task<Guid> CreateSignerAsync(SignInPageBrowserTests.RunningService service, string number)
    {
        var userId = Guid.CreateVersion7();
        await WithScopeAsync(service, async sp =>
        {
            var db = sp.GetRequiredService<SignatureServiceDbContext>();
            db.Users.Add(new UserRecord
            {
                Id = userId,
                DisplayName = "山田 太郎",
                Status = "active",
                Roles = [UserRoles.Signer],
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            });
            return await db.SaveChangesAsync();
        });
        await WithScopeAsync(service, sp => sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(
            Encoding.UTF8.GetBytes($"{ImportLicenseRegistry.Header}\ndoctor,{number},2010-04-01,山田 太郎,1980-01-02,active\n"),
            Setup, CancellationToken.None));
        await WithScopeAsync(service, sp => sp.GetRequiredService<VerifySignerLicense>().VerifyAsync(
            new LicenseClaim(userId, "doctor", number, "山田 太郎", new DateOnly(1980, 1, 2)), Setup, CancellationToken.None));
        await WithScopeAsync(service, sp => sp.GetRequiredService<IssueSignerCertificate>().IssueAsync(
            new SignerCertificateInput(userId, "Example Clinic", "例クリニック", "YAMADA TARO", "山田 太郎"), Setup, CancellationToken.None));
        return userId;
    }

    /// <summary>
    /// A full-page PNG: into docs/screenshots with SIGNSVC_UPDATE_SCREENSHOTS=1, else a temporary folder. Note: ids and times
    /// differ on every run, so the committed images are only rewritten on request (like the OpenAPI file).
    /// </summary>
    public static async Task Screenshot(IPage page, string name)
    {
        var target = Environment.GetEnvironmentVariable("SIGNSVC_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(DemoProcess.RepositoryRoot, "docs", "screenshots")
            : Path.Combine(Path.GetTempPath(), "signsvc-screenshots");
        Directory.CreateDirectory(target);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(target, name), FullPage = true });
    }

    /// <summary>
    /// Clicks the sign-in page's login button and waits for <paramref name="target"/>; when the page does not get there, the
    /// failure names what the page's status line said (a refused key, a failed call) instead of a bare navigation timeout.
    /// </summary>
    public static async Task LoginAndLandAsync(IPage page, string target)
    {
        await page.ClickAsync("#login");
        try
        {
            await page.WaitForURLAsync(target);
        }
        catch (TimeoutException ex)
        {
            throw new Xunit.Sdk.XunitException($"Sign-in did not reach {target}; the page said: '{await page.Locator("#status").TextContentAsync()}' ({ex.Message})");
        }
    }

    /// <summary>A free loopback port for a real Kestrel.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
