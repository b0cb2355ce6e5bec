using System.Formats.Asn1;
using System.Security.Cryptography;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Attestation;

/// <summary>W3C WebAuthn L3 §7.1 steps 21-22: pick the format verifier by exact, case-sensitive <c>fmt</c> and run it.</summary>
internal static class AttestationStatementVerifier
{
    /// <summary>The supported attestation statement format identifiers (WebAuthn registry, RFC 8809).</summary>
    public static IReadOnlyList<string> SupportedFormats { get; } = ["packed", "tpm", "android-key", "fido-u2f", "apple", "none"];

    public static AttestationStatementResult Verify(string format, AttestationContext context)
    {
        try
        {
            return VerifyFormat(format, context);
        }
        catch (CryptographicException ex)
        {
            // Note: X509Certificate2 decodes extensions, names and keys lazily, so a corrupt certificate surfaces here.
            throw WebAuthnException.Malformed("Attestation certificate content is malformed.", ex);
        }
        catch (AsnContentException ex)
        {
            throw WebAuthnException.Malformed("Attestation ASN.1 content is malformed.", ex);
        }
    }

    private static AttestationStatementResult VerifyFormat(string format, AttestationContext context) => format switch
    {
        "packed" => PackedAttestation.Verify(context),
        "tpm" => TpmAttestation.Verify(context),
        "android-key" => AndroidKeyAttestation.Verify(context),
        "fido-u2f" => FidoU2fAttestation.Verify(context),
        "apple" => AppleAttestation.Verify(context),
        "none" => NoneAttestation.Verify(context),
        _ => throw new WebAuthnException(WebAuthnErrorCodes.AttestationFormatUnsupported, "Attestation format not supported."),
    };
}
