using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SignatureService.Pki.Timestamping;

/// <summary>
/// An in-process <see cref="ITimestampAuthority"/> backed by a <see cref="TimestampAuthority"/>: it builds a request,
/// has the local TSA answer it and validates the answer exactly as for a remote TSA. Thread-safe when the TSA is.
/// </summary>
/// <param name="authority">The local TSA.</param>
public sealed class LocalTimestampAuthority(TimestampAuthority authority) : ITimestampAuthority
{
    /// <inheritdoc/>
    public Task<byte[]> TimestampAsync(ReadOnlyMemory<byte> data, HashAlgorithmName hash, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var request = TimestampClient.CreateRequest(data.Span, hash);
        var response = authority.Respond(request.Encode());
        var (token, _) = TimestampClient.ValidateResponse(request, response.Encoded, data.Span, [authority.Certificate]);
        return Task.FromResult(token);
    }
}
