using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Pki.Asn1;
using SignatureService.Pki.Errors;
using SignatureService.Pki.Revocation;

namespace SignatureService.Pki.Ocsp;

/// <summary>The certStatus of one SingleResponse (RFC 6960 §4.2.1).</summary>
public enum OcspCertStatus
{
    /// <summary>good [0].</summary>
    Good,

    /// <summary>revoked [1].</summary>
    Revoked,

    /// <summary>unknown [2].</summary>
    Unknown,
}

/// <summary>One SingleResponse: which certificate (CertID), its status and the validity interval of that status.</summary>
/// <param name="HashAlgorithm">The CertID hash algorithm OID (SHA-1 or SHA-2).</param>
/// <param name="IssuerNameHash">Hash of the issuer's DER name.</param>
/// <param name="IssuerKeyHash">Hash of the issuer's subjectPublicKey bits.</param>
/// <param name="SerialNumber">The certificate's serial number.</param>
/// <param name="Status">good, revoked or unknown.</param>
/// <param name="RevocationTime">When revoked, the revocation time.</param>
/// <param name="Reason">When revoked, the reason (unspecified when absent).</param>
/// <param name="ThisUpdate">When the status was known to be correct.</param>
/// <param name="NextUpdate">When newer information will be available, when stated.</param>
public sealed record OcspSingleResponse(
    string HashAlgorithm, byte[] IssuerNameHash, byte[] IssuerKeyHash, BigInteger SerialNumber, OcspCertStatus Status,
    DateTimeOffset? RevocationTime, RevocationReason Reason, DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate)
{
    /// <summary>Whether this response's CertID names <paramref name="certificate"/> as issued by <paramref name="issuer"/>.</summary>
    public bool IsFor(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(issuer);
        if (Der.HashFromOid(HashAlgorithm) is not { } hash ||
            SerialNumber != new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true))
        {
            return false;
        }

        return Der.Hash(hash, issuer.SubjectName.RawData).AsSpan().SequenceEqual(IssuerNameHash) &&
               Der.Hash(hash, Der.SubjectPublicKeyBits(issuer)).AsSpan().SequenceEqual(IssuerKeyHash);
    }
}

/// <summary>
/// A parsed, successful OCSP response carrying a BasicOCSPResponse (RFC 6960 §4.2), as embedded in XAdES RevocationValues:
/// producedAt, the single responses and the certificates it carries. <see cref="IsSignedFor"/> checks the signature by the CA
/// itself or by a delegated responder the CA issued with id-kp-OCSPSigning (§4.2.2.2). Pure and immutable.
/// </summary>
public sealed class OcspResponseReader
{
    /// <summary>Largest response accepted, in bytes.</summary>
    public const int MaxBytes = 1024 * 1024;

    private const string OcspSigningPurpose = "1.3.6.1.5.5.7.3.9";

    private readonly byte[] _tbs;
    private readonly byte[] _signatureAlgorithm;
    private readonly byte[] _signature;
    private readonly byte[]? _responderKeyHash;
    private readonly X500DistinguishedName? _responderName;

    private OcspResponseReader(
        DateTimeOffset producedAt, IReadOnlyList<OcspSingleResponse> responses, IReadOnlyList<X509Certificate2> certificates,
        byte[] tbs, byte[] signatureAlgorithm, byte[] signature, byte[]? responderKeyHash, X500DistinguishedName? responderName)
    {
        ProducedAt = producedAt;
        Responses = responses;
        Certificates = certificates;
        _tbs = tbs;
        _signatureAlgorithm = signatureAlgorithm;
        _signature = signature;
        _responderKeyHash = responderKeyHash;
        _responderName = responderName;
    }

    /// <summary>When the responder signed this response.</summary>
    public DateTimeOffset ProducedAt { get; }

    /// <summary>The single responses.</summary>
    public IReadOnlyList<OcspSingleResponse> Responses { get; }

    /// <summary>Certificates carried in the response (a delegated responder's, typically).</summary>
    public IReadOnlyList<X509Certificate2> Certificates { get; }

    /// <summary>
    /// True when the response is signed by <paramref name="issuer"/> itself, or by a certificate in the response (or among
    /// <paramref name="candidates"/>) that <paramref name="issuer"/> signed, with id-kp-OCSPSigning and valid at producedAt;
    /// the ResponderID must name the signing certificate.
    /// </summary>
    public bool IsSignedFor(X509Certificate2 issuer, IEnumerable<X509Certificate2>? candidates = null)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        foreach (var responder in Certificates.Concat(candidates ?? []).Prepend(issuer))
        {
            if (!NamesResponder(responder) || !SignatureVerifier.Verify(_tbs, _signatureAlgorithm, _signature, responder))
            {
                continue;
            }

            if (responder.RawData.AsSpan().SequenceEqual(issuer.RawData))
            {
                return true;
            }

            if (IsDelegatedResponder(responder, issuer))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsDelegatedResponder(X509Certificate2 responder, X509Certificate2 issuer)
    {
        try
        {
            return CertificateRevocationList.SameName(responder.IssuerName, issuer.SubjectName) &&
                   responder.Extensions["2.5.29.37"] is X509EnhancedKeyUsageExtension eku &&
                   eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == OcspSigningPurpose) &&
                   responder.NotBefore.ToUniversalTime() <= ProducedAt.UtcDateTime &&
                   ProducedAt.UtcDateTime <= responder.NotAfter.ToUniversalTime() &&
                   SignatureVerifier.IssuedBy(responder, issuer);
        }
        catch (CryptographicException)
        {
            return false; // A malformed extension in a carried certificate: not a responder we can trust.
        }
    }

    private bool NamesResponder(X509Certificate2 responder) =>
        _responderKeyHash is { } keyHash
            ? Der.Hash(HashAlgorithmName.SHA1, Der.SubjectPublicKeyBits(responder)).AsSpan().SequenceEqual(keyHash)
            : _responderName is { } name && CertificateRevocationList.SameName(responder.SubjectName, name);

    /// <summary>Parses a DER OCSPResponse; only successful responses with a BasicOCSPResponse are usable.</summary>
    /// <exception cref="PkiException"><see cref="PkiErrorCodes.MalformedEncoding"/> for anything else.</exception>
    public static OcspResponseReader Parse(ReadOnlySpan<byte> der)
    {
        if (der.Length is 0 or > MaxBytes)
        {
            throw Malformed($"An OCSP response is 1 to {MaxBytes} bytes.");
        }

        try
        {
            return ParseDer(der.ToArray());
        }
        catch (AsnContentException ex)
        {
            throw Malformed($"The OCSP response is not valid DER: {ex.Message}");
        }
        catch (CryptographicException ex)
        {
            throw Malformed($"The OCSP response is not valid: {ex.Message}");
        }
    }

    private static OcspResponseReader ParseDer(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var response = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        if (response.ReadEnumeratedValue<OcspResponseStatus>() != OcspResponseStatus.Successful || !response.HasData)
        {
            throw Malformed("The OCSP response is not a successful one.");
        }

        var bytes = response.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadSequence();
        if (bytes.ReadObjectIdentifier() != "1.3.6.1.5.5.7.48.1.1")
        {
            throw Malformed("Only BasicOCSPResponse is supported.");
        }

        var basic = new AsnReader(bytes.ReadOctetString(), AsnEncodingRules.DER).ReadSequence();
        var tbs = basic.ReadEncodedValue().ToArray();
        var algorithm = basic.ReadEncodedValue().ToArray();
        var signature = basic.ReadBitString(out _);
        var certificates = new List<X509Certificate2>();
        if (basic.HasData)
        {
            var certs = basic.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadSequence();
            while (certs.HasData)
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(certs.ReadEncodedValue().Span));
            }
        }

        basic.ThrowIfNotEmpty();
        var data = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        var versionTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        if (data.PeekTag().HasSameClassAndValue(versionTag))
        {
            var version = data.ReadSequence(versionTag);
            if (!version.TryReadInt32(out var v) || v != 0)
            {
                throw Malformed("Only v1 OCSP responses exist.");
            }
        }

        byte[]? keyHash = null;
        X500DistinguishedName? name = null;
        var responderTag = data.PeekTag();
        var responder = data.ReadSequence(responderTag);
        if (responderTag.TagClass == TagClass.ContextSpecific && responderTag.TagValue == 1)
        {
            name = new X500DistinguishedName(responder.ReadEncodedValue().Span);
        }
        else if (responderTag.TagClass == TagClass.ContextSpecific && responderTag.TagValue == 2)
        {
            keyHash = responder.ReadOctetString();
        }
        else
        {
            throw Malformed("Unknown ResponderID.");
        }

        var producedAt = data.ReadGeneralizedTime();
        var singles = new List<OcspSingleResponse>();
        var list = data.ReadSequence();
        while (list.HasData)
        {
            singles.Add(ReadSingle(list.ReadSequence()));
        }

        return new OcspResponseReader(producedAt, singles, certificates, tbs, algorithm, signature, keyHash, name);
    }

    private static OcspSingleResponse ReadSingle(AsnReader single)
    {
        var certId = single.ReadSequence();
        var hashAlgorithm = certId.ReadSequence().ReadObjectIdentifier();
        var nameHash = certId.ReadOctetString();
        var keyHash = certId.ReadOctetString();
        var serial = certId.ReadInteger();
        var statusTag = single.PeekTag();
        if (statusTag.TagClass != TagClass.ContextSpecific || statusTag.TagValue > 2)
        {
            throw Malformed("Unknown certStatus.");
        }

        var status = (OcspCertStatus)statusTag.TagValue;
        DateTimeOffset? revocationTime = null;
        var reason = RevocationReason.Unspecified;
        if (status == OcspCertStatus.Revoked)
        {
            var revoked = single.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true));
            revocationTime = revoked.ReadGeneralizedTime();
            if (revoked.HasData)
            {
                reason = revoked.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadEnumeratedValue<RevocationReason>();
            }
        }
        else
        {
            single.ReadNull(new Asn1Tag(TagClass.ContextSpecific, statusTag.TagValue));
        }

        var thisUpdate = single.ReadGeneralizedTime();
        DateTimeOffset? nextUpdate = null;
        var nextTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        if (single.HasData && single.PeekTag().HasSameClassAndValue(nextTag))
        {
            nextUpdate = single.ReadSequence(nextTag).ReadGeneralizedTime();
        }

        return new OcspSingleResponse(hashAlgorithm, nameHash, keyHash, serial, status, revocationTime, reason, thisUpdate, nextUpdate);
    }

    private static PkiException Malformed(string message) => new(PkiErrorCodes.MalformedEncoding, message);
}
