using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;

namespace SignatureService.Pki.XAdES;

/// <summary>Options of <see cref="XadesSigner"/>.</summary>
public sealed record XadesSignerOptions
{
    /// <summary>Parsing limits for the document to sign.</summary>
    public XadesLimits Limits { get; init; } = XadesLimits.Default;

    /// <summary>
    /// Adds xades:IssuerSerialV2 (v1.4.1 style, Base64 DER IssuerSerial) to SigningCertificateV2. Default false: the MEDIS
    /// samples carry only CertDigest, and the profile is matched exactly.
    /// </summary>
    public bool IncludeIssuerSerialV2 { get; init; }
}

/// <summary>
/// Builds "internal detached" XAdES ES-BES signatures of the national e-prescription profile (ETSI TS 101 903 v1.3.2):
/// exclusive C14N, rsa-sha256, SHA-256 digests and three references (document element, KeyInfo, SignedProperties).
/// Thread-safe; one private-key operation per signature.
/// </summary>
/// <param name="timeProvider">Source of SigningTime.</param>
/// <param name="options">Options; null for defaults.</param>
public sealed class XadesSigner(TimeProvider timeProvider, XadesSignerOptions? options = null)
{
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";
    private readonly XadesSignerOptions _options = options ?? new XadesSignerOptions();

    // Note: importing a certificate's public key costs more than the RSA verification itself (OpenSSL's decoder; 5 % of an
    // ES-T document's time in the profile), so each certificate's key is imported once per signer instance, together with
    // the other per-certificate parts of every signature (its Base64 text and its digest). A caller that keeps the signer
    // and the certificate instance across requests pays for them once.
    private readonly ConditionalWeakTable<X509Certificate2, CertificateParts> _certificates = [];

    /// <summary>
    /// Prepares a signature: returns the SHA-256 hash of the canonicalized SignedInfo to sign in the HSM, and the state
    /// needed to assemble the signed document with <see cref="PreparedXadesSignature.Complete"/>.
    /// </summary>
    /// <param name="document">The UTF-8 XML document (at most <see cref="XadesLimits.MaxDocumentBytes"/>).</param>
    /// <param name="documentType">Which element to sign and where the signature goes.</param>
    /// <param name="signerCertificate">The signer's RSA certificate (no private key needed).</param>
    /// <exception cref="XadesException">Malformed document, missing element, signature already present, non-RSA key.</exception>
    public PreparedXadesSignature Prepare(ReadOnlySpan<byte> document, XadesDocumentType documentType, X509Certificate2 signerCertificate)
    {
        ArgumentNullException.ThrowIfNull(signerCertificate);
        if (signerCertificate.PublicKey.Oid.Value != RsaEncryptionOid)
        {
            throw new XadesException(XadesErrorCodes.UnsupportedKey, "The signer certificate does not hold an RSA key.");
        }

        var profile = XadesDocumentProfile.For(documentType);
        var parsed = XadesXml.Load(document, _options.Limits);

        // 1. Locate the signed element: unique Id, expected name; and refuse a second signature of the same kind.
        var data = XadesXml.FindUniqueById(parsed.Document, profile.DataId);
        if (data is null || data.LocalName != profile.DataElementName || data.ParentNode is not XmlElement parent)
        {
            throw new XadesException(XadesErrorCodes.DocumentElementMissing, $"No unique element with id '{profile.DataId}'.");
        }

        if (XadesXml.FindById(parsed.Document, profile.SignatureId).Count > 0 ||
            XadesXml.ChildElements(parent).Any(e => e.LocalName == profile.SignElementName))
        {
            throw new XadesException(XadesErrorCodes.SignatureAlreadyPresent, $"The document already has {profile.SignElementName}.");
        }

        // 2. Reference 1: the node-set of the element, no transforms, so XMLDSig converts it with inclusive C14N 1.0.
        var dataDigest = SHA256.HashData(XadesXml.Canonicalize(data, XadesNames.InclusiveC14N));

        // 3. KeyInfo and QualifyingProperties, then their exclusive-C14N digests (context-free, so computed standalone).
        var ds = XadesNames.DsPrefix;
        var xa = XadesNames.Xades132Prefix;
        var ids = new SignatureIds();
        var certificate = _certificates.GetValue(signerCertificate, CertificateParts.Of);
        var keyInfo = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<{ds}:KeyInfo Id=\"{ids.KeyInfo}\"><{ds}:X509Data><{ds}:X509Certificate>")
            .Append(certificate.Base64Lines)
            .Append(CultureInfo.InvariantCulture, $"</{ds}:X509Certificate></{ds}:X509Data></{ds}:KeyInfo>")
            .ToString();

        var signingTime = timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
        var digestMethod = $"<{ds}:DigestMethod Algorithm=\"{XadesNames.Sha256}\"/>";
        var properties = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<{xa}:SignedProperties Id=\"{ids.SignedProperties}\"><{xa}:SignedSignatureProperties>")
            .Append(CultureInfo.InvariantCulture, $"<{xa}:SigningTime>{signingTime}</{xa}:SigningTime>")
            .Append(CultureInfo.InvariantCulture, $"<{xa}:SigningCertificateV2><{xa}:Cert><{xa}:CertDigest>")
            .Append(digestMethod)
            .Append(CultureInfo.InvariantCulture, $"<{ds}:DigestValue>{certificate.DigestBase64Lines}</{ds}:DigestValue></{xa}:CertDigest>");
        if (_options.IncludeIssuerSerialV2)
        {
            properties.Append(CultureInfo.InvariantCulture, $"<{xa}:IssuerSerialV2>{XadesXml.Base64Lines(EssCertificateIds.EncodeIssuerSerial(signerCertificate))}</{xa}:IssuerSerialV2>");
        }

        properties.Append(CultureInfo.InvariantCulture, $"</{xa}:Cert></{xa}:SigningCertificateV2></{xa}:SignedSignatureProperties></{xa}:SignedProperties>");
        var signedProperties = properties.ToString();
        var qualifying = $"<{ds}:Object xmlns:{xa}=\"{XadesNames.Xades132Namespace}\">" +
                         $"<{xa}:QualifyingProperties Id=\"{ids.QualifyingProperties}\" Target=\"#{profile.SignatureId}\">" +
                         signedProperties + $"</{xa}:QualifyingProperties></{ds}:Object>";

        var open = $"<{ds}:Signature xmlns:{ds}=\"{XadesNames.DsNamespace}\" Id=\"{profile.SignatureId}\">";
        var close = $"</{ds}:Signature>";
        // Note: the fragments above are our own text (fixed markup, Ids, base64 with LF line ends, a timestamp: nothing to
        // escape), so their exclusive C14N form is written directly instead of parsing and canonicalising them (14 % of an
        // ES-B document's time in the profile): each apex declares the prefixes it uses, a ds: element inside SignedProperties
        // declares ds: itself (its ancestors there do not), and empty elements get end tags. XadesSignerTests check the result
        // with xmlsec1 and our verifier, which recompute these digests and the SignedInfo hash with a real C14N.
        var keyInfoDigest = SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalKeyInfo(keyInfo)));
        var propertiesDigest = SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalSignedProperties(signedProperties)));

        // 4. SignedInfo with the three references, then the hash to sign over its exclusive C14N form.
        var transforms = $"<{ds}:Transforms><{ds}:Transform Algorithm=\"{XadesNames.ExclusiveC14N}\"/></{ds}:Transforms>";
        var signedInfo = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<{ds}:SignedInfo Id=\"{ids.SignedInfo}\">")
            .Append(CultureInfo.InvariantCulture, $"<{ds}:CanonicalizationMethod Algorithm=\"{XadesNames.ExclusiveC14N}\"/>")
            .Append(CultureInfo.InvariantCulture, $"<{ds}:SignatureMethod Algorithm=\"{XadesNames.RsaSha256}\"/>")
            .Append(CultureInfo.InvariantCulture, $"<{ds}:Reference Id=\"{ids.Reference1}\" URI=\"#{profile.DataId}\">{digestMethod}")
            .Append(CultureInfo.InvariantCulture, $"<{ds}:DigestValue>{XadesXml.Base64Lines(dataDigest)}</{ds}:DigestValue></{ds}:Reference>")
            .Append(CultureInfo.InvariantCulture, $"<{ds}:Reference Id=\"{ids.Reference2}\" URI=\"#{ids.KeyInfo}\">{transforms}{digestMethod}")
            .Append(CultureInfo.InvariantCulture, $"<{ds}:DigestValue>{XadesXml.Base64Lines(keyInfoDigest)}</{ds}:DigestValue></{ds}:Reference>")
            .Append(CultureInfo.InvariantCulture, $"<{ds}:Reference Id=\"{ids.Reference3}\" Type=\"{XadesNames.SignedPropertiesType}\" URI=\"#{ids.SignedProperties}\">{transforms}{digestMethod}")
            .Append(CultureInfo.InvariantCulture, $"<{ds}:DigestValue>{XadesXml.Base64Lines(propertiesDigest)}</{ds}:DigestValue></{ds}:Reference>")
            .Append(CultureInfo.InvariantCulture, $"</{ds}:SignedInfo>")
            .ToString();
        var signedInfoHash = SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalSignedInfo(signedInfo)));

        var before = $"<{profile.SignElementName}>{open}{signedInfo}<{ds}:SignatureValue Id=\"{ids.SignatureValue}\">";
        var after = $"</{ds}:SignatureValue>{keyInfo}{qualifying}{close}</{profile.SignElementName}>";
        return new PreparedXadesSignature(parsed, parent, certificate.PublicKey, signedInfoHash, before, after);
    }

    /// <summary>
    /// Prepares, signs with <paramref name="signingKey"/> (one <see cref="RSA.SignHash(byte[], HashAlgorithmName, RSASignaturePadding)"/>
    /// call, PKCS#1 v1.5, SHA-256) and assembles an ES-BES signed document.
    /// </summary>
    /// <param name="document">The UTF-8 XML document.</param>
    /// <param name="documentType">Which element to sign and where the signature goes.</param>
    /// <param name="signingKey">The signer's key, typically HSM-backed; only SignHash is used.</param>
    /// <param name="signerCertificate">The certificate of <paramref name="signingKey"/>.</param>
    /// <returns>The document bytes with the signature inserted; all other bytes are unchanged.</returns>
    public byte[] Sign(ReadOnlySpan<byte> document, XadesDocumentType documentType, RSA signingKey, X509Certificate2 signerCertificate)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        var prepared = Prepare(document, documentType, signerCertificate);
        var signature = signingKey.SignHash(prepared.SignedInfoHash.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return prepared.Complete(signature);
    }

    /// <summary>Exclusive C14N of our KeyInfo: the apex declares ds:.</summary>
    internal static string CanonicalKeyInfo(string keyInfo) =>
        DeclareOnApex(keyInfo, XadesNames.DsPrefix, XadesNames.DsNamespace);

    /// <summary>
    /// Exclusive C14N of our SignedProperties: the apex declares xa:, each ds: element (DigestMethod, DigestValue) declares ds:
    /// because no output ancestor does, and the empty DigestMethod gets an end tag.
    /// </summary>
    internal static string CanonicalSignedProperties(string signedProperties)
    {
        var ds = XadesNames.DsPrefix;
        var declaration = $" xmlns:{ds}=\"{XadesNames.DsNamespace}\"";
        return ExpandEmptyElements(DeclareOnApex(signedProperties, XadesNames.Xades132Prefix, XadesNames.Xades132Namespace)
            .Replace($"<{ds}:DigestMethod ", $"<{ds}:DigestMethod{declaration} ", StringComparison.Ordinal)
            .Replace($"<{ds}:DigestValue>", $"<{ds}:DigestValue{declaration}>", StringComparison.Ordinal));
    }

    /// <summary>Exclusive C14N of our SignedInfo: the apex declares ds:, empty elements get end tags.</summary>
    internal static string CanonicalSignedInfo(string signedInfo) =>
        ExpandEmptyElements(DeclareOnApex(signedInfo, XadesNames.DsPrefix, XadesNames.DsNamespace));

    /// <summary>Inserts the namespace declaration as the apex element's first attribute (C14N puts declarations first).</summary>
    private static string DeclareOnApex(string fragment, string prefix, string ns)
    {
        var nameEnd = fragment.IndexOfAny([' ', '>']);
        return string.Concat(fragment.AsSpan(0, nameEnd), $" xmlns:{prefix}=\"{ns}\"", fragment.AsSpan(nameEnd));
    }

    /// <summary>Writes each empty-element tag <c>&lt;p:n a="v"/&gt;</c> as a start and an end tag, as C14N does.</summary>
    private static string ExpandEmptyElements(string fragment)
    {
        var builder = new StringBuilder(fragment.Length + 256);
        var position = 0;
        for (var end = fragment.IndexOf("/>", StringComparison.Ordinal); end >= 0; end = fragment.IndexOf("/>", position, StringComparison.Ordinal))
        {
            var start = fragment.LastIndexOf('<', end);
            var nameEnd = fragment.IndexOfAny([' ', '/'], start);
            builder.Append(fragment, position, end - position).Append("></").Append(fragment, start + 1, nameEnd - start - 1).Append('>');
            position = end + 2;
        }

        return builder.Append(fragment, position, fragment.Length - position).ToString();
    }

    /// <summary>What every signature by one certificate repeats: its public key, Base64 text and SHA-256 digest.</summary>
    private sealed record CertificateParts(RSA PublicKey, string Base64Lines, string DigestBase64Lines)
    {
        public static CertificateParts Of(X509Certificate2 certificate) => new(
            certificate.GetRSAPublicKey()!,
            XadesXml.Base64Lines(certificate.RawDataMemory.Span),
            XadesXml.Base64Lines(SHA256.HashData(certificate.RawDataMemory.Span)));
    }

    /// <summary>
    /// The signature's eight Ids in the samples' style ("id" + 8 random hex digits + a suffix). Note: drawn from one call to
    /// the random generator (32 bytes) instead of eight: each call costs about as much as the rest of an Id.
    /// </summary>
    private sealed class SignatureIds
    {
        public SignatureIds()
        {
            Span<byte> random = stackalloc byte[32];
            RandomNumberGenerator.Fill(random);
            var hex = Convert.ToHexStringLower(random);
            string Id(int i, string suffix) => string.Concat("id", hex.AsSpan(i * 8, 8), suffix);
            SignedInfo = Id(0, "-SignedInfo");
            Reference1 = Id(1, "-Reference1-Detached");
            Reference2 = Id(2, "-Reference2-KeyInfo");
            Reference3 = Id(3, "-Reference3-SignedProperties");
            SignatureValue = Id(4, "-SignatureValue");
            KeyInfo = Id(5, "-KeyInfo");
            QualifyingProperties = Id(6, "-QualifyingProperties");
            SignedProperties = Id(7, "-SignedProperties");
        }

        public string SignedInfo { get; }

        public string Reference1 { get; }

        public string Reference2 { get; }

        public string Reference3 { get; }

        public string SignatureValue { get; }

        public string KeyInfo { get; }

        public string QualifyingProperties { get; }

        public string SignedProperties { get; }
    }
}

/// <summary>
/// A signature prepared by <see cref="XadesSigner.Prepare"/>: sign <see cref="SignedInfoHash"/> (SHA-256, 32 bytes) with
/// RSA PKCS#1 v1.5 in the HSM, then call <see cref="Complete"/>. Immutable and thread-safe.
/// </summary>
public sealed class PreparedXadesSignature
{
    private readonly XadesXml.Parsed _document;
    private readonly XmlElement _parent;
    private readonly RSA _publicKey;
    private readonly byte[] _signedInfoHash;
    private readonly string _before;
    private readonly string _after;

    internal PreparedXadesSignature(XadesXml.Parsed document, XmlElement parent, RSA publicKey, byte[] signedInfoHash, string before, string after)
    {
        _document = document;
        _parent = parent;
        _publicKey = publicKey;
        _signedInfoHash = signedInfoHash;
        _before = before;
        _after = after;
    }

    /// <summary>SHA-256 of the exclusive-C14N SignedInfo (32 bytes): the only input the private key operation needs.</summary>
    public ReadOnlyMemory<byte> SignedInfoHash => _signedInfoHash;

    /// <summary>The hash algorithm of <see cref="SignedInfoHash"/> (always SHA-256, rsa-sha256).</summary>
    public static HashAlgorithmName HashAlgorithm => HashAlgorithmName.SHA256;

    /// <summary>
    /// Assembles the ES-BES signed document from the PKCS#1 v1.5 signature over <see cref="SignedInfoHash"/>.
    /// The value is checked with the certificate's public key first, so a wrong key or corrupted HSM output never ships.
    /// </summary>
    /// <param name="signatureValue">The raw RSA signature (modulus length, e.g. 256 bytes for RSA-2048).</param>
    /// <exception cref="XadesException"><see cref="XadesErrorCodes.SignatureValueRejected"/> when it does not verify.</exception>
    public byte[] Complete(ReadOnlySpan<byte> signatureValue)
    {
        if (!_publicKey.VerifyHash(_signedInfoHash, signatureValue, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            throw new XadesException(XadesErrorCodes.SignatureValueRejected, "The signature value does not verify with the signer certificate.");
        }

        return XadesXml.InsertBeforeEndTag(_document, _parent, _before + XadesXml.Base64Lines(signatureValue) + _after);
    }
}
