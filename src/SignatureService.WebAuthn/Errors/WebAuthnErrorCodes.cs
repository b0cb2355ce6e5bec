namespace SignatureService.WebAuthn.Errors;

/// <summary>
/// The single catalogue of stable, machine-readable WebAuthn error codes. Codes never change once published;
/// callers (and tests) match on them, never on message text.
/// </summary>
public static class WebAuthnErrorCodes
{
    /// <summary>Undecodable input: bad CBOR, JSON, base64url, ASN.1, truncated or over-long data.</summary>
    public const string Malformed = "webauthn.malformed";

    /// <summary><c>clientDataJSON.type</c> is not the one the ceremony expects.</summary>
    public const string TypeMismatch = "webauthn.type-mismatch";

    /// <summary>The challenge in <c>clientDataJSON</c> differs from the one the relying party issued.</summary>
    public const string ChallengeMismatch = "webauthn.challenge-mismatch";

    /// <summary><c>clientDataJSON.origin</c> is not in the configured allow-list.</summary>
    public const string OriginNotAllowed = "webauthn.origin-not-allowed";

    /// <summary>The ceremony ran in a cross-origin iframe (<c>crossOrigin</c>/<c>topOrigin</c>) and that is not configured.</summary>
    public const string CrossOriginNotAllowed = "webauthn.cross-origin-not-allowed";

    /// <summary>The authenticator data's rpIdHash is not SHA-256 of the configured RP ID.</summary>
    public const string RpIdHashMismatch = "webauthn.rp-id-hash-mismatch";

    /// <summary>The UP (user present) flag is not set.</summary>
    public const string UserNotPresent = "webauthn.user-not-present";

    /// <summary>The UV (user verified) flag is not set although policy requires it.</summary>
    public const string UserNotVerified = "webauthn.user-not-verified";

    /// <summary>The credential is backup eligible (BE=1, a synced passkey), which policy refuses (not AAL3).</summary>
    public const string BackupEligible = "webauthn.backup-eligible";

    /// <summary>BS=1 with BE=0, or the backup eligibility changed since registration.</summary>
    public const string InvalidBackupState = "webauthn.invalid-backup-state";

    /// <summary>The credential's COSE algorithm is not in the offered/allowed list.</summary>
    public const string AlgorithmNotAllowed = "webauthn.algorithm-not-allowed";

    /// <summary>The algorithm or key type is recognised but not implemented (e.g. Ed448).</summary>
    public const string AlgorithmUnsupported = "webauthn.algorithm-unsupported";

    /// <summary>The credential ID is longer than 1023 bytes (W3C WebAuthn L3 §7.1).</summary>
    public const string CredentialIdTooLong = "webauthn.credential-id-too-long";

    /// <summary>The attestation statement failed a format-specific check (signature, certificate requirements, bindings).</summary>
    public const string AttestationInvalid = "webauthn.attestation-invalid";

    /// <summary>The attestation statement format is not supported.</summary>
    public const string AttestationFormatUnsupported = "webauthn.attestation-format-unsupported";

    /// <summary>The attestation certificate chain does not build to a trusted root at the verification time (untrusted, expired, not yet valid).</summary>
    public const string AttestationUntrusted = "webauthn.attestation-untrusted";

    /// <summary>Format <c>none</c> under a policy that requires a verified attestation.</summary>
    public const string AttestationNoneRefused = "webauthn.attestation-none-refused";

    /// <summary>Self attestation under a policy that requires a verified attestation.</summary>
    public const string SelfAttestationRefused = "webauthn.self-attestation-refused";

    /// <summary>The AAGUID is neither in the metadata BLOB nor in the configured allow-list.</summary>
    public const string UnknownAaguid = "webauthn.unknown-aaguid";

    /// <summary>The metadata service reports the authenticator revoked or compromised.</summary>
    public const string AuthenticatorRevoked = "webauthn.authenticator-revoked";

    /// <summary>The metadata statement does not show hardware-bound key protection (AAL3 requires it).</summary>
    public const string AuthenticatorNotHardwareBound = "webauthn.authenticator-not-hardware-bound";

    /// <summary>The metadata BLOB is past its <c>nextUpdate</c> date (UTC), so its statuses can no longer be relied on.</summary>
    public const string MetadataStale = "webauthn.metadata-stale";

    /// <summary>The metadata BLOB's JWS signature or certificate chain is invalid.</summary>
    public const string MetadataInvalid = "webauthn.metadata-invalid";

    /// <summary>The signature counter did not increase: a possible cloned authenticator. Suspend and audit the credential.</summary>
    public const string SignCountRegressed = "webauthn.sign-count-regressed";

    /// <summary>The assertion signature does not verify with the stored credential public key.</summary>
    public const string SignatureInvalid = "webauthn.signature-invalid";

    /// <summary>The assertion's credential ID is not the stored credential's ID.</summary>
    public const string CredentialMismatch = "webauthn.credential-mismatch";

    /// <summary>The assertion's user handle differs from the stored credential's user handle.</summary>
    public const string UserHandleMismatch = "webauthn.user-handle-mismatch";

    /// <summary>Every code in this catalogue, for convention tests and documentation.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Malformed, TypeMismatch, ChallengeMismatch, OriginNotAllowed, CrossOriginNotAllowed, RpIdHashMismatch,
        UserNotPresent, UserNotVerified, BackupEligible, InvalidBackupState, AlgorithmNotAllowed, AlgorithmUnsupported,
        CredentialIdTooLong, AttestationInvalid, AttestationFormatUnsupported, AttestationUntrusted, AttestationNoneRefused,
        SelfAttestationRefused, UnknownAaguid, AuthenticatorRevoked, AuthenticatorNotHardwareBound, MetadataStale,
        MetadataInvalid, SignCountRegressed, SignatureInvalid, CredentialMismatch, UserHandleMismatch,
    ];
}
