using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.WebAuthn.Cose;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Attestation;

/// <summary>Format <c>tpm</c> (W3C WebAuthn L3 §8.3).</summary>
internal static class TpmAttestation
{
    private const string Invalid = WebAuthnErrorCodes.AttestationInvalid;
    private const string AikCertificateEku = "2.23.133.8.3";
    private const string TpmManufacturerOid = "2.23.133.2.1";
    private const string SubjectAltNameOid = "2.5.29.17";

    public static AttestationStatementResult Verify(AttestationContext context)
    {
        // 1. attStmt: ver "2.0", alg, x5c, sig, certInfo, pubArea.
        var statement = context.Statement;
        if (!string.Equals(statement.Get<string>("ver", Invalid), "2.0", StringComparison.Ordinal))
        {
            throw new WebAuthnException(Invalid, "TPM ver must be 2.0.");
        }

        var alg = (CoseAlgorithm)statement.GetInteger("alg", Invalid);
        var sig = statement.Get<byte[]>("sig", Invalid);
        var certInfoBytes = statement.Get<byte[]>("certInfo", Invalid);
        var pubAreaBytes = statement.Get<byte[]>("pubArea", Invalid);
        var x5c = AttestationCertificates.LoadX5c(statement, required: true);
        try
        {
            // 2. pubArea's parameters and unique identify the same key as credentialPublicKey.
            var pubArea = TpmStructures.ReadPubArea(pubAreaBytes);
            if (!PubAreaMatches(pubArea, context.Credential.CredentialPublicKey))
            {
                throw new WebAuthnException(Invalid, "TPM pubArea is not the credential public key.");
            }

            // 3-4. certInfo: magic TPM_GENERATED_VALUE, type TPM_ST_ATTEST_CERTIFY, extraData = hash_alg(attToBeSigned).
            var certInfo = TpmStructures.ReadCertInfo(certInfoBytes);
            if (certInfo.Magic != TpmStructures.GeneratedValue || certInfo.Type != TpmStructures.StAttestCertify)
            {
                throw new WebAuthnException(Invalid, "TPM certInfo magic or type invalid.");
            }

            var expectedExtraData = CoseAlgorithms.Hash(alg, context.SignedData());
            if (!CryptographicOperations.FixedTimeEquals(certInfo.ExtraData, expectedExtraData))
            {
                throw new WebAuthnException(Invalid, "TPM certInfo extraData does not match.");
            }

            // 5. attested.name = nameAlg || H_nameAlg(pubArea) (TPM 2.0 Part 1 §16 "Names").
            if (!NameMatches(certInfo.AttestedName, pubAreaBytes))
            {
                throw new WebAuthnException(Invalid, "TPM attested name does not match pubArea.");
            }

            // 6. sig verifies over certInfo with the AIK certificate's key and alg; the AIK certificate meets §8.3.1.
            var aik = x5c[0];
            if (!CoseAlgorithms.VerifyWithCertificate(alg, aik, certInfoBytes, sig))
            {
                throw new WebAuthnException(Invalid, "TPM signature invalid.");
            }

            CheckAikCertificate(aik);
            AttestationCertificates.CheckAaguidExtension(aik, context.Credential.Aaguid);

            // 7. AttCA attestation with trust path x5c.
            return new AttestationStatementResult(AttestationType.AttCA, x5c);
        }
        catch
        {
            AttestationCertificates.Dispose(x5c);
            throw;
        }
    }

    private static bool PubAreaMatches(TpmStructures.PubArea pubArea, CoseKey key)
    {
        if (pubArea.Type == TpmStructures.AlgRsa)
        {
            Span<byte> exponent = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(exponent, pubArea.ExponentOrCurve);
            return key.RsaMatches(pubArea.Unique1, exponent);
        }

        // TPM_ECC_NIST_P256/384/521 = 3/4/5 map to COSE curves 1/2/3.
        var coseCurve = pubArea.ExponentOrCurve switch { 3 => 1, 4 => 2, 5 => 3, _ => -1 };
        return key.EcMatches(coseCurve, pubArea.Unique1, pubArea.Unique2);
    }

    private static bool NameMatches(byte[] name, byte[] pubArea)
    {
        if (name.Length < 2)
        {
            return false;
        }

        var nameAlg = BinaryPrimitives.ReadUInt16BigEndian(name);
        byte[] digest = nameAlg switch
        {
            TpmStructures.AlgSha256 => SHA256.HashData(pubArea),
            TpmStructures.AlgSha384 => SHA384.HashData(pubArea),
            TpmStructures.AlgSha512 => SHA512.HashData(pubArea),
#pragma warning disable CA5350 // Note: TPM names may use SHA-1 where the TPM chose it; this is a binding check, not a signature.
            TpmStructures.AlgSha1 => SHA1.HashData(pubArea),
#pragma warning restore CA5350
            _ => [],
        };
        return digest.Length > 0 && name.AsSpan(2).SequenceEqual(digest);
    }

    // §8.3.1 TPM attestation statement certificate requirements.
    private static void CheckAikCertificate(X509Certificate2 aik)
    {
        if (aik.Version != 3 || aik.SubjectName.RawData.Length != 2)
        {
            throw new WebAuthnException(Invalid, "AIK certificate must be version 3 with an empty subject.");
        }

        var san = aik.Extensions[SubjectAltNameOid];
        if (san is null || !ContainsOid(san.RawData, TpmManufacturerOid))
        {
            throw new WebAuthnException(Invalid, "AIK certificate lacks the TPM subject alternative name.");
        }

        var eku = aik.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (eku is null || !eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == AikCertificateEku))
        {
            throw new WebAuthnException(Invalid, "AIK certificate lacks the tcg-kp-AIKCertificate EKU.");
        }

        if (AttestationCertificates.IsCa(aik))
        {
            throw new WebAuthnException(Invalid, "AIK certificate must not be a CA.");
        }
    }

    private static bool ContainsOid(byte[] der, string oid)
    {
        // Note: the directoryName holds TPM manufacturer, model and version attributes; presence of the
        // manufacturer attribute (DER-encoded OID) is what we require, not a vendor list.
        var encoded = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        encoded.WriteObjectIdentifier(oid);
        return der.AsSpan().IndexOf(encoded.Encode()) >= 0;
    }
}
