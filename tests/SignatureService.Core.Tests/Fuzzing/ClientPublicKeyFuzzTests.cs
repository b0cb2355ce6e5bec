using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SignatureService.Core.Clients;
using SignatureService.Testing.Fuzzing;

namespace SignatureService.Core.Tests.Fuzzing;

/// <summary>
/// Hostile client JWKs (registered by an operator through POST /v1/clients): <see cref="ClientPublicKey.Parse"/> refuses
/// anything unacceptable with <see cref="FormatException"/> only, which the registration turns into a 400 field error.
/// </summary>
public sealed class ClientPublicKeyFuzzTests
{
    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public void Parse_MutatedJwk_ThrowsOnlyFormatException(string algorithm)
    {
        var seed = algorithm == "ES256" ? EcJwk() : RsaJwk();
        Assert.Equal(algorithm, ClientPublicKey.Parse(JsonDocument.Parse(seed).RootElement, algorithm).Algorithm);
        var inputs = new Mutator(Fuzz.Seed, HostileCorpus.JsonTokens) { MostlyValidUtf8 = true }.Corpus([seed], Fuzz.Iterations(2000), truncateUpTo: 0)
            .Concat(new[] { "{\"kty\":\"EC\",\"alg\":1}", "{\"kty\":1}", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":1,\"y\":[]}", "{\"alg\":null}", "[]", "\"x\"" }
                .Select((j, i) => new FuzzInput(-1 - i, "hostile", Encoding.UTF8.GetBytes(j))));

        var report = Fuzz.Run($"client JWK {algorithm}", Fuzz.Seed, inputs, data =>
        {
            JsonElement jwk;
            try
            {
                using var document = JsonDocument.Parse(data);
                jwk = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return "not JSON";
            }

            ClientPublicKey.Parse(jwk, algorithm);
            return "accepted";
        }, ex => ex is FormatException ? "refused" : null);

        Assert.True(report["accepted"] >= 1, report.ToString());
        Assert.True(report["refused"] > 0, report.ToString());
    }

    /// <summary>Found by the fuzzer: a non-string <c>alg</c> member made <c>GetString</c> throw InvalidOperationException (a 500 at registration).</summary>
    [Theory]
    [InlineData("{\"kty\":\"EC\",\"alg\":1}")]
    [InlineData("{\"kty\":\"EC\",\"alg\":{}}")]
    public void Parse_NonStringAlg_ThrowsFormatException(string json)
    {
        Assert.Throws<FormatException>(() => ClientPublicKey.Parse(JsonDocument.Parse(json).RootElement, "ES256"));
    }

    /// <summary>Invalid UTF-8 inside a member must be refused, not turned into InvalidOperationException.</summary>
    [Fact]
    public void Parse_InvalidUtf8InMember_ThrowsFormatException()
    {
        byte[] json = [.. "{\"kty\":\"EC\",\"crv\":\"P-2"u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.Throws<FormatException>(() => ClientPublicKey.Parse(JsonDocument.Parse(json).RootElement, "ES256"));
    }

    private static byte[] EcJwk()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(false);
        return JsonSerializer.SerializeToUtf8Bytes(new { kty = "EC", crv = "P-256", alg = "ES256", x = Base64Url.EncodeToString(p.Q.X), y = Base64Url.EncodeToString(p.Q.Y) });
    }

    private static byte[] RsaJwk()
    {
        using var key = RSA.Create(2048);
        var p = key.ExportParameters(false);
        return JsonSerializer.SerializeToUtf8Bytes(new { kty = "RSA", n = Base64Url.EncodeToString(p.Modulus), e = Base64Url.EncodeToString(p.Exponent) });
    }
}
