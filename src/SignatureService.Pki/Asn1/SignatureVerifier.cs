using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SignatureService.Pki.Asn1;

/// <summary>
/// Verifies an X.509-style signature (signed bytes, AlgorithmIdentifier, signature value) with a certificate's public key, for
/// the structures .NET has no verifier for (CRLs, OCSP responses, a certificate against a given issuer). RSA PKCS#1 v1.5 and PSS
/// and ECDSA with SHA-256/384/512; SHA-1 and anything else answer false: too weak, or unknown, to trust for revocation.
/// </summary>
internal static class SignatureVerifier
{
    /// <summary>True when <paramref name="signer"/>'s key verifies <paramref name="signature"/> over <paramref name="data"/>.</summary>
    public static bool Verify(byte[] data, byte[] algorithmIdentifier, byte[] signature, X509Certificate2 signer)
    {
        try
        {
            var algorithm = new AsnReader(algorithmIdentifier, AsnEncodingRules.DER).ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            switch (oid)
            {
                case "1.2.840.113549.1.1.11" or "1.2.840.113549.1.1.12" or "1.2.840.113549.1.1.13":
                {
                    using var rsa = signer.GetRSAPublicKey();
                    return rsa is not null && rsa.VerifyData(data, signature, RsaHash(oid), RSASignaturePadding.Pkcs1);
                }

                case "1.2.840.113549.1.1.10":
                {
                    var hash = PssHash(algorithm);
                    using var rsa = signer.GetRSAPublicKey();
                    return hash is { } h && rsa is not null && rsa.VerifyData(data, signature, h, RSASignaturePadding.Pss);
                }

                case "1.2.840.10045.4.3.2" or "1.2.840.10045.4.3.3" or "1.2.840.10045.4.3.4":
                {
                    using var ecdsa = signer.GetECDsaPublicKey();
                    var hash = oid.EndsWith(".2", StringComparison.Ordinal) ? HashAlgorithmName.SHA256
                        : oid.EndsWith(".3", StringComparison.Ordinal) ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA512;
                    return ecdsa is not null && ecdsa.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
                }

                default:
                    return false;
            }
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="issuer"/>'s key signed <paramref name="certificate"/> (names are the caller's concern).</summary>
    public static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        try
        {
            var reader = new AsnReader(certificate.RawData, AsnEncodingRules.DER).ReadSequence();
            var tbs = reader.ReadEncodedValue().ToArray();
            var algorithm = reader.ReadEncodedValue().ToArray();
            var signature = reader.ReadBitString(out _);
            return Verify(tbs, algorithm, signature, issuer);
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    private static HashAlgorithmName RsaHash(string oid) => oid switch
    {
        "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
        "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    /// <summary>The hash of RSASSA-PSS parameters that .NET can verify: MGF1 with the same hash and a salt as long as the hash.</summary>
    private static HashAlgorithmName? PssHash(AsnReader algorithm)
    {
        if (!algorithm.HasData)
        {
            return null; // SHA-1 defaults: refused.
        }

        var parameters = algorithm.ReadSequence();
        string? hashOid = null, mgfHashOid = null;
        var salt = 20;
        while (parameters.HasData)
        {
            var tag = parameters.PeekTag();
            var field = parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, tag.TagValue, isConstructed: true));
            switch (tag.TagValue)
            {
                case 0:
                    hashOid = field.ReadSequence().ReadObjectIdentifier();
                    break;
                case 1:
                    var mgf = field.ReadSequence();
                    if (mgf.ReadObjectIdentifier() != "1.2.840.113549.1.1.8")
                    {
                        return null;
                    }

                    mgfHashOid = mgf.ReadSequence().ReadObjectIdentifier();
                    break;
                case 2:
                    if (!field.TryReadInt32(out salt))
                    {
                        return null;
                    }

                    break;
                default:
                    field.ReadEncodedValue();
                    break;
            }
        }

        HashAlgorithmName? hash = hashOid switch
        {
            "2.16.840.1.101.3.4.2.1" => HashAlgorithmName.SHA256,
            "2.16.840.1.101.3.4.2.2" => HashAlgorithmName.SHA384,
            "2.16.840.1.101.3.4.2.3" => HashAlgorithmName.SHA512,
            _ => null,
        };
        var size = hash == HashAlgorithmName.SHA256 ? 32 : hash == HashAlgorithmName.SHA384 ? 48 : 64;
        return hash is not null && mgfHashOid == hashOid && salt == size ? hash : null;
    }
}
