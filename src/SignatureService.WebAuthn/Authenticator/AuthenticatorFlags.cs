namespace SignatureService.WebAuthn.Authenticator;

/// <summary>The flags byte of authenticator data (W3C WebAuthn L3 §6.1, bit 0 is the least significant).</summary>
[Flags]
#pragma warning disable CA1711 // Note: the name is the spec's.
public enum AuthenticatorFlags : byte
#pragma warning restore CA1711
{
    /// <summary>No flag set.</summary>
    None = 0,

    /// <summary>Bit 0, UP: user present.</summary>
    UserPresent = 0x01,

    /// <summary>Bit 2, UV: user verified.</summary>
    UserVerified = 0x04,

    /// <summary>Bit 3, BE: backup eligible (a multi-device, syncable credential).</summary>
    BackupEligible = 0x08,

    /// <summary>Bit 4, BS: backup state (currently backed up).</summary>
    BackupState = 0x10,

    /// <summary>Bit 6, AT: attested credential data included.</summary>
    AttestedCredentialData = 0x40,

    /// <summary>Bit 7, ED: extension data included.</summary>
    ExtensionData = 0x80,
}
