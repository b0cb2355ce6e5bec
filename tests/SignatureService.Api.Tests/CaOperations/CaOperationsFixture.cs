using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Clients;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Tests.Identity;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Users;

namespace SignatureService.Api.Tests.CaOperations;

/// <summary>
/// One running service with the CA initialised and one logged-in browser per role (ca-operator, ra-operator, auditor,
/// signer) plus an EHR client. Tests create their own signers and certificates, so order never matters.
/// </summary>
public sealed class CaOperationsFixture : IAsyncLifetime
{
    private static int _counter;

    internal IdentityHarness Harness { get; private set; } = null!;

    /// <summary>Browsers (own cookie jars) and their CSRF tokens, by role.</summary>
    internal Dictionary<string, (HttpClient Browser, string Csrf)> Sessions { get; } = new(StringComparer.Ordinal);

    internal Guid CaOperatorId { get; private set; }

    internal string ClientToken() => Jose.SignEs256(_clientKey, "k1", Jose.Claims(_clientId, "signature-service", DateTimeOffset.UtcNow));

    private ECDsa _clientKey = null!;
    private string _clientId = null!;

    public static readonly AuditActor Setup = new("cli", "test-setup");

    public async Task InitializeAsync()
    {
        Harness = await IdentityHarness.StartAsync();
        await WithScopeAsync(sp => sp.GetRequiredService<InitializeCertificateAuthority>().InitializeAsync(Setup, CancellationToken.None));
        foreach (var role in new[] { "ca-operator", "ra-operator", "auditor", "signer" })
        {
            var (userId, credential) = await EnrollAsync(role);
            if (role == "ca-operator")
            {
                CaOperatorId = userId;
            }

            var browser = Harness.NewBrowser();
            Sessions[role] = (browser, await Harness.LoginAsync(credential, browser));
        }

        _clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _clientId = "ehr-" + Guid.NewGuid().ToString("N")[..12];
        await WithScopeAsync(sp => sp.GetRequiredService<ClientRegistration>().RegisterAsync(
            new RegisterClientInput(_clientId, "Test EHR", [new ClientKeyInput("k1", "ES256", Jose.PublicJwk(_clientKey))], []),
            Setup, CancellationToken.None));
    }

    public async Task DisposeAsync()
    {
        foreach (var (browser, _) in Sessions.Values)
        {
            browser.Dispose();
        }

        _clientKey.Dispose();
        await Harness.DisposeAsync();
    }

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Harness.Factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public Task<T> WithDbAsync<T>(Func<SignatureServiceDbContext, Task<T>> action) =>
        WithScopeAsync(sp => action(sp.GetRequiredService<SignatureServiceDbContext>()));

    /// <summary>Sends as the session of <paramref name="role"/> (null: anonymous); CSRF header unless <paramref name="csrf"/> is false.</summary>
    internal async Task<HttpResponseMessage> SendAsync(string? role, HttpMethod method, string path, HttpContent? content = null, bool csrf = true)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        HttpClient browser;
        if (role is null)
        {
            browser = _anonymous ??= Harness.NewBrowser();
        }
        else if (role == "ehr-client")
        {
            browser = _anonymous ??= Harness.NewBrowser();
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ClientToken());
        }
        else
        {
            var session = Sessions[role];
            browser = session.Browser;
            if (csrf)
            {
                request.Headers.Add("X-CSRF-Token", session.Csrf);
            }
        }

        return await browser.SendAsync(request);
    }

    private HttpClient? _anonymous;

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>An active signer with a verified license and an issued signing certificate; returns the user and serial.</summary>
    internal async Task<(Guid UserId, string Serial)> CreateSignerCertificateAsync(string profession = "doctor")
    {
        var userId = Guid.CreateVersion7();
        var number = $"C{Environment.ProcessId % 10000:D4}{Interlocked.Increment(ref _counter):D6}";
        await WithDbAsync(db =>
        {
            db.Users.Add(new UserRecord
            {
                Id = userId,
                DisplayName = "Test Signer",
                Status = "active",
                Roles = [UserRoles.Signer],
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            });
            return db.SaveChangesAsync();
        });
        await WithScopeAsync(sp => sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(
            Encoding.UTF8.GetBytes($"{ImportLicenseRegistry.Header}\n{profession},{number},2010-04-01,山田 太郎,1980-01-02,active\n"),
            Setup, CancellationToken.None));
        await WithScopeAsync(sp => sp.GetRequiredService<VerifySignerLicense>().VerifyAsync(
            new LicenseClaim(userId, profession, number, "山田 太郎", new DateOnly(1980, 1, 2)), Setup, CancellationToken.None));
        var issued = await WithScopeAsync(sp => sp.GetRequiredService<IssueSignerCertificate>().IssueAsync(
            new SignerCertificateInput(userId, "Example Clinic", "例クリニック", "YAMADA TARO", "山田 太郎"), Setup, CancellationToken.None));
        return (userId, issued.SerialNumber);
    }

    /// <summary>Enrols a user with a key; a signer is enrolled as an operator and then given only the signer role.</summary>
    private async Task<(Guid UserId, SignatureService.WebAuthn.Testing.SoftwareCredential Credential)> EnrollAsync(string role)
    {
        if (role != "signer")
        {
            return await Harness.EnrollAsync(role);
        }

        var (userId, enrollmentId, code) = await Harness.CreateOperatorAsync("auditor", "Signer Test");
        await WithDbAsync(db => db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.Roles, new[] { UserRoles.Signer })));
        var registration = Harness.MakeCredential(await Harness.RegistrationOptionsAsync(enrollmentId, code));
        await IdentityHarness.Expect(await Harness.RegisterAsync(enrollmentId, code, registration), System.Net.HttpStatusCode.Created);
        return (userId, registration.Credential);
    }
}
