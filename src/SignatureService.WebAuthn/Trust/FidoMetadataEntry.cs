using System.Security.Cryptography.X509Certificates;

namespace SignatureService.WebAuthn.Trust;

/// <summary>One FIDO2 authenticator entry of a metadata BLOB (FIDO Metadata Service v3 §3.1.1, metadata statement §4).</summary>
/// <param name="Aaguid">The model's AAGUID.</param>
/// <param name="Description">The metadata statement's description.</param>
/// <param name="AttestationRoots">attestationRootCertificates (DER), owned by the BLOB.</param>
/// <param name="KeyProtection">keyProtection values, e.g. <c>hardware</c>, <c>secure_element</c>, <c>software</c>.</param>
/// <param name="Statuses">The <c>status</c> of every status report, in BLOB order.</param>
public sealed record FidoMetadataEntry(
    Guid Aaguid,
    string Description,
    IReadOnlyList<X509Certificate2> AttestationRoots,
    IReadOnlyList<string> KeyProtection,
    IReadOnlyList<string> Statuses)
{
    /// <summary>Statuses (FIDO MDS v3 §3.1.4 AuthenticatorStatus) that make an authenticator unacceptable.</summary>
    public static IReadOnlyList<string> RefusedStatuses { get; } =
    [
        "REVOKED", "USER_VERIFICATION_BYPASS", "ATTESTATION_KEY_COMPROMISE", "USER_KEY_REMOTE_COMPROMISE", "USER_KEY_PHYSICAL_COMPROMISE",
    ];

    /// <summary>
    /// Whether any status report carries a refused status. Note: any report counts, not only the latest, because a later
    /// certification does not tell which deployed units are fixed.
    /// </summary>
    public bool IsRefused => Statuses.Any(s => RefusedStatuses.Contains(s, StringComparer.Ordinal));

    /// <summary>Whether keyProtection shows a hardware-bound key (hardware, TEE or secure element) and not software.</summary>
    public bool IsHardwareBound
        => KeyProtection.Any(k => k is "hardware" or "tee" or "secure_element") && !KeyProtection.Contains("software", StringComparer.Ordinal);
}
