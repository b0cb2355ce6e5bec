using System.Formats.Asn1;
using System.Security.Cryptography;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Attestation;

/// <summary>Format <c>apple</c> (Apple anonymous attestation, W3C WebAuthn L3 §8.8).</summary>
internal static class AppleAttestation
{
    private const string Invalid = WebAuthnErrorCodes.AttestationInvalid;
    private const string NonceExtensionOid = "1.2.840.113635.100.8.2";

    public static AttestationStatementResult Verify(AttestationContext context)
    {
        // 1. attStmt: x5c.
        var x5c = AttestationCertificates.LoadX5c(context.Statement, required: true);
        try
        {
            // 2-3. nonce = SHA-256(authenticatorData || clientDataHash).
            var nonce = SHA256.HashData(context.SignedData());

            // 4. credCert's extension 1.2.840.113635.100.8.2 holds the nonce: SEQUENCE { [1] EXPLICIT OCTET STRING }.
            var extension = x5c[0].Extensions[NonceExtensionOid]
                ?? throw new WebAuthnException(Invalid, "Apple nonce extension missing.");
            if (!CryptographicOperations.FixedTimeEquals(ReadNonce(extension.RawData), nonce))
            {
                throw new WebAuthnException(Invalid, "Apple nonce does not match.");
            }

            // 5. The credential public key equals the subject public key of credCert.
            if (!context.Credential.CredentialPublicKey.MatchesCertificate(x5c[0]))
            {
                throw new WebAuthnException(Invalid, "Apple certificate key is not the credential key.");
            }

            // 6. Anonymization CA with trust path x5c.
            return new AttestationStatementResult(AttestationType.AnonCA, x5c);
        }
        catch
        {
            AttestationCertificates.Dispose(x5c);
            throw;
        }
    }

    private static byte[] ReadNonce(byte[] der)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var tagged = sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1));
            sequence.ThrowIfNotEmpty();
            var nonce = tagged.ReadOctetString();
            tagged.ThrowIfNotEmpty();
            return nonce;
        }
        catch (AsnContentException ex)
        {
            throw new WebAuthnException(Invalid, "Apple nonce extension is not DER.", ex);
        }
    }
}
