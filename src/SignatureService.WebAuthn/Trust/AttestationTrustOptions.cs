using SignatureService.WebAuthn.Attestation;

namespace SignatureService.WebAuthn.Trust;

/// <summary>
/// The attestation trust policy. The default is the AAL3 policy: a verified attestation statement (not <c>none</c>,
/// not self) whose certificate chains to a root for a known, hardware-bound AAGUID from the allow-list or the MDS BLOB.
/// Relying parties must request <c>attestation: "direct"</c> (<see cref="RequiredAttestationConveyance"/>).
/// </summary>
public sealed class AttestationTrustOptions
{
    /// <summary>The <c>attestation</c> conveyance preference to put into creation options under this policy.</summary>
    public const string RequiredAttestationConveyance = "direct";

    /// <summary>
    /// Whether untrusted attestation is refused (default <c>true</c>, AAL3). When <c>false</c>, registrations with
    /// <c>none</c>, self or unverifiable attestation succeed but report <c>IsTrusted = false</c> and the reason code.
    /// </summary>
    public bool RequireTrustedAttestation { get; set; } = true;

    /// <summary>Operator-vetted authenticator models, consulted before the metadata BLOB.</summary>
    public IList<TrustedAuthenticator> AllowList { get; } = [];

    /// <summary>
    /// The current verified metadata BLOB, or <c>null</c>. Replace the reference atomically when a newer BLOB is
    /// fetched and verified; readers see either the old or the new one.
    /// </summary>
    public FidoMetadataBlob? Metadata { get; set; }

    /// <summary>Which Android authorization lists the <c>android-key</c> format checks (default: TEE-enforced only).</summary>
    public AndroidKeyAuthorizationCheck AndroidKeyCheck { get; set; } = AndroidKeyAuthorizationCheck.TeeEnforced;
}
