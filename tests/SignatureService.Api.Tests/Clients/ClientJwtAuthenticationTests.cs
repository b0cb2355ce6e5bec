using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Clients;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Data.Audit;
using SignatureService.Testing;

namespace SignatureService.Api.Tests.Clients;

/// <summary>EHR client bearer tokens, end to end through the real service and PostgreSQL.</summary>
public sealed class ClientJwtAuthenticationTests : IAsyncLifetime
{
    private const string Audience = "signature-service";
    private ServiceFactory _factory = null!;
    private TestDatabase _db = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        (_factory, _db) = await ServiceFactory.CreateAsync();
        _http = await _factory.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<string> RegisterAsync(params ClientKeyInput[] keys)
    {
        var clientId = "ehr-" + Guid.NewGuid().ToString("N")[..12];
        await using var scope = _factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ClientRegistration>().RegisterAsync(
            new RegisterClientInput(clientId, "Test EHR", keys, ["https://ehr.example.jp"]), AuditActor.System, CancellationToken.None);
        return clientId;
    }

    private async Task<(HttpStatusCode Status, string? Code, string? ClientId)> CallAsync(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/clients/me");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode,
            body.TryGetProperty("code", out var code) ? code.GetString() : null,
            body.TryGetProperty("clientId", out var id) ? id.GetString() : null);
    }

    [Fact]
    public async Task Es256Token_Valid_IsAccepted()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientId = await RegisterAsync(new ClientKeyInput("k1", "ES256", Jose.PublicJwk(key)));

        var (status, _, who) = await CallAsync(Jose.SignEs256(key, "k1", Jose.Claims(clientId, Audience, DateTimeOffset.UtcNow)));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(clientId, who);
    }

    [Fact]
    public async Task NoToken_Returns401Unauthenticated()
    {
        var (status, code, _) = await CallAsync(null);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("auth.unauthenticated", code);
    }

    [Fact]
    public async Task TokensMadeByOpenSsl_Rs256AndEs256_AreAccepted()
    {
        using var dir = new TempDir();
        Run("openssl", $"genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out {dir}/rsa.pem");
        Run("openssl", $"genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out {dir}/ec.pem");
        using var rsa = RSA.Create();
        rsa.ImportFromPem(Run("openssl", $"pkey -in {dir}/rsa.pem -pubout"));
        using var ec = ECDsa.Create();
        ec.ImportFromPem(Run("openssl", $"pkey -in {dir}/ec.pem -pubout"));
        var clientId = await RegisterAsync(
            new ClientKeyInput("rsa", "RS256", Jose.PublicJwk(rsa)), new ClientKeyInput("ec", "ES256", Jose.PublicJwk(ec)));

        string OpenSslToken(string alg, string kid, string keyFile, bool derToRaw)
        {
            var input = Jose.B64($$"""{"alg":"{{alg}}","kid":"{{kid}}","typ":"JWT"}""") + "." +
                        Jose.B64(Jose.Claims(clientId, Audience, DateTimeOffset.UtcNow).ToJsonString());
            File.WriteAllText($"{dir}/input", input);
            Run("openssl", $"dgst -sha256 -sign {keyFile} -out {dir}/sig {dir}/input");
            var signature = File.ReadAllBytes($"{dir}/sig");
            if (derToRaw)
            {
                using var verifier = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                signature = ConvertDerToP1363(signature);
            }

            return input + "." + Jose.B64(signature);
        }

        Assert.Equal(HttpStatusCode.OK, (await CallAsync(OpenSslToken("RS256", "rsa", $"{dir}/rsa.pem", false))).Status);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(OpenSslToken("ES256", "ec", $"{dir}/ec.pem", true))).Status);
    }

    public static TheoryData<string> HostileVariants => new()
    {
        "expired", "replayed", "wrong-audience", "alg-none", "hs256-with-public-key", "unknown-kid", "future-iat",
        "lifetime-too-long", "issuer-not-subject", "tampered-signature", "jwe-shaped", "alg-mismatch", "garbage", "der-ecdsa-signature",
        "not-yet-valid-nbf", "missing-jti", "crit-header",
    };

    [Theory]
    [MemberData(nameof(HostileVariants))]
    public async Task HostileToken_IsRefusedWith401AndItsCode(string variant)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jwk = Jose.PublicJwk(key);
        var clientId = await RegisterAsync(new ClientKeyInput("k1", "ES256", jwk));
        var now = DateTimeOffset.UtcNow;
        var claims = Jose.Claims(clientId, Audience, now);
        string Es(JsonObject c) => Jose.SignEs256(key, "k1", c);

        (string Token, string Code) Case() => variant switch
        {
            "expired" => (Es(Jose.Claims(clientId, Audience, now.AddMinutes(-10))), "auth.token-expired"),
            "wrong-audience" => (Es(Jose.Claims(clientId, "someone-else", now)), "auth.token-audience-mismatch"),
            "alg-none" => (Jose.B64("""{"alg":"none","kid":"k1"}""") + "." + Jose.B64(claims.ToJsonString()) + ".", "auth.token-algorithm-not-allowed"),
            "hs256-with-public-key" => (Jose.Sign(new JsonObject { ["alg"] = "HS256", ["kid"] = "k1" }, claims,
                d => HMACSHA256.HashData(Encoding.UTF8.GetBytes(jwk.GetRawText()), d)), "auth.token-algorithm-not-allowed"),
            "unknown-kid" => (Jose.SignEs256(key, "k2", claims), "auth.token-unknown-key"),
            "future-iat" => (Es(Jose.Claims(clientId, Audience, now.AddMinutes(10))), "auth.token-not-yet-valid"),
            "lifetime-too-long" => (Es(Jose.Claims(clientId, Audience, now, TimeSpan.FromMinutes(30))), "auth.token-lifetime-too-long"),
            "issuer-not-subject" => (Es(With(claims, "sub", "another")), "auth.token-issuer-mismatch"),
            "tampered-signature" => (Tamper(Es(claims)), "auth.token-signature-invalid"),
            "jwe-shaped" => ("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", "auth.token-malformed"),
            "alg-mismatch" => (Jose.Sign(new JsonObject { ["alg"] = "RS256", ["kid"] = "k1" }, claims, _ => new byte[256]), "auth.token-algorithm-not-allowed"),
            "garbage" => ("not a token at all", "auth.token-malformed"),
            "der-ecdsa-signature" => (Jose.Sign(new JsonObject { ["alg"] = "ES256", ["kid"] = "k1" }, claims,
                d => key.SignData(d, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)), "auth.token-signature-invalid"),
            "not-yet-valid-nbf" => (Es(With(claims, "nbf", now.AddMinutes(3).ToUnixTimeSeconds())), "auth.token-not-yet-valid"),
            "missing-jti" => (Es(Without(claims, "jti")), "auth.token-malformed"),
            "crit-header" => (Jose.Sign(new JsonObject { ["alg"] = "ES256", ["kid"] = "k1", ["crit"] = new JsonArray("exp") }, claims,
                d => key.SignData(d, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)), "auth.token-malformed"),
            "replayed" => (Es(claims), "auth.token-replayed"),
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };

        var (token, expectedCode) = Case();
        if (variant == "replayed")
        {
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(token)).Status);
        }

        var (status, code, _) = await CallAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(expectedCode, code);
    }

    [Fact]
    public async Task DisabledClient_IsRefusedAtOnce_AndReenabledClientWorks()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientId = await RegisterAsync(new ClientKeyInput("k1", "ES256", Jose.PublicJwk(key)));
        await using var scope = _factory.Services.CreateAsyncScope();
        var registration = scope.ServiceProvider.GetRequiredService<ClientRegistration>();

        await registration.SetStatusAsync(clientId, active: false, AuditActor.System, CancellationToken.None);
        var refused = await CallAsync(Jose.SignEs256(key, "k1", Jose.Claims(clientId, Audience, DateTimeOffset.UtcNow)));
        await registration.SetStatusAsync(clientId, active: true, AuditActor.System, CancellationToken.None);
        var accepted = await CallAsync(Jose.SignEs256(key, "k1", Jose.Claims(clientId, Audience, DateTimeOffset.UtcNow)));

        Assert.Equal("auth.token-unknown-key", refused.Code);
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Equal(2L, await _db.ScalarAsync<long>(
            $"SELECT count(*) FROM audit_events WHERE target_id = '{clientId}' AND action IN ('client.disabled', 'client.enabled')"));
    }

    [Fact]
    public async Task KeyRotation_NewKeyWorksBeforeOldIsRetired_RetiredKeyIsRefused()
    {
        using var oldKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var newKey = RSA.Create(2048);
        var clientId = await RegisterAsync(new ClientKeyInput("old", "ES256", Jose.PublicJwk(oldKey)));
        await using var scope = _factory.Services.CreateAsyncScope();
        var registration = scope.ServiceProvider.GetRequiredService<ClientRegistration>();
        string NewToken() => Jose.Sign(new JsonObject { ["alg"] = "PS256", ["kid"] = "new" }, Jose.Claims(clientId, Audience, DateTimeOffset.UtcNow),
            d => newKey.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));

        await registration.AddKeyAsync(clientId, new ClientKeyInput("new", "PS256", Jose.PublicJwk(newKey)), AuditActor.System, CancellationToken.None);
        var bothOld = await CallAsync(Jose.SignEs256(oldKey, "old", Jose.Claims(clientId, Audience, DateTimeOffset.UtcNow)));
        var bothNew = await CallAsync(NewToken());
        await registration.RetireKeyAsync(clientId, "old", AuditActor.System, CancellationToken.None);
        var afterOld = await CallAsync(Jose.SignEs256(oldKey, "old", Jose.Claims(clientId, Audience, DateTimeOffset.UtcNow)));
        var afterNew = await CallAsync(NewToken());

        Assert.Equal(HttpStatusCode.OK, bothOld.Status);
        Assert.Equal(HttpStatusCode.OK, bothNew.Status);
        Assert.Equal("auth.token-unknown-key", afterOld.Code);
        Assert.Equal(HttpStatusCode.OK, afterNew.Status);
    }

    [Fact]
    public async Task Register_PrivateJwk_IsRefusedAndNothingStored()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(true);
        var privateJwk = JsonSerializer.SerializeToElement(new { kty = "EC", crv = "P-256", x = Jose.B64(p.Q.X), y = Jose.B64(p.Q.Y), d = Jose.B64(p.D) });

        var ex = await Assert.ThrowsAsync<Core.Errors.ServiceException>(() => RegisterAsync(new ClientKeyInput("k1", "ES256", privateJwk)));

        Assert.Equal("request.validation-failed", ex.Error.Code);
        Assert.Contains("keys[0].jwk", ex.FieldErrors!.Keys);
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM ehr_clients"));
    }

    private static JsonObject With(JsonObject claims, string name, JsonNode value)
    {
        var copy = JsonNode.Parse(claims.ToJsonString())!.AsObject();
        copy[name] = value;
        return copy;
    }

    private static JsonObject Without(JsonObject claims, string name)
    {
        var copy = JsonNode.Parse(claims.ToJsonString())!.AsObject();
        copy.Remove(name);
        return copy;
    }

    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var signature = Convert.FromBase64String(parts[2].Replace('-', '+').Replace('_', '/') + new string('=', (4 - parts[2].Length % 4) % 4));
        signature[10] ^= 0x01;
        return $"{parts[0]}.{parts[1]}.{Jose.B64(signature)}";
    }

    private static byte[] ConvertDerToP1363(byte[] der)
    {
        var reader = new System.Formats.Asn1.AsnReader(der, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        var r = reader.ReadIntegerBytes().ToArray().SkipWhile(b => b == 0).ToArray();
        var s = reader.ReadIntegerBytes().ToArray().SkipWhile(b => b == 0).ToArray();
        var raw = new byte[64];
        r.CopyTo(raw, 32 - r.Length);
        s.CopyTo(raw, 64 - s.Length);
        return raw;
    }

    private static string Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {arguments} failed: {error}");
        return output;
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("signsvc-").FullName;

        public override string ToString() => Path;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
