namespace SignatureService.WebAuthn.Authentication;

/// <summary>The inputs of one authentication ceremony, as the browser sent them plus the RP's stored challenge.</summary>
/// <param name="CredentialId">The credential's rawId as returned by the browser.</param>
/// <param name="ClientDataJson">response.clientDataJSON (at most 16 KiB).</param>
/// <param name="AuthenticatorData">response.authenticatorData (at most 64 KiB).</param>
/// <param name="Signature">response.signature (at most 2 KiB).</param>
/// <param name="UserHandle">response.userHandle, or empty when the browser returned null.</param>
/// <param name="ExpectedChallenge">The challenge the RP issued for this ceremony (for signing: the SAD hash).</param>
/// <param name="UserIdentifiedBeforehand">Whether the RP identified the user before the ceremony (allowCredentials listed
/// that user's credentials). When <c>false</c> (discoverable-credential login) the user handle is required (§7.2 step 6).</param>
public sealed record AssertionRequest(
    ReadOnlyMemory<byte> CredentialId,
    ReadOnlyMemory<byte> ClientDataJson,
    ReadOnlyMemory<byte> AuthenticatorData,
    ReadOnlyMemory<byte> Signature,
    ReadOnlyMemory<byte> UserHandle,
    ReadOnlyMemory<byte> ExpectedChallenge,
    bool UserIdentifiedBeforehand = true);
