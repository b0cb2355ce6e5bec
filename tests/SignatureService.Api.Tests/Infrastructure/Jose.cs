using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SignatureService.Api.Tests.Infrastructure;

/// <summary>Test-side JOSE: builds compact JWS tokens exactly as a client would (and hostile variants of them).</summary>
internal static class Jose
{
    public static string B64(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    public static JsonElement PublicJwk(ECDsa key)
    {
        var p = key.ExportParameters(false);
        return JsonSerializer.SerializeToElement(new { kty = "EC", crv = "P-256", x = B64(p.Q.X), y = B64(p.Q.Y) });
    }

    public static JsonElement PublicJwk(RSA key)
    {
        var p = key.ExportParameters(false);
        return JsonSerializer.SerializeToElement(new { kty = "RSA", n = B64(p.Modulus), e = B64(p.Exponent) });
    }

    public static JsonObject Claims(string clientId, string audience, DateTimeOffset now, TimeSpan? lifetime = null) => new()
    {
        ["iss"] = clientId,
        ["sub"] = clientId,
        ["aud"] = audience,
        ["iat"] = now.ToUnixTimeSeconds(),
        ["exp"] = (now + (lifetime ?? TimeSpan.FromMinutes(2))).ToUnixTimeSeconds(),
        ["jti"] = Guid.NewGuid().ToString("N"),
    };

    public static string Sign(JsonObject header, JsonObject claims, Func<byte[], byte[]> sign)
    {
        var input = B64(header.ToJsonString()) + "." + B64(claims.ToJsonString());
        return input + "." + B64(sign(Encoding.ASCII.GetBytes(input)));
    }

    public static string SignEs256(ECDsa key, string kid, JsonObject claims, string alg = "ES256") =>
        Sign(new JsonObject { ["alg"] = alg, ["kid"] = kid, ["typ"] = "JWT" }, claims,
            data => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
}
