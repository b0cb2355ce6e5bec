using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.WebAuthn.Cose;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Attestation;

/// <summary>Format <c>fido-u2f</c> (W3C WebAuthn L3 §8.6).</summary>
internal static class FidoU2fAttestation
{
    private const string Invalid = WebAuthnErrorCodes.AttestationInvalid;

    public static AttestationStatementResult Verify(AttestationContext context)
    {
        // 1. attStmt: sig (bytes) and x5c with exactly one certificate.
        var sig = context.Statement.Get<byte[]>("sig", Invalid);
        var x5c = AttestationCertificates.LoadX5c(context.Statement, required: true);
        try
        {
            // 2. The attestation certificate's key is an EC key on P-256.
            if (x5c.Count != 1)
            {
                throw new WebAuthnException(Invalid, "fido-u2f needs exactly one certificate.");
            }

            using (var certKey = x5c[0].GetECDsaPublicKey())
            {
                if (certKey is null || certKey.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
                {
                    throw new WebAuthnException(Invalid, "fido-u2f certificate key is not P-256.");
                }
            }

            // 3-4. rpIdHash, credentialId, and the credential key as an uncompressed P-256 point (publicKeyU2F).
            var key = context.Credential.CredentialPublicKey;
            if (key.KeyType != CoseKeyType.EC2 || key.Curve != 1)
            {
                throw new WebAuthnException(Invalid, "fido-u2f credential key is not P-256.");
            }

            // 5. verificationData = 0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F.
            byte[] verificationData =
            [
                0x00, .. context.AuthenticatorData.RpIdHash.Span, .. context.ClientDataHash,
                .. context.Credential.CredentialId.Span, .. key.ToUncompressedPoint(),
            ];

            // 6. sig verifies with the certificate key (ECDSA P-256, SHA-256).
            if (!CoseAlgorithms.VerifyWithCertificate(CoseAlgorithm.ES256, x5c[0], verificationData, sig))
            {
                throw new WebAuthnException(Invalid, "fido-u2f signature invalid.");
            }

            // 7-8. Basic or AttCA attestation with trust path x5c.
            return new AttestationStatementResult(AttestationType.Basic, x5c);
        }
        catch
        {
            AttestationCertificates.Dispose(x5c);
            throw;
        }
    }
}
