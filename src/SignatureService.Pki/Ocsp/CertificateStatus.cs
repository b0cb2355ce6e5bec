using SignatureService.Pki.Revocation;

namespace SignatureService.Pki.Ocsp;

/// <summary>The three OCSP answers (RFC 6960 §2.2).</summary>
public enum CertificateStatusKind
{
    /// <summary>Not revoked (the serial was issued by this CA and is not on hold or revoked).</summary>
    Good = 0,

    /// <summary>Revoked or on hold (certificateHold).</summary>
    Revoked = 1,

    /// <summary>The responder does not know the serial.</summary>
    Unknown = 2,
}

/// <summary>The status of one certificate as known to the CA's store.</summary>
/// <param name="Kind">Good, revoked or unknown.</param>
/// <param name="RevocationTime">When revoked (required for <see cref="CertificateStatusKind.Revoked"/>).</param>
/// <param name="Reason">Why revoked; <see cref="RevocationReason.Unspecified"/> omits the reason.</param>
public sealed record CertificateStatus(
    CertificateStatusKind Kind,
    DateTimeOffset? RevocationTime = null,
    RevocationReason Reason = RevocationReason.Unspecified)
{
    /// <summary>The certificate is good.</summary>
    public static CertificateStatus Good { get; } = new(CertificateStatusKind.Good);

    /// <summary>The serial is unknown.</summary>
    public static CertificateStatus Unknown { get; } = new(CertificateStatusKind.Unknown);

    /// <summary>The certificate was revoked (or suspended with <see cref="RevocationReason.CertificateHold"/>).</summary>
    /// <param name="time">Revocation time.</param>
    /// <param name="reason">Reason code.</param>
    /// <returns>The status.</returns>
    public static CertificateStatus Revoked(DateTimeOffset time, RevocationReason reason = RevocationReason.Unspecified) =>
        new(CertificateStatusKind.Revoked, time, reason);
}
