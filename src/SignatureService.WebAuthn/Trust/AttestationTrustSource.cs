namespace SignatureService.WebAuthn.Trust;

/// <summary>Where the trust decision for an attestation came from.</summary>
public enum AttestationTrustSource
{
    /// <summary>Not trusted (only possible when the policy does not require trusted attestation).</summary>
    None = 0,

    /// <summary>The configured allow-list of AAGUIDs and roots.</summary>
    AllowList,

    /// <summary>A verified FIDO Metadata Service v3 BLOB.</summary>
    MetadataService,
}
