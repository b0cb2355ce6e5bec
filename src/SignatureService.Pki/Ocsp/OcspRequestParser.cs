using System.Formats.Asn1;
using SignatureService.Pki.Asn1;
using SignatureService.Pki.Errors;

namespace SignatureService.Pki.Ocsp;

/// <summary>
/// Parses untrusted DER OCSPRequests (RFC 6960 §4.1.1) with size and count limits. Every failure is a
/// <see cref="PkiException"/>; nothing else escapes. Thread-safe (stateless).
/// </summary>
public static class OcspRequestParser
{
    /// <summary>Upper bound on an encoded request, in bytes.</summary>
    public const int MaxRequestLength = 16 * 1024;

    /// <summary>Upper bound on CertIDs per request.</summary>
    public const int MaxCertIds = 32;

    /// <summary>Upper bound on the nonce extnValue (RFC 8954: nonce of at most 32 octets inside an OCTET STRING).</summary>
    public const int MaxNonceLength = 34;

    private static readonly Asn1Tag Explicit0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Explicit1 = new(TagClass.ContextSpecific, 1, isConstructed: true);
    private static readonly Asn1Tag Explicit2 = new(TagClass.ContextSpecific, 2, isConstructed: true);

    /// <summary>Parses a DER OCSPRequest.</summary>
    /// <param name="der">The request body; at most <see cref="MaxRequestLength"/> bytes.</param>
    /// <returns>The request.</returns>
    /// <exception cref="PkiException"><see cref="PkiErrorCodes.MalformedRequest"/> for malformed or oversized input,
    /// <see cref="PkiErrorCodes.UnsupportedAlgorithm"/> for an unknown CertID hash algorithm.</exception>
    public static OcspRequest Parse(ReadOnlyMemory<byte> der)
    {
        if (der.Length is 0 or > MaxRequestLength)
        {
            throw Malformed("The OCSP request is empty or too large.");
        }

        try
        {
            return ParseCore(der);
        }
        catch (AsnContentException ex)
        {
            throw Malformed("Malformed OCSP request.", ex);
        }
        catch (ArgumentException ex)
        {
            throw Malformed("Malformed OCSP request.", ex);
        }
    }

    private static OcspRequest ParseCore(ReadOnlyMemory<byte> der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        // OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL }
        var request = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbs = request.ReadSequence();
        if (request.HasData)
        {
            request.ReadEncodedValue(); // optionalSignature: not required, not checked.
        }

        request.ThrowIfNotEmpty();

        // TBSRequest ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, requestorName [1] EXPLICIT GeneralName OPTIONAL,
        //                           requestList SEQUENCE OF Request, requestExtensions [2] EXPLICIT Extensions OPTIONAL }
        if (tbs.PeekTag().HasSameClassAndValue(Explicit0))
        {
            var version = tbs.ReadSequence(Explicit0);
            if (!version.TryReadInt32(out var v) || v != 0)
            {
                throw Malformed("Unsupported OCSP request version.");
            }

            version.ThrowIfNotEmpty();
        }

        if (tbs.PeekTag().HasSameClassAndValue(Explicit1))
        {
            tbs.ReadEncodedValue();
        }

        var list = tbs.ReadSequence();
        var certIds = new List<OcspCertId>();
        while (list.HasData)
        {
            if (certIds.Count == MaxCertIds)
            {
                throw Malformed("Too many CertIDs in the OCSP request.");
            }

            // Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
            var single = list.ReadSequence();
            certIds.Add(ReadCertId(single.ReadEncodedValue()));
            if (single.HasData)
            {
                ReadExtensions(single.ReadSequence(Explicit0), onNonce: null);
            }

            single.ThrowIfNotEmpty();
        }

        if (certIds.Count == 0)
        {
            throw Malformed("The OCSP request has no CertID.");
        }

        ReadOnlyMemory<byte>? nonce = null;
        if (tbs.HasData)
        {
            ReadExtensions(tbs.ReadSequence(Explicit2), value => nonce = value);
        }

        tbs.ThrowIfNotEmpty();
        return new OcspRequest(certIds, nonce);
    }

    private static OcspCertId ReadCertId(ReadOnlyMemory<byte> encoded)
    {
        // CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
        //                       issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }
        var reader = new AsnReader(encoded, AsnEncodingRules.DER);
        var certId = reader.ReadSequence();
        var hashOid = Der.ReadHashAlgorithmIdentifier(certId);
        var nameHash = certId.ReadOctetString();
        var keyHash = certId.ReadOctetString();
        var serial = certId.ReadIntegerBytes();
        certId.ThrowIfNotEmpty();

        var hash = Der.HashFromOid(hashOid)
            ?? throw new PkiException(PkiErrorCodes.UnsupportedAlgorithm, "Unsupported CertID hash algorithm.");
        var size = Der.HashSize(hash);
        if (nameHash.Length != size || keyHash.Length != size)
        {
            throw Malformed("CertID hash lengths do not match the hash algorithm.");
        }

        if (serial.Length > 20 || (serial.Span[0] & 0x80) != 0)
        {
            // Note: RFC 5280 §4.1.2.2 serials are positive and at most 20 octets; anything else cannot be ours.
            throw Malformed("CertID serial number is out of range.");
        }

        return new OcspCertId(hash, nameHash, keyHash, serial, encoded);
    }

    private static void ReadExtensions(AsnReader wrapper, Action<ReadOnlyMemory<byte>>? onNonce)
    {
        var extensions = wrapper.ReadSequence();
        wrapper.ThrowIfNotEmpty();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (extensions.HasData)
        {
            var extension = extensions.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            var critical = false;
            if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
            {
                critical = extension.ReadBoolean();
            }

            var value = extension.ReadOctetString();
            extension.ThrowIfNotEmpty();
            if (!seen.Add(oid))
            {
                throw Malformed("Duplicate extension.");
            }

            if (oid == Oids.OcspNonce && onNonce is not null)
            {
                if (value.Length is 0 or > MaxNonceLength)
                {
                    throw Malformed("The nonce is empty or longer than 32 octets (RFC 8954).");
                }

                onNonce(value);
            }
            else if (critical)
            {
                throw Malformed("Unsupported critical extension.");
            }
        }
    }

    private static PkiException Malformed(string message, Exception? inner = null) =>
        new(PkiErrorCodes.MalformedRequest, message, inner);
}
