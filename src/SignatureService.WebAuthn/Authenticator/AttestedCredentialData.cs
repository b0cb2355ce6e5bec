using SignatureService.WebAuthn.Cose;

namespace SignatureService.WebAuthn.Authenticator;

/// <summary>Attested credential data (W3C WebAuthn L3 §6.5.1). Immutable.</summary>
/// <param name="Aaguid">The authenticator model's AAGUID (16 bytes, read big-endian as a <see cref="Guid"/>).</param>
/// <param name="CredentialId">The credential ID (1 to 1023 bytes).</param>
/// <param name="CredentialPublicKey">The credential public key.</param>
public sealed record AttestedCredentialData(Guid Aaguid, ReadOnlyMemory<byte> CredentialId, CoseKey CredentialPublicKey);
