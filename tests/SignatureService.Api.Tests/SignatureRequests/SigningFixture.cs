using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Clients;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Users;
using SignatureService.Testing;

namespace SignatureService.Api.Tests.SignatureRequests;

/// <summary>One running service with a CA in the test token; tests make their own clients and signers on it.</summary>
public sealed class SigningFixture : IAsyncLifetime
{
    private static int _counter;
    private TestDatabase _db = null!;
    private bool _stopped;

    public SigningFixture()
    {
    }

    /// <summary>A fixture whose service runs with extra configuration (e.g. rate limiting off for the fuzz tests).</summary>
    internal SigningFixture(IReadOnlyDictionary<string, string?> settings) => Settings = settings;

    internal ServiceFactory Factory { get; private set; } = null!;

    internal HttpClient Http { get; private set; } = null!;

    internal TestDatabase Database => _db;

    public static readonly AuditActor Operator = new("cli", "test-operator");

    /// <summary>Configuration overrides for the service (e.g. another database), applied before it starts.</summary>
    internal IReadOnlyDictionary<string, string?>? Settings { get; init; }

    public async Task InitializeAsync()
    {
        (Factory, _db) = await ServiceFactory.CreateAsync(Settings);
        Http = await Factory.StartAsync();
        await WithScopeAsync(sp => sp.GetRequiredService<InitializeCertificateAuthority>().InitializeAsync(Operator, CancellationToken.None));
    }

    public async Task DisposeAsync()
    {
        await StopServiceAsync();
        await _db.DisposeAsync();
    }

    /// <summary>Stops the in-process service (its workers too) but keeps the database, e.g. to hand it to a service process.</summary>
    internal async Task StopServiceAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            Http.Dispose();
            await Factory.DisposeAsync();
        }
    }

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    /// <summary>An EHR client with an ES256 key; returns a way to mint fresh tokens for it.</summary>
    internal async Task<TestClient> CreateClientAsync(params string[] callbackOrigins)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientId = "ehr-" + Guid.NewGuid().ToString("N")[..12];
        await WithScopeAsync(sp => sp.GetRequiredService<ClientRegistration>().RegisterAsync(
            new RegisterClientInput(clientId, "Test EHR", [new ClientKeyInput("k1", "ES256", Jose.PublicJwk(key))], callbackOrigins),
            Operator, CancellationToken.None));
        return new TestClient(this, clientId, key);
    }

    /// <summary>An active signer with a verified license of <paramref name="profession"/> and an issued signing certificate.</summary>
    internal async Task<(Guid UserId, string LicenseNumber, IssuedCertificate Certificate)> CreateSignerAsync(string profession)
    {
        var userId = Guid.CreateVersion7();
        var number = $"R{Environment.ProcessId % 10000:D4}{Interlocked.Increment(ref _counter):D6}";
        await WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<SignatureServiceDbContext>();
            db.Users.Add(new UserRecord
            {
                Id = userId, DisplayName = "Test Signer", Status = "active", Roles = [UserRoles.Signer],
                CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            });
            return await db.SaveChangesAsync();
        });
        await WithScopeAsync(sp => sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(
            Encoding.UTF8.GetBytes($"{ImportLicenseRegistry.Header}\n{profession},{number},2010-04-01,山田 太郎,1980-01-02,active\n"),
            Operator, CancellationToken.None));
        await WithScopeAsync(sp => sp.GetRequiredService<VerifySignerLicense>().VerifyAsync(
            new LicenseClaim(userId, profession, number, "山田 太郎", new DateOnly(1980, 1, 2)), Operator, CancellationToken.None));
        var issued = await WithScopeAsync(sp => sp.GetRequiredService<IssueSignerCertificate>().IssueAsync(
            new SignerCertificateInput(userId, "Example Clinic", "例クリニック", "YAMADA TARO", "山田 太郎"), Operator, CancellationToken.None));
        return (userId, number, issued);
    }

    internal static byte[] Prescription(string? id = null) =>
        new SignatureService.Core.Tests.Documents.PrescriptionCsvBuilder { PrescriptionId = id ?? Guid.NewGuid().ToString() }.ToXml();

    internal static string DeathCertificateJson(string? documentId = null) => $$"""
        {
          "documentId": "{{documentId ?? Guid.NewGuid().ToString().ToUpperInvariant()}}",
          "deceased": { "name": "死亡　太郎", "nameKana": "しぼう　たろう", "sex": 1, "dateOfBirth": "1940-04-01", "ageAtDeath": 86 },
          "death": { "date": "2026-11-18", "time": "14:30:00", "timeEstimated": false,
                     "place": { "type": 1, "facilityName": "テスト総合病院", "address": "東京都千代田区千代田１－１" } },
          "causes": { "chainOfEvents": [ { "description": "急性心筋梗塞", "onsetToDeath": { "value": 3, "unit": "hours" } } ] },
          "surgery": { "performed": false },
          "autopsy": { "performed": false },
          "mannerOfDeath": 1,
          "diagnosisOrExaminationDate": "2026-11-18",
          "issueDate": "2026-11-19",
          "physician": { "name": "医師　一郎", "institutionName": "テスト総合病院", "institutionAddress": "東京都千代田区千代田１－１" }
        }
        """;
}

/// <summary>An EHR client of the fixture: mints a fresh single-use token for every call.</summary>
internal sealed class TestClient(SigningFixture fixture, string clientId, ECDsa key)
{
    public string ClientId => clientId;

    public string Token() => Jose.SignEs256(key, "k1", Jose.Claims(clientId, "signature-service", DateTimeOffset.UtcNow));

    public async Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(
        HttpMethod method, string path, object? json = null, string? idempotencyKey = null, byte[]? rawBody = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token());
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (rawBody is not null)
        {
            request.Content = new ByteArrayContent(rawBody);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        else if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        var response = await fixture.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 && text[0] is '{' or '[' ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (response, body);
    }

    public static object Document(string type, byte[] content, string mediaType = "application/xml") =>
        new { type, mediaType, content = Convert.ToBase64String(content) };

    public static object Request(object signer, params object[] documents) => new { signer, documents };
}
