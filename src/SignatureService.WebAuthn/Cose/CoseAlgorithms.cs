using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Cose;

/// <summary>Maps COSE algorithms to .NET primitives and verifies signatures made by attestation certificates.</summary>
internal static class CoseAlgorithms
{
    public static HashAlgorithmName HashOf(CoseAlgorithm algorithm) => algorithm switch
    {
        CoseAlgorithm.ES256 or CoseAlgorithm.RS256 or CoseAlgorithm.PS256 => HashAlgorithmName.SHA256,
        CoseAlgorithm.ES384 or CoseAlgorithm.RS384 or CoseAlgorithm.PS384 => HashAlgorithmName.SHA384,
        CoseAlgorithm.ES512 or CoseAlgorithm.RS512 or CoseAlgorithm.PS512 => HashAlgorithmName.SHA512,
        CoseAlgorithm.RS1 => HashAlgorithmName.SHA1,
        _ => throw new WebAuthnException(WebAuthnErrorCodes.AlgorithmUnsupported, "No hash for this algorithm."),
    };

    public static RSASignaturePadding RsaPaddingOf(CoseAlgorithm algorithm) => algorithm switch
    {
        CoseAlgorithm.PS256 or CoseAlgorithm.PS384 or CoseAlgorithm.PS512 => RSASignaturePadding.Pss,
        _ => RSASignaturePadding.Pkcs1,
    };

    /// <summary>Hashes <paramref name="data"/> with the hash of <paramref name="algorithm"/>.</summary>
    public static byte[] Hash(CoseAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        var name = HashOf(algorithm);
        return name == HashAlgorithmName.SHA256 ? SHA256.HashData(data)
            : name == HashAlgorithmName.SHA384 ? SHA384.HashData(data)
            : name == HashAlgorithmName.SHA512 ? SHA512.HashData(data)
#pragma warning disable CA5350 // Note: SHA-1 only where the TPM attestation format demands it (RS1), never by choice.
            : SHA1.HashData(data);
#pragma warning restore CA5350
    }

    /// <summary>
    /// Verifies <paramref name="signature"/> over <paramref name="data"/> with the certificate's public key under
    /// <paramref name="algorithm"/>; the key type must fit the algorithm. ECDSA signatures are DER.
    /// </summary>
    public static bool VerifyWithCertificate(CoseAlgorithm algorithm, X509Certificate2 certificate, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            switch (algorithm)
            {
                case CoseAlgorithm.ES256 or CoseAlgorithm.ES384 or CoseAlgorithm.ES512:
                    {
                        using var ecdsa = certificate.GetECDsaPublicKey();
                        if (ecdsa is null || ecdsa.KeySize != (algorithm switch { CoseAlgorithm.ES256 => 256, CoseAlgorithm.ES384 => 384, _ => 521 }))
                        {
                            return false;
                        }

                        return ecdsa.VerifyData(data, signature, HashOf(algorithm), DSASignatureFormat.Rfc3279DerSequence);
                    }

                case CoseAlgorithm.RS256 or CoseAlgorithm.RS384 or CoseAlgorithm.RS512 or CoseAlgorithm.RS1
                    or CoseAlgorithm.PS256 or CoseAlgorithm.PS384 or CoseAlgorithm.PS512:
                    {
                        using var rsa = certificate.GetRSAPublicKey();
                        return rsa is not null && rsa.KeySize >= 2048
                            && rsa.VerifyData(data, signature, HashOf(algorithm), RsaPaddingOf(algorithm));
                    }

                default:
                    throw new WebAuthnException(WebAuthnErrorCodes.AlgorithmUnsupported, "Attestation signature algorithm not supported.");
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
