namespace SignatureService.WebAuthn;

/// <summary>Hard size limits applied to untrusted input before any parsing (bytes unless stated).</summary>
public static class WebAuthnLimits
{
    /// <summary>Largest accepted attestation object: 64 KiB.</summary>
    public const int MaxAttestationObjectLength = 64 * 1024;

    /// <summary>Largest accepted authenticator data (assertions, or inside an attestation object): 64 KiB.</summary>
    public const int MaxAuthenticatorDataLength = 64 * 1024;

    /// <summary>Largest accepted clientDataJSON: 16 KiB.</summary>
    public const int MaxClientDataJsonLength = 16 * 1024;

    /// <summary>Largest accepted signature: 2 KiB (enough for RSA-8192 and DER ECDSA).</summary>
    public const int MaxSignatureLength = 2048;

    /// <summary>Longest credential ID: 1023 bytes, inclusive (W3C WebAuthn L3 §7.1 step 25).</summary>
    public const int MaxCredentialIdLength = 1023;

    /// <summary>Longest user handle: 64 bytes, inclusive (W3C WebAuthn L3 §5.4.3).</summary>
    public const int MaxUserHandleLength = 64;

    /// <summary>Largest number of certificates in an x5c array.</summary>
    public const int MaxCertificateChainLength = 8;
}
