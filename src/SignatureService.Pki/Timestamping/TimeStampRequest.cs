using System.Numerics;
using System.Security.Cryptography;

namespace SignatureService.Pki.Timestamping;

/// <summary>A parsed RFC 3161 TimeStampReq (§2.4.1).</summary>
/// <param name="HashAlgorithm">messageImprint hash (SHA-256, SHA-384 or SHA-512).</param>
/// <param name="HashedMessage">messageImprint hashedMessage, of the algorithm's length.</param>
/// <param name="EncodedMessageImprint">The MessageImprint exactly as received, echoed in TSTInfo.</param>
/// <param name="RequestedPolicy">reqPolicy OID, or <see langword="null"/>.</param>
/// <param name="Nonce">nonce, or <see langword="null"/>; at most 64 bytes encoded.</param>
/// <param name="CertificateRequested">certReq: include the TSA certificate in the token.</param>
public sealed record TimeStampRequest(
    HashAlgorithmName HashAlgorithm,
    ReadOnlyMemory<byte> HashedMessage,
    ReadOnlyMemory<byte> EncodedMessageImprint,
    string? RequestedPolicy,
    BigInteger? Nonce,
    bool CertificateRequested);
