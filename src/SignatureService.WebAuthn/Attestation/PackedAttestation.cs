using SignatureService.WebAuthn.Cose;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Attestation;

/// <summary>Format <c>packed</c> (W3C WebAuthn L3 §8.2): full (x5c) or self attestation.</summary>
internal static class PackedAttestation
{
    private const string Invalid = WebAuthnErrorCodes.AttestationInvalid;

    public static AttestationStatementResult Verify(AttestationContext context)
    {
        // 1. attStmt is CBOR of the defined syntax: alg (int), sig (bytes), optional x5c.
        var alg = (CoseAlgorithm)context.Statement.GetInteger("alg", Invalid);
        var sig = context.Statement.Get<byte[]>("sig", Invalid);
        var x5c = AttestationCertificates.LoadX5c(context.Statement, required: false);
        try
        {
            var signed = context.SignedData();
            if (x5c.Count > 0)
            {
                // 2. x5c present: sig verifies over authenticatorData || clientDataHash with attestnCert's key and alg.
                var leaf = x5c[0];
                if (!CoseAlgorithms.VerifyWithCertificate(alg, leaf, signed, sig))
                {
                    throw new WebAuthnException(Invalid, "Packed attestation signature invalid.");
                }

                // 2b. attestnCert meets §8.2.1; 2c. its AAGUID extension, if any, equals the authenticator data's AAGUID.
                CheckCertificateRequirements(leaf);
                AttestationCertificates.CheckAaguidExtension(leaf, context.Credential.Aaguid);
                return new AttestationStatementResult(AttestationType.Basic, x5c);
            }

            // 3. Self attestation: alg equals the credential key's alg and sig verifies with the credential key.
            if (alg != context.Credential.CredentialPublicKey.Algorithm
                || !context.Credential.CredentialPublicKey.VerifySignature(signed, sig))
            {
                throw new WebAuthnException(Invalid, "Packed self attestation signature invalid.");
            }

            return new AttestationStatementResult(AttestationType.Self, []);
        }
        catch
        {
            AttestationCertificates.Dispose(x5c);
            throw;
        }
    }

    // §8.2.1 packed attestation statement certificate requirements.
    private static void CheckCertificateRequirements(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var country = AttestationCertificates.SubjectAttribute(certificate, "2.5.4.6");
        var organization = AttestationCertificates.SubjectAttribute(certificate, "2.5.4.10");
        var unit = AttestationCertificates.SubjectAttribute(certificate, "2.5.4.11");
        var commonName = AttestationCertificates.SubjectAttribute(certificate, "2.5.4.3");
        if (certificate.Version != 3
            || country is not { Length: 2 }
            || string.IsNullOrEmpty(organization)
            || !string.Equals(unit, "Authenticator Attestation", StringComparison.Ordinal)
            || string.IsNullOrEmpty(commonName))
        {
            throw new WebAuthnException(Invalid, "Packed attestation certificate subject or version does not meet §8.2.1.");
        }

        if (AttestationCertificates.IsCa(certificate))
        {
            throw new WebAuthnException(Invalid, "Packed attestation certificate must not be a CA (§8.2.1).");
        }
    }
}
