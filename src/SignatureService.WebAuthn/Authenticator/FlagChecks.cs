using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Authenticator;

/// <summary>Flag checks shared by §7.1 steps 14-18 and §7.2 steps 16-18 of W3C WebAuthn L3.</summary>
internal static class FlagChecks
{
    public static void Verify(AuthenticatorFlags flags, WebAuthnOptions options)
    {
        // UP must be set.
        if (!flags.HasFlag(AuthenticatorFlags.UserPresent))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.UserNotPresent, "User not present.");
        }

        // UV must be set when user verification is required (our policy: always).
        if (options.RequireUserVerification && !flags.HasFlag(AuthenticatorFlags.UserVerified))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.UserNotVerified, "User not verified.");
        }

        // BS without BE is invalid.
        if (flags.HasFlag(AuthenticatorFlags.BackupState) && !flags.HasFlag(AuthenticatorFlags.BackupEligible))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.InvalidBackupState, "Backup state set without backup eligibility.");
        }

        // Policy on BE: synced (backup-eligible) credentials are not hardware-bound, so not AAL3.
        if (options.RefuseBackupEligible && flags.HasFlag(AuthenticatorFlags.BackupEligible))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.BackupEligible, "Backup-eligible credentials are refused.");
        }
    }
}
