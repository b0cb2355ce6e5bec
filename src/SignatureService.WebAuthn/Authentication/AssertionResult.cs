using SignatureService.WebAuthn.Authenticator;

namespace SignatureService.WebAuthn.Authentication;

/// <summary>A verified assertion (W3C WebAuthn L3 §7.2 step 25: what to update in the credential record).</summary>
/// <param name="CredentialId">The credential that signed.</param>
/// <param name="SignCount">The new signature counter to store.</param>
/// <param name="Flags">The authenticator data flags.</param>
public sealed record AssertionResult(ReadOnlyMemory<byte> CredentialId, uint SignCount, AuthenticatorFlags Flags)
{
    /// <summary>Whether UV was set (always true under the default policy).</summary>
    public bool UserVerified => Flags.HasFlag(AuthenticatorFlags.UserVerified);

    /// <summary>The current BS flag (store it).</summary>
    public bool BackupState => Flags.HasFlag(AuthenticatorFlags.BackupState);
}
