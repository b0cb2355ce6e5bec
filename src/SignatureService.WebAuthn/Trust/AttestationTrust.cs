namespace SignatureService.WebAuthn.Trust;

/// <summary>The trust decision for a registration's attestation.</summary>
/// <param name="IsTrusted">Whether the statement chains to a trusted root of a known, acceptable authenticator.</param>
/// <param name="Source">Where the decision came from.</param>
/// <param name="AuthenticatorDescription">The model description from the allow-list or metadata, if known.</param>
/// <param name="FailureCode">When not trusted, the <see cref="Errors.WebAuthnErrorCodes"/> code that explains why.</param>
public sealed record AttestationTrust(bool IsTrusted, AttestationTrustSource Source, string? AuthenticatorDescription, string? FailureCode);
