namespace SignatureService.WebAuthn.Authentication;

/// <summary>The credential record the RP stored at registration (W3C WebAuthn L3 §4 "credential record").</summary>
/// <param name="CredentialId">The credential ID.</param>
/// <param name="PublicKey">The COSE_Key bytes from <see cref="Registration.RegistrationResult.PublicKey"/>.</param>
/// <param name="SignCount">The last stored signature counter.</param>
/// <param name="UserHandle">The user handle (at most 64 bytes) the credential was created for.</param>
/// <param name="BackupEligible">The BE flag recorded at registration.</param>
public sealed record StoredCredential(
    ReadOnlyMemory<byte> CredentialId,
    ReadOnlyMemory<byte> PublicKey,
    uint SignCount,
    ReadOnlyMemory<byte> UserHandle,
    bool BackupEligible);
