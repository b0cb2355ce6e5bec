using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Pki.Errors;

namespace SignatureService.Pki.Timestamping;

/// <summary>
/// Client side of RFC 3161: builds a TimeStampReq for given bytes and validates the TimeStampResp (status, imprint,
/// nonce, policy, signature, ESS signing-certificate binding). It does not build or check the TSA's certificate chain;
/// that is the verifier's job. Thread-safe (stateless).
/// </summary>
public static class TimestampClient
{
    /// <summary>Upper bound on an accepted TimeStampResp, in bytes.</summary>
    public const int MaxResponseLength = 64 * 1024;

    /// <summary>Builds a request with a fresh random 127-bit nonce and certReq set.</summary>
    /// <param name="data">The bytes to time-stamp.</param>
    /// <param name="hash">SHA-256, SHA-384 or SHA-512.</param>
    /// <param name="policy">reqPolicy OID, or <see langword="null"/> for the TSA's default.</param>
    /// <returns>The request; send <see cref="Rfc3161TimestampRequest.Encode"/>.</returns>
    public static Rfc3161TimestampRequest CreateRequest(ReadOnlySpan<byte> data, HashAlgorithmName hash, string? policy = null)
    {
        if (hash != HashAlgorithmName.SHA256 && hash != HashAlgorithmName.SHA384 && hash != HashAlgorithmName.SHA512)
        {
            throw new PkiException(PkiErrorCodes.UnsupportedAlgorithm, "Time-stamps use SHA-256, SHA-384 or SHA-512.");
        }

        var nonce = RandomNumberGenerator.GetBytes(16);
        nonce[0] = (byte)((nonce[0] & 0x7F) | 0x40);
        return Rfc3161TimestampRequest.CreateFromData(data, hash, policy is null ? null : new Oid(policy), nonce, requestSignerCertificates: true);
    }

    /// <summary>Validates a TimeStampResp against its request and the time-stamped data.</summary>
    /// <param name="request">The request that was sent.</param>
    /// <param name="response">The DER TimeStampResp (at most <see cref="MaxResponseLength"/> bytes).</param>
    /// <param name="data">The time-stamped bytes.</param>
    /// <param name="tsaCertificates">Extra candidate TSA certificates when the token omits its certificate.</param>
    /// <returns>The DER TimeStampToken and its decoded form.</returns>
    /// <exception cref="PkiException"><see cref="PkiErrorCodes.TimestampRejected"/> for any rejection or mismatch.</exception>
    public static (byte[] Encoded, Rfc3161TimestampToken Token) ValidateResponse(
        Rfc3161TimestampRequest request,
        ReadOnlyMemory<byte> response,
        ReadOnlySpan<byte> data,
        X509Certificate2Collection? tsaCertificates = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (response.Length is 0 or > MaxResponseLength)
        {
            throw Rejected("The time-stamp response is empty or too large.");
        }

        try
        {
            // RFC 3161 §2.4.2: status, then the token; ProcessResponse checks status, imprint, nonce, policy and certReq.
            var token = request.ProcessResponse(response, out var consumed);
            if (consumed != response.Length)
            {
                throw Rejected("Trailing data after the time-stamp response.");
            }

            if (!token.VerifySignatureForData(data, out _, tsaCertificates))
            {
                throw Rejected("The time-stamp token signature or signing-certificate binding is invalid.");
            }

            return (ExtractToken(response), token);
        }
        catch (CryptographicException ex)
        {
            throw Rejected("The time-stamp response was rejected or does not match the request.", ex);
        }
        catch (AsnContentException ex)
        {
            throw Rejected("Malformed time-stamp response.", ex);
        }
    }

    internal static byte[] ExtractToken(ReadOnlyMemory<byte> response)
    {
        var reader = new AsnReader(response, AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        sequence.ReadSequence(); // PKIStatusInfo
        return sequence.ReadEncodedValue().ToArray();
    }

    private static PkiException Rejected(string message, Exception? inner = null) =>
        new(PkiErrorCodes.TimestampRejected, message, inner);
}
