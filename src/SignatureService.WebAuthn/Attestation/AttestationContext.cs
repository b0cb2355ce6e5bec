using SignatureService.WebAuthn.Authenticator;
using SignatureService.WebAuthn.Parsing;

namespace SignatureService.WebAuthn.Attestation;

/// <summary>What an attestation statement format verifier sees (W3C WebAuthn L3 §6.5.2 verification procedure inputs).</summary>
internal sealed record AttestationContext(
    CborMap Statement,
    AuthenticatorData AuthenticatorData,
    AttestedCredentialData Credential,
    byte[] ClientDataHash,
    AndroidKeyAuthorizationCheck AndroidKeyCheck)
{
    /// <summary>attToBeSigned = authenticatorData || clientDataHash.</summary>
    public byte[] SignedData() => [.. AuthenticatorData.Raw.Span, .. ClientDataHash];
}
