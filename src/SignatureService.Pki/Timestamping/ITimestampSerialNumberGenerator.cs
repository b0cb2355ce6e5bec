using System.Numerics;
using SignatureService.Pki.Certificates;

namespace SignatureService.Pki.Timestamping;

/// <summary>Produces unique, positive TSTInfo serial numbers (RFC 3161 §2.4.2). Implementations must be thread-safe.</summary>
public interface ITimestampSerialNumberGenerator
{
    /// <summary>The next serial: positive, at most 160 bits, never repeated for this TSA.</summary>
    /// <returns>The serial number.</returns>
    BigInteger NextSerialNumber();
}

/// <summary>Serial numbers of 127 random bits: unique with overwhelming probability without shared state.</summary>
public sealed class RandomTimestampSerialNumberGenerator : ITimestampSerialNumberGenerator
{
    /// <inheritdoc/>
    public BigInteger NextSerialNumber() => new(HpkiCertificateBuilder.NewSerialNumber(), isUnsigned: true, isBigEndian: true);
}
