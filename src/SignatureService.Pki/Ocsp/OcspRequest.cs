using System.Security.Cryptography;

namespace SignatureService.Pki.Ocsp;

/// <summary>One CertID of an OCSP request (RFC 6960 §4.1.1).</summary>
/// <param name="HashAlgorithm">Hash used for the issuer name and key hashes (SHA-1, SHA-256, SHA-384 or SHA-512).</param>
/// <param name="IssuerNameHash">Hash of the issuer's DER-encoded subject name.</param>
/// <param name="IssuerKeyHash">Hash of the issuer's subjectPublicKey BIT STRING value.</param>
/// <param name="SerialNumber">The certificate serial number, big-endian two's complement as encoded.</param>
/// <param name="Encoded">The CertID exactly as received, echoed in the response.</param>
public sealed record OcspCertId(
    HashAlgorithmName HashAlgorithm,
    ReadOnlyMemory<byte> IssuerNameHash,
    ReadOnlyMemory<byte> IssuerKeyHash,
    ReadOnlyMemory<byte> SerialNumber,
    ReadOnlyMemory<byte> Encoded);

/// <summary>A parsed OCSPRequest (RFC 6960 §4.1.1). Any request signature is ignored (not required by this responder).</summary>
/// <param name="CertIds">The requested certificates, 1..<see cref="OcspRequestParser.MaxCertIds"/>.</param>
/// <param name="Nonce">The extnValue of the id-pkix-ocsp-nonce extension (RFC 8954), echoed verbatim; <see langword="null"/> when absent.</param>
public sealed record OcspRequest(IReadOnlyList<OcspCertId> CertIds, ReadOnlyMemory<byte>? Nonce);
