using SignatureService.WebAuthn.Attestation;
using SignatureService.WebAuthn.Authenticator;
using SignatureService.WebAuthn.Cose;
using SignatureService.WebAuthn.Trust;

namespace SignatureService.WebAuthn.Registration;

/// <summary>A verified registration: what the RP stores as the credential record (W3C WebAuthn L3 §7.1 step 27).</summary>
/// <param name="CredentialId">The credential ID (1 to 1023 bytes); the RP must check it is not yet registered (step 26).</param>
/// <param name="PublicKey">The credential public key as COSE_Key bytes; pass back as <see cref="Authentication.StoredCredential.PublicKey"/>.</param>
/// <param name="Algorithm">The credential's COSE algorithm.</param>
/// <param name="SignCount">The initial signature counter.</param>
/// <param name="Aaguid">The authenticator model.</param>
/// <param name="Flags">The authenticator data flags (UV, BE, BS...).</param>
/// <param name="AttestationFormat">The attestation statement format, e.g. <c>packed</c>.</param>
/// <param name="AttestationType">The attestation type.</param>
/// <param name="AttestationTrustPath">The attestation certificates (DER, leaf first) for the audit record.</param>
/// <param name="Trust">The trust decision.</param>
public sealed record RegistrationResult(
    ReadOnlyMemory<byte> CredentialId,
    ReadOnlyMemory<byte> PublicKey,
    CoseAlgorithm Algorithm,
    uint SignCount,
    Guid Aaguid,
    AuthenticatorFlags Flags,
    string AttestationFormat,
    AttestationType AttestationType,
    IReadOnlyList<ReadOnlyMemory<byte>> AttestationTrustPath,
    AttestationTrust Trust)
{
    /// <summary>Whether UV was set.</summary>
    public bool UserVerified => Flags.HasFlag(AuthenticatorFlags.UserVerified);

    /// <summary>Whether BE was set (store it: it must never change, §7.2 step 19).</summary>
    public bool BackupEligible => Flags.HasFlag(AuthenticatorFlags.BackupEligible);

    /// <summary>Whether BS was set.</summary>
    public bool BackupState => Flags.HasFlag(AuthenticatorFlags.BackupState);
}
