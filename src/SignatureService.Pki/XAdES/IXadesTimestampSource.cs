namespace SignatureService.Pki.XAdES;

/// <summary>
/// Obtains RFC 3161 timestamps for XAdES/CAdES upgrades. The integrator wires it to an accredited TSA.
/// </summary>
public interface IXadesTimestampSource
{
    /// <summary>
    /// Returns a DER-encoded RFC 3161 TimeStampToken (a CMS ContentInfo) whose message imprint is SHA-256 over
    /// <paramref name="data"/>. Implementations send only the hash to the TSA and verify the token's signature and its
    /// signing-certificate binding (as <see cref="Timestamping.TimestampClient.ValidateResponse"/> does). The caller checks
    /// only the imprint, without verifying the signature again.
    /// </summary>
    /// <param name="data">The octets to time-stamp (e.g. the canonicalized SignatureValue element).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<byte[]> GetTimestampTokenAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}
