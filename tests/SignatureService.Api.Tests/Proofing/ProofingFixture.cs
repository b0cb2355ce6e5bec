using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Tests.Identity;
using SignatureService.Data.Audit;
using SignatureService.WebAuthn.Testing;

namespace SignatureService.Api.Tests.Proofing;

/// <summary>One running service with a CA in the test token; each test makes its own operators, licenses and applicants.</summary>
public sealed class ProofingFixture : IAsyncLifetime
{
    private static int _counter;

    internal IdentityHarness H { get; private set; } = null!;

    internal static AuditActor CaOperator { get; } = new("cli", "test-operator");

    /// <summary>A test stand-in for a My Number card's JPKI signing certificate (with its private key), under <see cref="_jpkiRootFile"/>.</summary>
    internal X509Certificate2 JpkiSigner { get; private set; } = null!;

    private string _jpkiRootFile = "";

    public async Task InitializeAsync()
    {
        using var rootKey = RSA.Create(2048);
        using var root = new CertificateRequest("CN=Test JPKI Root, O=Test J-LIS, C=JP", rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
        {
            CertificateExtensions = { new X509BasicConstraintsExtension(true, false, 0, true), new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true) },
        }.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=JPKI Signing Test, C=JP", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
        {
            CertificateExtensions = { new X509KeyUsageExtension(X509KeyUsageFlags.NonRepudiation, true) },
        };
        using var leaf = leafRequest.Create(root, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddYears(1), [1, 2, 3, 4, 5, 6, 7, 8]);
        JpkiSigner = leaf.CopyWithPrivateKey(leafKey);
        _jpkiRootFile = Path.Combine(Path.GetTempPath(), $"signsvc-jpki-root-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(_jpkiRootFile, root.ExportCertificatePem());

        // Note: the wrong-code tests share one client address; the throttle is not what they test.
        H = await IdentityHarness.StartAsync(new()
        {
            ["Sessions:FailuresPerAddress"] = "100000",
            ["Sessions:FailuresPerUser"] = "100000",
            ["RateLimiting:Enabled"] = "false",
            ["Proofing:JpkiRootPemFiles:0"] = _jpkiRootFile,
        });
        await WithScopeAsync(sp => sp.GetRequiredService<InitializeCertificateAuthority>().InitializeAsync(CaOperator, CancellationToken.None));
    }

    public async Task DisposeAsync()
    {
        await H.DisposeAsync();
        JpkiSigner.Dispose();
        File.Delete(_jpkiRootFile);
    }

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = H.Factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    /// <summary>A logged-in operator with its own browser (cookie jar) and anti-forgery token.</summary>
    internal async Task<Actor> OperatorAsync(string role = "ra-operator")
    {
        var (userId, credential) = await H.EnrollAsync(role);
        var browser = H.NewBrowser();
        var csrf = await H.LoginAsync(credential, browser);
        return new Actor(userId, browser, csrf);
    }

    public static string NewLicenseNumber() => $"P{Environment.ProcessId % 10000:D4}-{Interlocked.Increment(ref _counter):D6}";

    /// <summary>Imports one registry row; returns its license number.</summary>
    internal async Task<string> ImportLicenseAsync(string profession, string name = "歯科 花子", string born = "1985-05-06",
        string registered = "2011-04-01", string status = "active", string? number = null)
    {
        number ??= NewLicenseNumber();
        await WithScopeAsync(sp => sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(
            Encoding.UTF8.GetBytes($"{ImportLicenseRegistry.Header}\n{profession},{number},{registered},{name},{born},{status}\n"),
            CaOperator, CancellationToken.None));
        return number;
    }

    /// <summary>A valid application body for the registry row made by <see cref="ImportLicenseAsync"/> with its defaults.</summary>
    internal static Dictionary<string, object?> Application(string profession, string licenseNumber, string profile = "nist-800-63a-4-ial3",
        string route = "in-person") => new()
        {
            ["profile"] = profile,
            ["route"] = route,
            ["familyName"] = "歯科",
            ["givenName"] = "花子",
            ["familyNameKana"] = "シカ",
            ["givenNameKana"] = "ハナコ",
            ["nameRomaji"] = "SHIKA HANAKO",
            ["dateOfBirth"] = "1985-05-06",
            ["sex"] = "female",
            ["postalCode"] = "100-0001",
            ["address"] = "東京都千代田区千代田１－１",
            ["phone"] = "03-1234-5678",
            ["email"] = "hanako@example.jp",
            ["profession"] = profession,
            ["licenseNumber"] = licenseNumber,
            ["licenseRegistrationDate"] = "2011-04-01",
            ["facilityName"] = "例歯科クリニック",
            ["facilityNameRomaji"] = "Example Dental Clinic",
        };

    internal static object Superior(string number = "1234 5678 9012") => new
    {
        kind = "my-number-card",
        strength = "superior",
        issuer = "千代田区",
        number,
        expiresOn = "2031-05-06",
        scanSha256 = new string('a', 64),
        validationMethod = "ic-chip-read",
    };

    internal static object Ial3Session() => new { biometricConsent = true, biometricReferenceSha256 = new string('b', 64), postalNotificationSent = true };

    /// <summary>Records, adds superior evidence and verifies (by <paramref name="verifier"/>); returns the application id.</summary>
    internal async Task<Guid> VerifiedApplicationAsync(Actor verifier, string profession = "dentist")
    {
        var number = await ImportLicenseAsync(profession);
        var created = await verifier.PostAsync("/v1/proofing/applications", Application(profession, number));
        await IdentityHarness.Expect(created, System.Net.HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await IdentityHarness.Expect(await verifier.PostAsync($"/v1/proofing/applications/{id}/evidence", Superior()), System.Net.HttpStatusCode.Created);
        await IdentityHarness.Expect(await verifier.PostAsync($"/v1/proofing/applications/{id}/verification", Ial3Session()), System.Net.HttpStatusCode.OK);
        return id;
    }

    /// <summary>
    /// Approves by <paramref name="approver"/>; returns the enrollment id and code. For the IAL3 profile the approver also attests
    /// the binding as an attended session (unless <paramref name="attestBinding"/> is false), as the operator with the applicant would.
    /// </summary>
    internal static async Task<(Guid UserId, Guid EnrollmentId, string Code)> ApproveAsync(Actor approver, Guid applicationId, bool attestBinding = true)
    {
        var approved = await approver.PostAsync($"/v1/proofing/applications/{applicationId}/approval", null);
        await IdentityHarness.Expect(approved, System.Net.HttpStatusCode.OK);
        var body = await approved.Content.ReadFromJsonAsync<JsonElement>();
        var application = await (await approver.Browser.GetAsync(new Uri($"/v1/proofing/applications/{applicationId}", UriKind.Relative)))
            .Content.ReadFromJsonAsync<JsonElement>();
        if (attestBinding && application.GetProperty("profile").GetString() == "nist-800-63a-4-ial3")
        {
            await IdentityHarness.Expect(await approver.PostAsync($"/v1/proofing/applications/{applicationId}/binding-attestation",
                new { method = "attended-session" }), System.Net.HttpStatusCode.OK);
        }

        return (body.GetProperty("userId").GetGuid(), body.GetProperty("enrollmentId").GetGuid(), body.GetProperty("enrollmentCode").GetString()!);
    }

    /// <summary>The applicant's binding from a fresh browser; returns the response and the registration.</summary>
    internal async Task<(HttpResponseMessage Response, SoftwareRegistration? Registration)> BindAsync(Guid enrollmentId, string code)
    {
        using var browser = H.NewBrowser();
        var options = await browser.PostAsJsonAsync("/v1/proofing/binding/options", new { enrollmentId, code });
        if (!options.IsSuccessStatusCode)
        {
            return (options, null);
        }

        var registration = H.MakeCredential((await options.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey"));
        var bound = await browser.PostAsJsonAsync("/v1/proofing/binding",
            new { enrollmentId, code, nickname = "Signer key", credential = IdentityHarness.CredentialJson(registration) });
        return (bound, registration);
    }
}

/// <summary>A logged-in user: its browser and the anti-forgery token for unsafe methods.</summary>
internal sealed record Actor(Guid UserId, HttpClient Browser, string Csrf)
{
    public Task<HttpResponseMessage> PostAsync(string path, object? body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-CSRF-Token", Csrf);
        return Browser.SendAsync(request);
    }
}

[CollectionDefinition(Name)]
public sealed class ProofingGroup : ICollectionFixture<ProofingFixture>
{
    public const string Name = "proofing";
}
