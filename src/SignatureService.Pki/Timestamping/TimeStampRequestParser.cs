using System.Formats.Asn1;
using System.Numerics;
using SignatureService.Pki.Asn1;
using SignatureService.Pki.Errors;

namespace SignatureService.Pki.Timestamping;

/// <summary>
/// Parses untrusted DER TimeStampReqs (RFC 3161 §2.4.1) under size limits. Only <see cref="PkiException"/> escapes,
/// with <see cref="PkiErrorCodes.MalformedRequest"/> (→ badDataFormat), <see cref="PkiErrorCodes.UnsupportedAlgorithm"/>
/// (→ badAlg), <see cref="PkiErrorCodes.InvalidRequest"/> (→ badRequest) or
/// <see cref="PkiErrorCodes.UnsupportedExtension"/> (→ unacceptedExtension). Thread-safe (stateless).
/// </summary>
public static class TimeStampRequestParser
{
    /// <summary>Upper bound on an encoded request, in bytes.</summary>
    public const int MaxRequestLength = 8 * 1024;

    /// <summary>Upper bound on the encoded nonce INTEGER contents, in bytes.</summary>
    public const int MaxNonceLength = 64;

    private static readonly Asn1Tag Extensions = new(TagClass.ContextSpecific, 0, isConstructed: true);

    /// <summary>Parses a DER TimeStampReq.</summary>
    /// <param name="der">The request body; at most <see cref="MaxRequestLength"/> bytes.</param>
    /// <returns>The request.</returns>
    /// <exception cref="PkiException">For any unacceptable input (see the type remarks for codes).</exception>
    public static TimeStampRequest Parse(ReadOnlyMemory<byte> der)
    {
        if (der.Length is 0 or > MaxRequestLength)
        {
            throw new PkiException(PkiErrorCodes.MalformedRequest, "The time-stamp request is empty or too large.");
        }

        try
        {
            return ParseCore(der);
        }
        catch (AsnContentException ex)
        {
            throw new PkiException(PkiErrorCodes.MalformedRequest, "Malformed time-stamp request.", ex);
        }
        catch (ArgumentException ex)
        {
            throw new PkiException(PkiErrorCodes.MalformedRequest, "Malformed time-stamp request.", ex);
        }
    }

    private static TimeStampRequest ParseCore(ReadOnlyMemory<byte> der)
    {
        // TimeStampReq ::= SEQUENCE { version INTEGER { v1(1) }, messageImprint MessageImprint, reqPolicy TSAPolicyId OPTIONAL,
        //                             nonce INTEGER OPTIONAL, certReq BOOLEAN DEFAULT FALSE, extensions [0] IMPLICIT Extensions OPTIONAL }
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var request = outer.ReadSequence();
        outer.ThrowIfNotEmpty();

        if (!request.TryReadInt32(out var version))
        {
            throw new AsnContentException("Version is not a small INTEGER.");
        }

        var imprintEncoded = request.ReadEncodedValue();

        string? policy = null;
        if (request.HasData && request.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
        {
            policy = request.ReadObjectIdentifier();
        }

        BigInteger? nonce = null;
        if (request.HasData && request.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            var nonceBytes = request.ReadIntegerBytes();
            if (nonceBytes.Length > MaxNonceLength)
            {
                throw new AsnContentException("The nonce is too long.");
            }

            nonce = new BigInteger(nonceBytes.Span, isUnsigned: false, isBigEndian: true);
        }

        var certReq = false;
        if (request.HasData && request.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
        {
            // Note: an explicit FALSE breaks DER's DEFAULT rule but is accepted for interoperability.
            certReq = request.ReadBoolean();
        }

        var hasExtensions = false;
        if (request.HasData)
        {
            request.ReadSequence(Extensions);
            hasExtensions = true;
        }

        request.ThrowIfNotEmpty();

        // MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }
        var imprintReader = new AsnReader(imprintEncoded, AsnEncodingRules.DER);
        var imprint = imprintReader.ReadSequence();
        var hashOid = Der.ReadHashAlgorithmIdentifier(imprint);
        var hashed = imprint.ReadOctetString();
        imprint.ThrowIfNotEmpty();

        if (version != 1)
        {
            throw new PkiException(PkiErrorCodes.InvalidRequest, "Unsupported TimeStampReq version.");
        }

        var hash = Der.HashFromOid(hashOid);
        if (hash is null || hash.Value == System.Security.Cryptography.HashAlgorithmName.SHA1)
        {
            throw new PkiException(PkiErrorCodes.UnsupportedAlgorithm, "The messageImprint hash must be SHA-256, SHA-384 or SHA-512.");
        }

        if (hashed.Length != Der.HashSize(hash.Value))
        {
            throw new PkiException(PkiErrorCodes.MalformedRequest, "The hashedMessage length does not match its algorithm.");
        }

        if (hasExtensions)
        {
            throw new PkiException(PkiErrorCodes.UnsupportedExtension, "Time-stamp request extensions are not supported.");
        }

        return new TimeStampRequest(hash.Value, hashed, imprintEncoded, policy, nonce, certReq);
    }
}
