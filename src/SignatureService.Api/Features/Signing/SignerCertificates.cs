using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace SignatureService.Api.Features.Signing;

/// <summary>
/// The signer certificates the signing worker uses, each parsed once. With the one XadesSigner of the service (a singleton,
/// which keeps each certificate instance's public key, Base64 text and digest) a request pays neither the DER parse nor the
/// key import nor the encodings again. The row's DER is still read and compared on every use, and its status and dates are
/// still checked by the query that found it.
/// </summary>
public sealed class SignerCertificates
{
    /// <summary>At most this many certificates are kept; the cache starts over when it is full.</summary>
    internal const int MaxEntries = 10_000;

    // Note: a certificate dropped when the cache starts over is not disposed: a request may still be signing with it. Its
    // native handle goes with the garbage collector.
    private readonly ConcurrentDictionary<Guid, X509Certificate2> _certificates = new();

    /// <summary>The parsed certificate of row <paramref name="id"/>, whose DER is <paramref name="der"/>.</summary>
    /// <param name="id">The certificate row.</param>
    /// <param name="der">Its DER as stored now.</param>
    public X509Certificate2 Get(Guid id, byte[] der)
    {
        ArgumentNullException.ThrowIfNull(der);
        if (_certificates.TryGetValue(id, out var cached) && cached.RawDataMemory.Span.SequenceEqual(der))
        {
            return cached;
        }

        var certificate = X509CertificateLoader.LoadCertificate(der);
        if (_certificates.Count >= MaxEntries)
        {
            _certificates.Clear();
        }

        _certificates[id] = certificate;
        return certificate;
    }
}
