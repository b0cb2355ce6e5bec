namespace SignatureService.Hsm;

/// <summary>
/// Stable, machine-readable reasons for an <see cref="HsmException"/>. Callers branch on these, never on message text.
/// </summary>
public enum HsmErrorCode
{
    /// <summary>The <see cref="HsmOptions"/> are incomplete or inconsistent; the message names each setting.</summary>
    InvalidOptions = 1,

    /// <summary>The PKCS#11 module at <see cref="HsmOptions.ModulePath"/> cannot be loaded or is not a Cryptoki module.</summary>
    ModuleNotLoadable = 2,

    /// <summary>No initialised token with <see cref="HsmOptions.TokenLabel"/> is present in any slot.</summary>
    TokenNotFound = 3,

    /// <summary>The user PIN cannot be read from <see cref="HsmOptions.PinFile"/> or <see cref="HsmOptions.PinEnvironmentVariable"/>.</summary>
    PinUnavailable = 4,

    /// <summary>A PKCS#11 function returned an error; see <see cref="Pkcs11Exception.ReturnValue"/>.</summary>
    Pkcs11Failure = 5,

    /// <summary>The HSM, token or session was lost and one re-open and retry did not help; see <see cref="HsmUnavailableException"/>.</summary>
    Unavailable = 6,

    /// <summary>A key with the requested CKA_ID already exists on the token.</summary>
    KeyIdInUse = 7,

    /// <summary>The key object was found but is incomplete (no public key) or of an algorithm this service does not use.</summary>
    UnsupportedKey = 8,

    /// <summary>The requested mechanism does not fit the key's algorithm (e.g. ECDSA with an RSA key).</summary>
    MechanismMismatch = 9,

    /// <summary>An argument (key id, label, hash length, data size) is outside its documented bounds.</summary>
    InvalidInput = 10,

    /// <summary>The key was destroyed on the token after this <see cref="HsmKey"/> was obtained.</summary>
    KeyNotFound = 11,
}
