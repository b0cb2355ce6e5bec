using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace SignatureService.Core.Clients;

/// <summary>
/// A client's public JWK (RFC 7517) bound to exactly one JWS algorithm (RFC 7518 §3): ES256 (P-256), PS256 or RS256 (RSA ≥ 2048 bits).
/// Immutable and thread-safe; each verification creates its own .NET key object.
/// </summary>
public sealed class ClientPublicKey
{
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    private readonly ECParameters? _ec;
    private readonly RSAParameters? _rsa;

    private ClientPublicKey(string algorithm, ECParameters? ec, RSAParameters? rsa)
    {
        Algorithm = algorithm;
        _ec = ec;
        _rsa = rsa;
    }

    /// <summary>The JWS algorithm this key verifies: <c>ES256</c>, <c>PS256</c> or <c>RS256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The algorithms a client key may be registered for.</summary>
    public static IReadOnlyList<string> SupportedAlgorithms { get; } = ["ES256", "PS256", "RS256"];

    /// <summary>
    /// Reads a public JWK for <paramref name="algorithm"/>. Refuses private members, symmetric keys, curves other than P-256,
    /// RSA moduli under 2048 bits, and a JWK whose own <c>alg</c> disagrees.
    /// </summary>
    /// <exception cref="FormatException">The JWK is not an acceptable public key for that algorithm; the message says why.</exception>
    public static ClientPublicKey Parse(JsonElement jwk, string algorithm)
    {
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The JWK must be a JSON object.");
        }

        if (!SupportedAlgorithms.Contains(algorithm, StringComparer.Ordinal))
        {
            throw new FormatException($"Algorithm '{algorithm}' is not supported; use ES256, PS256 or RS256.");
        }

        foreach (var member in PrivateMembers)
        {
            if (jwk.TryGetProperty(member, out _))
            {
                throw new FormatException($"The JWK contains the private or symmetric member '{member}'; register the public key only.");
            }
        }

        // Note: ValueEquals compares the raw UTF-8, so a non-string or non-UTF-8 'alg' is refused here instead of throwing.
        if (jwk.TryGetProperty("alg", out var alg) && (alg.ValueKind != JsonValueKind.String || !alg.ValueEquals(algorithm)))
        {
            throw new FormatException("The JWK's 'alg' differs from the algorithm it is registered for.");
        }

        var kty = String(jwk, "kty");
        if (algorithm == "ES256")
        {
            if (kty != "EC" || String(jwk, "crv") != "P-256")
            {
                throw new FormatException("ES256 needs an EC key on curve P-256.");
            }

            var parameters = new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Coordinate(jwk, "x"), Y = Coordinate(jwk, "y") },
            };
            try
            {
                using var ecdsa = ECDsa.Create(parameters);
            }
            catch (CryptographicException)
            {
                throw new FormatException("The EC point is not on curve P-256.");
            }

            return new ClientPublicKey(algorithm, parameters, null);
        }

        if (kty != "RSA")
        {
            throw new FormatException($"{algorithm} needs an RSA key.");
        }

        var modulus = Bytes(jwk, "n").AsSpan().TrimStart((byte)0).ToArray();
        var exponent = Bytes(jwk, "e");
        if (modulus.Length * 8 < 2048 || modulus.Length > 1024)
        {
            throw new FormatException("The RSA modulus must be 2048 to 8192 bits.");
        }

        return new ClientPublicKey(algorithm, null, new RSAParameters { Modulus = modulus, Exponent = exponent });
    }

    /// <summary>Verifies a JWS signature over <paramref name="signingInput"/> (ASCII of <c>header.payload</c>).</summary>
    public bool Verify(ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        if (_ec is { } ec)
        {
            // Note: JWS ES256 signatures are the fixed 64-byte r||s form (RFC 7518 §3.4), never DER.
            if (signature.Length != 64)
            {
                return false;
            }

            using var ecdsa = ECDsa.Create(ec);
            return ecdsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        using var rsa = RSA.Create(_rsa!.Value);
        var padding = Algorithm == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        return rsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, padding);
    }

    private static string? String(JsonElement jwk, string name)
    {
        if (!jwk.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // Note: JsonDocument checks the UTF-8 of a string only when it is read.
            throw new FormatException($"The JWK member '{name}' is not valid UTF-8.");
        }
    }

    private static byte[] Bytes(JsonElement jwk, string name)
    {
        var text = String(jwk, name) ?? throw new FormatException($"The JWK lacks '{name}'.");
        try
        {
            return Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            throw new FormatException($"The JWK member '{name}' is not base64url.");
        }
    }

    private static byte[] Coordinate(JsonElement jwk, string name)
    {
        var bytes = Bytes(jwk, name);
        return bytes.Length == 32 ? bytes : throw new FormatException($"The P-256 coordinate '{name}' must be 32 bytes.");
    }
}
