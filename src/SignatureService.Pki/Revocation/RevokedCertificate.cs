namespace SignatureService.Pki.Revocation;

/// <summary>One revokedCertificates entry of a CRL (RFC 5280 §5.1.2.6, §5.3).</summary>
/// <param name="SerialNumber">The certificate serial number, big-endian two's complement as in the certificate (1..20 bytes, minimal).</param>
/// <param name="RevocationTime">When the CA revoked (or suspended) the certificate; whole seconds are encoded.</param>
/// <param name="Reason">The reason; <see cref="RevocationReason.Unspecified"/> omits the reasonCode extension.</param>
/// <param name="InvalidityDate">When the key is known or suspected to have been compromised (RFC 5280 §5.3.2), if known.</param>
public sealed record RevokedCertificate(
    ReadOnlyMemory<byte> SerialNumber,
    DateTimeOffset RevocationTime,
    RevocationReason Reason = RevocationReason.Unspecified,
    DateTimeOffset? InvalidityDate = null);
