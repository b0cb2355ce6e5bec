namespace SignatureService.WebAuthn.Attestation;

/// <summary>Attestation types (W3C WebAuthn L3 §6.5.4).</summary>
public enum AttestationType
{
    /// <summary>No attestation (format <c>none</c>).</summary>
    None = 0,

    /// <summary>Self attestation: signed by the credential private key itself.</summary>
    Self,

    /// <summary>Basic (or AttCA, indistinguishable to the RP): signed by an attestation key certified by the vendor.</summary>
    Basic,

    /// <summary>Attestation CA: e.g. a TPM AIK certified by a privacy CA.</summary>
    AttCA,

    /// <summary>Anonymization CA: a per-credential certificate from the vendor's CA (e.g. <c>apple</c>).</summary>
    AnonCA,
}
