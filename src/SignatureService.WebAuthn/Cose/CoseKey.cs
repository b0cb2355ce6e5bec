using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Parsing;

namespace SignatureService.WebAuthn.Cose;

/// <summary>
/// A credential public key in COSE_Key form (RFC 9052 §7, RFC 9053, RFC 8230) as stored in attested credential data.
/// Immutable and thread-safe. Holds public material only.
/// </summary>
public sealed class CoseKey
{
    private const int MinRsaModulusBits = 2048;
    private const int MaxRsaModulusBits = 8192;

    private readonly byte[] _x = [];
    private readonly byte[] _y = [];
    private readonly byte[] _modulus = [];
    private readonly byte[] _exponent = [];

    private CoseKey(ReadOnlyMemory<byte> encoded, CoseKeyType keyType, CoseAlgorithm algorithm, int curve)
    {
        Encoded = encoded;
        KeyType = keyType;
        Algorithm = algorithm;
        Curve = curve;
    }

    private CoseKey(ReadOnlyMemory<byte> encoded, CoseKeyType keyType, CoseAlgorithm algorithm, int curve, byte[] x, byte[] y)
        : this(encoded, keyType, algorithm, curve)
    {
        _x = x;
        _y = y;
    }

    private CoseKey(ReadOnlyMemory<byte> encoded, CoseAlgorithm algorithm, byte[] modulus, byte[] exponent)
        : this(encoded, CoseKeyType.Rsa, algorithm, 0)
    {
        _modulus = modulus;
        _exponent = exponent;
    }

    /// <summary>The exact COSE_Key bytes as received; store these with the credential.</summary>
    public ReadOnlyMemory<byte> Encoded { get; }

    /// <summary>The key type (label 1).</summary>
    public CoseKeyType KeyType { get; }

    /// <summary>The algorithm (label 3) the key is bound to.</summary>
    public CoseAlgorithm Algorithm { get; }

    /// <summary>The COSE curve (label -1): 1 P-256, 2 P-384, 3 P-521, 6 Ed25519, 7 Ed448; 0 for RSA.</summary>
    public int Curve { get; }

    /// <summary>Whether this library can verify signatures made with this key (false for Ed448).</summary>
    public bool IsSupported => !(KeyType == CoseKeyType.Okp && Curve != 6);

    /// <summary>
    /// Decodes a COSE_Key that must span all of <paramref name="encoded"/>.
    /// </summary>
    /// <param name="encoded">COSE_Key CBOR bytes (at most 64 KiB).</param>
    /// <exception cref="WebAuthnException"><see cref="WebAuthnErrorCodes.Malformed"/> for any structural error.</exception>
    public static CoseKey Decode(ReadOnlyMemory<byte> encoded)
    {
        if (encoded.Length > WebAuthnLimits.MaxAttestationObjectLength)
        {
            throw WebAuthnException.Malformed("COSE key too long.");
        }

        var value = CborDecoder.DecodeSingle(encoded);
        return FromCbor(value as CborMap ?? throw WebAuthnException.Malformed("COSE key is not a map."), encoded);
    }

    internal static CoseKey FromCbor(CborMap map, ReadOnlyMemory<byte> encoded)
    {
        const string Bad = WebAuthnErrorCodes.Malformed;
        var kty = map.GetInteger(1, Bad);
        var alg = (CoseAlgorithm)map.GetInteger(3, Bad);
        switch (kty)
        {
            case (long)CoseKeyType.EC2:
                {
                    var crv = (int)map.GetInteger(-1, Bad);
                    var x = map.Get<byte[]>(-2, Bad);
                    var y = map.Get<byte[]>(-3, Bad);
                    var (expectedAlg, size) = crv switch
                    {
                        1 => (CoseAlgorithm.ES256, 32),
                        2 => (CoseAlgorithm.ES384, 48),
                        3 => (CoseAlgorithm.ES512, 66),
                        _ => throw WebAuthnException.Malformed("Unknown EC2 curve."),
                    };
                    if (alg != expectedAlg || x.Length != size || y.Length != size)
                    {
                        throw WebAuthnException.Malformed("EC2 key does not match its curve and algorithm.");
                    }

                    var key = new CoseKey(encoded, CoseKeyType.EC2, alg, crv, x, y);
                    using var ecdsa = key.CreateEcdsa();
                    return key;
                }

            case (long)CoseKeyType.Rsa:
                {
                    var n = map.Get<byte[]>(-1, Bad);
                    var e = map.Get<byte[]>(-2, Bad);
                    if (alg is not (CoseAlgorithm.RS256 or CoseAlgorithm.RS384 or CoseAlgorithm.RS512 or CoseAlgorithm.PS256
                        or CoseAlgorithm.PS384 or CoseAlgorithm.PS512 or CoseAlgorithm.RS1))
                    {
                        throw WebAuthnException.Malformed("RSA key with a non-RSA algorithm.");
                    }

                    var n2 = n.AsSpan().TrimStart((byte)0).ToArray();
                    var bits = n2.Length == 0 ? 0 : ((n2.Length - 1) * 8) + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)n2[0]));
                    if (bits is < MinRsaModulusBits or > MaxRsaModulusBits || e.Length is 0 or > 8)
                    {
                        throw WebAuthnException.Malformed("RSA key size out of range (2048-8192 bits).");
                    }

                    var key = new CoseKey(encoded, alg, n2, e);
                    using var rsa = key.CreateRsa();
                    return key;
                }

            case (long)CoseKeyType.Okp:
                {
                    var crv = (int)map.GetInteger(-1, Bad);
                    var x = map.Get<byte[]>(-2, Bad);
                    if (crv == 6 && alg == CoseAlgorithm.EdDSA && x.Length == Ed25519.PublicKeyLength)
                    {
                        return new CoseKey(encoded, CoseKeyType.Okp, alg, crv, x, []);
                    }

                    if (crv == 7 && alg is (CoseAlgorithm.EdDSA or CoseAlgorithm.Ed448) && x.Length == 57)
                    {
                        return new CoseKey(encoded, CoseKeyType.Okp, alg, crv, x, []);
                    }

                    throw WebAuthnException.Malformed("OKP key does not match its curve and algorithm.");
                }

            default:
                throw WebAuthnException.Malformed("Unknown COSE key type.");
        }
    }

    /// <summary>Verifies a WebAuthn signature (ECDSA signatures are ASN.1 DER, WebAuthn L3 §6.5.5).</summary>
    /// <param name="data">The signed bytes.</param>
    /// <param name="signature">The signature as the authenticator produced it.</param>
    /// <returns><c>true</c> if valid; a malformed signature yields <c>false</c>.</returns>
    /// <exception cref="WebAuthnException"><see cref="WebAuthnErrorCodes.AlgorithmUnsupported"/> for Ed448.</exception>
    public bool VerifySignature(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            switch (KeyType)
            {
                case CoseKeyType.EC2:
                    {
                        using var ecdsa = CreateEcdsa();
                        return ecdsa.VerifyData(data, signature, CoseAlgorithms.HashOf(Algorithm), DSASignatureFormat.Rfc3279DerSequence);
                    }

                case CoseKeyType.Rsa:
                    {
                        using var rsa = CreateRsa();
                        return rsa.VerifyData(data, signature, CoseAlgorithms.HashOf(Algorithm), CoseAlgorithms.RsaPaddingOf(Algorithm));
                    }

                default:
                    return IsSupported
                        ? Ed25519.Verify(_x, data, signature)
                        : throw new WebAuthnException(WebAuthnErrorCodes.AlgorithmUnsupported, "Ed448 is not supported.");
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Whether <paramref name="certificate"/> carries the same public key as this COSE key.</summary>
    internal bool MatchesCertificate(X509Certificate2 certificate)
    {
        switch (KeyType)
        {
            case CoseKeyType.EC2:
                {
                    using var certKey = certificate.GetECDsaPublicKey();
                    if (certKey is null)
                    {
                        return false;
                    }

                    var p = certKey.ExportParameters(false);
                    return p.Curve.Oid.Value == CurveOf(Curve).Oid.Value
                        && p.Q.X.AsSpan().SequenceEqual(_x) && p.Q.Y.AsSpan().SequenceEqual(_y);
                }

            case CoseKeyType.Rsa:
                {
                    using var certKey = certificate.GetRSAPublicKey();
                    if (certKey is null)
                    {
                        return false;
                    }

                    var p = certKey.ExportParameters(false);
                    return RsaMatches(p.Modulus, p.Exponent);
                }

            default:
                return false;
        }
    }

    /// <summary>Whether an RSA modulus/exponent pair (big-endian) equals this key.</summary>
    internal bool RsaMatches(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent)
        => KeyType == CoseKeyType.Rsa
            && modulus.TrimStart((byte)0).SequenceEqual(_modulus)
            && exponent.TrimStart((byte)0).SequenceEqual(_exponent.AsSpan().TrimStart((byte)0));

    /// <summary>Whether an EC point (big-endian coordinates) on the given COSE curve equals this key.</summary>
    internal bool EcMatches(int curve, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
        => KeyType == CoseKeyType.EC2 && Curve == curve && x.SequenceEqual(_x) && y.SequenceEqual(_y);

    /// <summary>The uncompressed EC point 0x04 || x || y (SEC 1 §2.3.3); only for EC2 keys.</summary>
    internal byte[] ToUncompressedPoint() => [0x04, .. _x, .. _y];

    private ECDsa CreateEcdsa()
    {
        try
        {
            return ECDsa.Create(new ECParameters { Curve = CurveOf(Curve), Q = new ECPoint { X = _x, Y = _y } });
        }
        catch (CryptographicException ex)
        {
            throw WebAuthnException.Malformed("EC point is not on the curve.", ex);
        }
    }

    private RSA CreateRsa()
    {
        try
        {
            return RSA.Create(new RSAParameters { Modulus = _modulus, Exponent = _exponent });
        }
        catch (CryptographicException ex)
        {
            throw WebAuthnException.Malformed("Invalid RSA public key.", ex);
        }
    }

    private static ECCurve CurveOf(int coseCurve) => coseCurve switch
    {
        1 => ECCurve.NamedCurves.nistP256,
        2 => ECCurve.NamedCurves.nistP384,
        _ => ECCurve.NamedCurves.nistP521,
    };
}
