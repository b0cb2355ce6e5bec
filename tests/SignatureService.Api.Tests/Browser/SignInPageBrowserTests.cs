using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Data.Audit;
using static SignatureService.Api.Tests.Browser.BrowserHarness;

namespace SignatureService.Api.Tests.Browser;

/// <summary>
/// A real browser: Debian's Chromium driven by Playwright, with the DevTools WebAuthn virtual authenticator (ctap2, usb,
/// resident key, user verification), against the service on a real loopback port at http://localhost (a secure context).
/// </summary>
public sealed class SignInPageBrowserTests
{
    [Fact]
    public async Task Chromium_VirtualAuthenticator_RefusedByDefaultPolicy_ThenRegistersLogsInAndOutWhenPinned()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserHarness.LaunchChromiumAsync(playwright);

        // 1. The default AAL3 trust (only the software authenticator is allow-listed) refuses Chromium's virtual authenticator.
        string attestationObject;
        await using (var service = await RunningService.StartAsync(null))
        {
            var (enrollmentId, code) = await service.CreateOperatorAsync();
            var page = await OpenPageWithAuthenticatorAsync(browser, service.Origin);
            await page.FillAsync("#enrollment-id", enrollmentId.ToString());
            await page.FillAsync("#enrollment-code", code);
            var request = await page.RunAndWaitForRequestAsync(
                () => page.ClickAsync("#register"), r => r.Url.EndsWith("/v1/identity/registration", StringComparison.Ordinal));
            // Japanese first; the English switch re-renders the same status.
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("失敗しました: このセキュリティキーの機種は認められていません。 (webauthn.unknown-aaguid)");
            await page.ClickAsync("#lang");
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Failed: The authenticator model is not trusted. (webauthn.unknown-aaguid)");
            using var body = JsonDocument.Parse(request.PostData!);
            attestationObject = body.RootElement.GetProperty("credential").GetProperty("response").GetProperty("attestationObject").GetString()!;
            Assert.Equal(0L, await service.Db.ScalarAsync<long>("SELECT count(*) FROM webauthn_credentials"));
        }

        // 2. A test-only trust setting pins the virtual authenticator's attestation root and AAGUID. Chromium signs a fresh
        //    self-signed "Batch Certificate" (CA=false) at every registration with one fixed key, the example attestation key of
        //    the FIDO U2F specification, so no single certificate can be pinned: the test makes a CA root with that public key
        //    and subject, signed with the published example key (checked against the captured certificate).
        var (format, aaguid, certificate) = ReadAttestation(Base64Url.DecodeFromChars(attestationObject));
        Assert.Equal("packed", format);
        Assert.Equal(certificate.SubjectName.RawData, certificate.IssuerName.RawData);
        using var root = VirtualAuthenticatorRoot(certificate);
        var pem = Path.Combine(Path.GetTempPath(), $"chromium-virtual-authenticator-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(pem, root.ExportCertificatePem());
        try
        {
            await using var service = await BrowserHarness.StartTrustingAsync((pem, aaguid));
            var (enrollmentId, code) = await service.CreateOperatorAsync();
            var (multiId, multiCode) = await service.CreateOperatorAsync(["ra-operator", "auditor"]);
            var page = await OpenPageWithAuthenticatorAsync(browser, service.Origin);
            var csp = (await page.GotoAsync($"{service.Origin}/login.html"))!.Headers["content-security-policy"];
            Assert.Equal(SignatureService.Api.Features.Protection.Protection.ContentSecurityPolicy, csp);
            await page.ClickAsync("#lang");
            await page.FillAsync("#enrollment-id", enrollmentId.ToString());
            await page.FillAsync("#enrollment-code", code);

            await page.ClickAsync("#register");
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Security key registered. You can sign in now.");
            // One role: straight to that role's home page.
            await page.ClickAsync("#login");
            await page.WaitForURLAsync($"{service.Origin}/ca.html");
            await page.GotoAsync($"{service.Origin}/login.html");
            var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "signsvc_session");
            Assert.True(cookie.HttpOnly);
            Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
            await page.ClickAsync("#logout");
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Signed out.");

            Assert.Equal(1L, await service.Db.ScalarAsync<long>("SELECT count(*) FROM user_sessions WHERE end_reason = 'logout'"));
            Assert.Equal("packed", await service.Db.ScalarAsync<string>("SELECT attestation_format FROM webauthn_credentials"));
            Assert.False(await service.Db.ScalarAsync<bool>("SELECT backup_eligible FROM webauthn_credentials"));
            var me = await page.APIRequest.GetAsync($"{service.Origin}/v1/me");
            Assert.Equal(401, me.Status);

            // Several roles: the page offers each role's home page instead of choosing one (a fresh browser: its own key).
            var multi = await OpenPageWithAuthenticatorAsync(browser, service.Origin);
            await multi.FillAsync("#enrollment-id", multiId.ToString());
            await multi.FillAsync("#enrollment-code", multiCode);
            await multi.ClickAsync("#register");
            await Assertions.Expect(multi.Locator("#status")).ToHaveTextAsync("セキュリティキーを登録しました。ログインできます。");
            await multi.ClickAsync("#login");
            await Assertions.Expect(multi.Locator("#status")).ToHaveTextAsync("Browser Operator としてログインしました（ra-operator, auditor、aal3）。");
            await Assertions.Expect(multi.Locator("#home-links a")).ToHaveCountAsync(2);
            Assert.Equal("/ra.html", await multi.Locator("#home-links a").Nth(0).GetAttributeAsync("href"));
            Assert.Equal("/audit.html", await multi.Locator("#home-links a").Nth(1).GetAttributeAsync("href"));
            Assert.Equal($"{service.Origin}/login.html", multi.Url);
        }
        finally
        {
            File.Delete(pem);
        }
    }

    internal static X509Certificate2 VirtualAuthenticatorRoot(X509Certificate2 batchCertificate)
    {
        // FIDO U2F Raw Message Formats v1.2, registration example: the attestation private key.
        var d = Convert.FromHexString("f3fccc0d00d8031954f90864d43c247f4bf5f0665c6b50cc17749a27d1cf7664");
        using var published = batchCertificate.GetECDsaPublicKey()!;
        var parameters = published.ExportParameters(false);
        parameters.D = d;
        using var key = ECDsa.Create(parameters);
        var probe = key.SignData("probe"u8, HashAlgorithmName.SHA256);
        Assert.True(published.VerifyData("probe"u8, probe, HashAlgorithmName.SHA256), "Chromium's attestation key is not the U2F example key any more.");

        var request = new CertificateRequest(batchCertificate.SubjectName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var withKey = request.CreateSelfSigned(new DateTimeOffset(2017, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return X509CertificateLoader.LoadCertificate(withKey.RawData);
    }

    internal static async Task<IPage> OpenPageWithAuthenticatorAsync(IBrowser browser, string origin)
    {
        var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "usb",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
            },
        });
        await page.GotoAsync($"{origin}/login.html");
        return page;
    }

    internal static (string Format, Guid Aaguid, X509Certificate2 Certificate) ReadAttestation(byte[] attestationObject)
    {
        var reader = new CborReader(attestationObject, CborConformanceMode.Lax);
        string? format = null;
        byte[]? authData = null;
        byte[]? x5c = null;
        var count = reader.ReadStartMap();
        for (var i = 0; i < count; i++)
        {
            switch (reader.ReadTextString())
            {
                case "fmt":
                    format = reader.ReadTextString();
                    break;
                case "authData":
                    authData = reader.ReadByteString();
                    break;
                case "attStmt":
                    var statementCount = reader.ReadStartMap();
                    for (var j = 0; j < statementCount; j++)
                    {
                        if (reader.ReadTextString() == "x5c")
                        {
                            reader.ReadStartArray();
                            x5c = reader.ReadByteString();
                            while (reader.PeekState() != CborReaderState.EndArray)
                            {
                                reader.SkipValue();
                            }

                            reader.ReadEndArray();
                        }
                        else
                        {
                            reader.SkipValue();
                        }
                    }

                    reader.ReadEndMap();
                    break;
                default:
                    reader.SkipValue();
                    break;
            }
        }

        return (format!, new Guid(authData.AsSpan(37, 16), bigEndian: true), X509CertificateLoader.LoadCertificate(x5c!));
    }

    /// <summary>The service on a real loopback port (Kestrel), reached as http://localhost:PORT.</summary>
    internal sealed class RunningService : IAsyncDisposable
    {
        private readonly ServiceFactory _factory;

        private RunningService(ServiceFactory factory, SignatureService.Testing.TestDatabase db, string origin)
        {
            _factory = factory;
            Db = db;
            Origin = origin;
        }

        public SignatureService.Testing.TestDatabase Db { get; }

        public string Origin { get; }

        public IServiceProvider Services => _factory.Services;

        public static async Task<RunningService> StartAsync(Dictionary<string, string?>? trust)
        {
            var port = FreePort();
            var origin = $"http://localhost:{port}";
            var settings = new Dictionary<string, string?> { ["WebAuthn:Origins:0"] = origin };
            foreach (var (key, value) in trust ?? [])
            {
                settings[key] = value;
            }

            var (factory, db) = await ServiceFactory.CreateAsync(settings);
            factory.UseKestrel(port);
            (await factory.StartAsync()).Dispose();
            return new RunningService(factory, db, origin);
        }

        public async Task<(Guid EnrollmentId, string Code)> CreateOperatorAsync(string[]? roles = null)
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            var (_, enrollment) = await scope.ServiceProvider.GetRequiredService<OperatorEnrollment>()
                .CreateAsync("Browser Operator", roles ?? ["ca-operator"], AuditActor.CommandLine("test"), CancellationToken.None);
            return (enrollment.EnrollmentId, EnrollmentCodes.Format(enrollment.Code));
        }

        public async ValueTask DisposeAsync()
        {
            await _factory.DisposeAsync();
            await Db.DisposeAsync();
        }
    }
}
