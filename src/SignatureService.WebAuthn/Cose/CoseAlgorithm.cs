namespace SignatureService.WebAuthn.Cose;

/// <summary>COSE algorithm identifiers (IANA "COSE Algorithms" registry) that this library recognises.</summary>
#pragma warning disable CA1008 // Note: COSE has no zero algorithm; values are the registry's.
public enum CoseAlgorithm
{
    /// <summary>ECDSA with SHA-256 on P-256 (RFC 9053 §2.1).</summary>
    ES256 = -7,

    /// <summary>EdDSA (RFC 9053 §2.2); with an OKP key on curve Ed25519 (or Ed448, unsupported).</summary>
    EdDSA = -8,

    /// <summary>ECDSA with SHA-384 on P-384.</summary>
    ES384 = -35,

    /// <summary>ECDSA with SHA-512 on P-521.</summary>
    ES512 = -36,

    /// <summary>RSASSA-PSS with SHA-256 (RFC 8230).</summary>
    PS256 = -37,

    /// <summary>RSASSA-PSS with SHA-384.</summary>
    PS384 = -38,

    /// <summary>RSASSA-PSS with SHA-512.</summary>
    PS512 = -39,

    /// <summary>Ed448 (fully specified, draft-ietf-jose-fully-specified-algorithms); recognised, not implemented.</summary>
    Ed448 = -53,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8812).</summary>
    RS256 = -257,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-384.</summary>
    RS384 = -258,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-512.</summary>
    RS512 = -259,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-1; only for legacy TPM attestation statements, never for credentials by default.</summary>
    RS1 = -65535,
}
#pragma warning restore CA1008
