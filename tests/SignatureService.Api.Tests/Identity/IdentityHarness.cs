using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Data.Audit;
using SignatureService.Testing;
using SignatureService.WebAuthn.Testing;

namespace SignatureService.Api.Tests.Identity;

/// <summary>The real service over a fresh database, with one pinned software authenticator and helpers that speak the API like a browser.</summary>
internal sealed class IdentityHarness : IAsyncDisposable
{
    private IdentityHarness(ServiceFactory factory, TestDatabase db, TestTrust trust, HttpClient client)
    {
        Factory = factory;
        Db = db;
        Trust = trust;
        Client = client;
    }

    public ServiceFactory Factory { get; }

    public TestDatabase Db { get; }

    public TestTrust Trust { get; }

    /// <summary>A browser-like client (keeps cookies).</summary>
    public HttpClient Client { get; }

    public static async Task<IdentityHarness> StartAsync(Dictionary<string, string?>? extra = null, SoftwareAuthenticatorSettings? authenticator = null)
    {
        var trust = new TestTrust(authenticator);
        var (factory, db) = await ServiceFactory.CreateAsync(trust.Settings(extra));
        var client = await factory.StartAsync();
        return new IdentityHarness(factory, db, trust, client);
    }

    /// <summary>A second browser (its own cookie jar).</summary>
    public HttpClient NewBrowser() => Factory.CreateClient();

    public async Task<(Guid UserId, Guid EnrollmentId, string Code)> CreateOperatorAsync(string role = "ca-operator", string name = "Operator Test")
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var (userId, enrollment) = await scope.ServiceProvider.GetRequiredService<OperatorEnrollment>()
            .CreateAsync(name, [role], AuditActor.CommandLine("test"), CancellationToken.None);
        return (userId, enrollment.EnrollmentId, enrollment.Code);
    }

    public async Task<JsonElement> RegistrationOptionsAsync(Guid enrollmentId, string code, HttpClient? client = null)
    {
        var response = await (client ?? Client).PostAsJsonAsync("/v1/identity/registration/options", new { enrollmentId, code });
        await Expect(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey");
    }

    public SoftwareRegistration MakeCredential(JsonElement creationOptions, Func<MakeCredentialRequest, MakeCredentialRequest>? tweak = null)
    {
        var request = new MakeCredentialRequest(
            creationOptions.GetProperty("rp").GetProperty("id").GetString()!,
            TestTrust.Origin,
            Base64Url.DecodeFromChars(creationOptions.GetProperty("challenge").GetString()))
        {
            UserHandle = Base64Url.DecodeFromChars(creationOptions.GetProperty("user").GetProperty("id").GetString()),
        };
        return Trust.Authenticator.MakeCredential(tweak is null ? request : tweak(request));
    }

    public static object CredentialJson(SoftwareRegistration registration) => new
    {
        id = Base64Url.EncodeToString(registration.Credential.Id),
        rawId = Base64Url.EncodeToString(registration.Credential.Id),
        type = "public-key",
        response = new
        {
            clientDataJSON = Base64Url.EncodeToString(registration.ClientDataJson),
            attestationObject = Base64Url.EncodeToString(registration.AttestationObject),
        },
    };

    public static object CredentialJson(SoftwareAssertion assertion) => new
    {
        id = Base64Url.EncodeToString(assertion.CredentialId),
        rawId = Base64Url.EncodeToString(assertion.CredentialId),
        type = "public-key",
        response = new
        {
            clientDataJSON = Base64Url.EncodeToString(assertion.ClientDataJson),
            authenticatorData = Base64Url.EncodeToString(assertion.AuthenticatorData),
            signature = Base64Url.EncodeToString(assertion.Signature),
            userHandle = Base64Url.EncodeToString(assertion.UserHandle),
        },
    };

    public Task<HttpResponseMessage> RegisterAsync(Guid enrollmentId, string code, SoftwareRegistration registration, HttpClient? client = null) =>
        (client ?? Client).PostAsJsonAsync("/v1/identity/registration",
            new { enrollmentId, code, nickname = "Blue key", credential = CredentialJson(registration) });

    /// <summary>Creates an operator and registers one key for it.</summary>
    public async Task<(Guid UserId, SoftwareCredential Credential)> EnrollAsync(string role = "ca-operator")
    {
        var (userId, enrollmentId, code) = await CreateOperatorAsync(role);
        var registration = MakeCredential(await RegistrationOptionsAsync(enrollmentId, code));
        await Expect(await RegisterAsync(enrollmentId, code, registration), HttpStatusCode.Created);
        return (userId, registration.Credential);
    }

    public async Task<byte[]> LoginChallengeAsync(HttpClient? client = null)
    {
        var response = await (client ?? Client).PostAsync("/v1/identity/login/options", null);
        await Expect(response, HttpStatusCode.OK);
        var options = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey");
        return Base64Url.DecodeFromChars(options.GetProperty("challenge").GetString());
    }

    public static SoftwareAssertion Sign(SoftwareCredential credential, byte[] challenge, Func<GetAssertionRequest, GetAssertionRequest>? tweak = null)
    {
        var request = new GetAssertionRequest(TestTrust.RpId, TestTrust.Origin, challenge);
        return SoftwareAuthenticator.GetAssertion(credential, tweak is null ? request : tweak(request));
    }

    public Task<HttpResponseMessage> PostLoginAsync(SoftwareAssertion assertion, HttpClient? client = null) =>
        (client ?? Client).PostAsJsonAsync("/v1/identity/login", new { credential = CredentialJson(assertion) });

    /// <summary>Logs in; returns the anti-forgery token.</summary>
    public async Task<string> LoginAsync(SoftwareCredential credential, HttpClient? client = null)
    {
        var response = await PostLoginAsync(Sign(credential, await LoginChallengeAsync(client)), client);
        await Expect(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("csrfToken").GetString()!;
    }

    public static async Task Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            throw new Xunit.Sdk.XunitException($"Expected {(int)status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public static async Task ExpectProblem(HttpResponseMessage response, int status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Xunit.Assert.True((int)response.StatusCode == status, $"Expected {status} {code}, got {(int)response.StatusCode}: {body}");
        Xunit.Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        Xunit.Assert.Equal(code, document.RootElement.GetProperty("code").GetString());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await Db.DisposeAsync();
        Trust.Dispose();
    }
}
