using System.Security.Cryptography.X509Certificates;

namespace SignatureService.Pki.Ocsp;

/// <summary>
/// Looks up certificate status for the OCSP responder; implemented by the caller over the CA database.
/// Implementations must be thread-safe.
/// </summary>
public interface ICertificateStatusLookup
{
    /// <summary>Returns the status of the certificate <paramref name="serialNumber"/> issued by <paramref name="issuer"/>.</summary>
    /// <param name="issuer">The CA certificate the CertID matched.</param>
    /// <param name="serialNumber">Serial number, big-endian two's complement as in the certificate (1..20 bytes).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The status.</returns>
    ValueTask<CertificateStatus> GetStatusAsync(X509Certificate2 issuer, ReadOnlyMemory<byte> serialNumber, CancellationToken cancellationToken);
}
