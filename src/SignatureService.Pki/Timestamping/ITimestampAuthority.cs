using System.Security.Cryptography;

namespace SignatureService.Pki.Timestamping;

/// <summary>
/// "Time-stamp these bytes": obtains an RFC 3161 TimeStampToken over a digest of <c>data</c>. Implemented in process
/// by <see cref="LocalTimestampAuthority"/>; an accredited external TSA (required for statutory documents) can be
/// plugged in behind the same interface. Implementations must be thread-safe.
/// </summary>
public interface ITimestampAuthority
{
    /// <summary>Time-stamps <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to time-stamp (e.g. a canonicalised XAdES SignatureValue); hashed locally, never sent.</param>
    /// <param name="hash">Digest for the message imprint: SHA-256, SHA-384 or SHA-512.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The DER TimeStampToken (a CMS ContentInfo of SignedData over TSTInfo), already validated against the request.</returns>
    /// <exception cref="Errors.PkiException"><see cref="Errors.PkiErrorCodes.TimestampRejected"/> when the TSA refuses or answers badly.</exception>
    Task<byte[]> TimestampAsync(ReadOnlyMemory<byte> data, HashAlgorithmName hash, CancellationToken cancellationToken);
}
