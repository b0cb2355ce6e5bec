using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Attestation;

/// <summary>Format <c>none</c> (W3C WebAuthn L3 §8.7): the statement must be an empty map.</summary>
internal static class NoneAttestation
{
    public static AttestationStatementResult Verify(AttestationContext context)
        => context.Statement.Count == 0
            ? new AttestationStatementResult(AttestationType.None, [])
            : throw new WebAuthnException(WebAuthnErrorCodes.AttestationInvalid, "Format none with a non-empty statement.");
}
