using SignatureService.WebAuthn.Cose;

namespace SignatureService.WebAuthn.Registration;

/// <summary>The inputs of one registration ceremony, as the browser sent them plus the state the RP stored.</summary>
/// <param name="ClientDataJson">response.clientDataJSON bytes (at most 16 KiB).</param>
/// <param name="AttestationObject">response.attestationObject bytes (at most 64 KiB).</param>
/// <param name="ExpectedChallenge">The challenge the RP issued for this ceremony (from its own store, single use).</param>
/// <param name="OfferedAlgorithms">The pubKeyCredParams algorithms offered; <c>null</c> means <see cref="WebAuthnOptions.AllowedAlgorithms"/>.</param>
public sealed record RegistrationRequest(
    ReadOnlyMemory<byte> ClientDataJson,
    ReadOnlyMemory<byte> AttestationObject,
    ReadOnlyMemory<byte> ExpectedChallenge,
    IReadOnlyList<CoseAlgorithm>? OfferedAlgorithms = null);
