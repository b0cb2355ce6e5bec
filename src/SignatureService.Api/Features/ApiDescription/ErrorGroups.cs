using SignatureService.Core.Errors;

namespace SignatureService.Api.Features.ApiDescription;

/// <summary>Catalogue errors that several endpoints share, for <see cref="ProblemResponses.ProducesErrors{TBuilder}"/>.</summary>
public static class ErrorGroups
{
    /// <summary>The client data and authenticator data checks every WebAuthn ceremony makes (W3C WebAuthn L3 §7.1/§7.2).</summary>
    public static IReadOnlyList<ErrorDescriptor> WebAuthnCommon { get; } =
    [
        ErrorCatalogue.WebAuthnMalformed, ErrorCatalogue.WebAuthnTypeMismatch, ErrorCatalogue.WebAuthnChallengeMismatch,
        ErrorCatalogue.WebAuthnOriginNotAllowed, ErrorCatalogue.WebAuthnCrossOriginNotAllowed, ErrorCatalogue.WebAuthnRpIdHashMismatch,
        ErrorCatalogue.WebAuthnUserNotPresent, ErrorCatalogue.WebAuthnUserNotVerified, ErrorCatalogue.WebAuthnBackupEligible,
        ErrorCatalogue.WebAuthnInvalidBackupState, ErrorCatalogue.ChallengeUnknown, ErrorCatalogue.ChallengeConsumed,
        ErrorCatalogue.ChallengeExpired,
    ];

    /// <summary>A registration ceremony: the common checks plus attestation against the AAL3 trust policy (§7.1 steps 19–24).</summary>
    public static IReadOnlyList<ErrorDescriptor> WebAuthnRegistration { get; } =
    [
        .. WebAuthnCommon,
        ErrorCatalogue.WebAuthnAlgorithmNotAllowed, ErrorCatalogue.WebAuthnAlgorithmUnsupported, ErrorCatalogue.WebAuthnCredentialIdTooLong,
        ErrorCatalogue.WebAuthnAttestationInvalid, ErrorCatalogue.WebAuthnAttestationFormatUnsupported,
        ErrorCatalogue.WebAuthnAttestationUntrusted, ErrorCatalogue.WebAuthnAttestationNoneRefused,
        ErrorCatalogue.WebAuthnSelfAttestationRefused, ErrorCatalogue.WebAuthnUnknownAaguid, ErrorCatalogue.WebAuthnAuthenticatorRevoked,
        ErrorCatalogue.WebAuthnAuthenticatorNotHardwareBound, ErrorCatalogue.WebAuthnMetadataStale, ErrorCatalogue.WebAuthnMetadataInvalid,
        ErrorCatalogue.CredentialAlreadyRegistered, ErrorCatalogue.ValidationFailed,
    ];

    /// <summary>An authentication ceremony: the common checks plus the stored credential's signature and counter (§7.2).</summary>
    public static IReadOnlyList<ErrorDescriptor> WebAuthnAssertion { get; } =
    [
        .. WebAuthnCommon,
        ErrorCatalogue.WebAuthnSignatureInvalid, ErrorCatalogue.WebAuthnCredentialMismatch, ErrorCatalogue.WebAuthnUserHandleMismatch,
        ErrorCatalogue.WebAuthnSignCountRegressed, ErrorCatalogue.CredentialNotUsable, ErrorCatalogue.ValidationFailed,
    ];
}
