using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Text;
using System.Xml;

namespace SignatureService.Pki.XAdES;

/// <summary>
/// Upgrades profile signatures along ES-BES → ES-T → ES-XL → ES-A (ETSI TS 101 903 v1.3.2; v1.4.1 for
/// TimeStampValidationData and ArchiveTimeStamp), inserting the new unsigned properties without touching other bytes.
/// Thread-safe when the timestamp source is.
/// </summary>
/// <param name="timestampSource">Source of RFC 3161 tokens (SHA-256 imprint).</param>
/// <param name="limits">Parsing limits; null for <see cref="XadesLimits.Default"/>.</param>
public sealed class XadesUpgrader(IXadesTimestampSource timestampSource, XadesLimits? limits = null)
{
    private const string Sha256Oid = "2.16.840.1.101.3.4.2.1";
    private readonly XadesLimits _limits = limits ?? XadesLimits.Default;

    /// <summary>Upgrades the signature with Id <paramref name="signatureId"/> step by step up to <paramref name="target"/>.</summary>
    /// <exception cref="XadesException"><see cref="XadesErrorCodes.UpgradeNotAllowed"/> if the signature already is at or above the target.</exception>
    public async Task<byte[]> UpgradeAsync(ReadOnlyMemory<byte> document, string signatureId, XadesLevel target, XadesUpgradeMaterial material, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(material);
        var current = XadesSignatureElement.Find(XadesXml.Load(document.Span, _limits).Document, signatureId).Level;
        if (target <= current)
        {
            throw new XadesException(XadesErrorCodes.UpgradeNotAllowed, $"The signature is already {current}.");
        }

        var bytes = document.ToArray();
        for (var level = current + 1; level <= target; level++)
        {
            bytes = level switch
            {
                XadesLevel.T => await AddSignatureTimestampAsync(bytes, signatureId, cancellationToken).ConfigureAwait(false),
                XadesLevel.XL => AddValidationValues(bytes, signatureId, material.SignerValues, material.SignatureTimestampValues),
                _ => await AddArchiveTimestampAsync(bytes, signatureId, material.ArchiveTimestampValues, cancellationToken).ConfigureAwait(false),
            };
        }

        return bytes;
    }

    /// <summary>
    /// ES-BES → ES-T: adds xades:SignatureTimeStamp over the canonicalized ds:SignatureValue element (inclusive C14N 1.0,
    /// no CanonicalizationMethod child, as in the MEDIS samples).
    /// </summary>
    public async Task<byte[]> AddSignatureTimestampAsync(ReadOnlyMemory<byte> document, string signatureId, CancellationToken cancellationToken)
    {
        var parsed = XadesXml.Load(document.Span, _limits);
        var signature = XadesSignatureElement.Find(parsed.Document, signatureId);
        RequireLevel(signature, XadesLevel.Bes);
        if (signature.SignatureValue is null || signature.QualifyingProperties is null)
        {
            throw new XadesException(XadesErrorCodes.StructureInvalid, "SignatureValue or QualifyingProperties is missing.");
        }

        var data = XadesXml.Canonicalize(signature.SignatureValue, XadesNames.InclusiveC14N);
        var token = await GetCheckedTokenAsync(data, cancellationToken).ConfigureAwait(false);
        var xa = XadesPrefix(signature.QualifyingProperties);
        var property = $"<{xa}:SignatureTimeStamp Id=\"{XadesXml.NewId()}\"><{xa}:EncapsulatedTimeStamp>{XadesXml.Base64Lines(token)}</{xa}:EncapsulatedTimeStamp></{xa}:SignatureTimeStamp>";
        return InsertUnsignedSignatureProperty(parsed, signature, property);
    }

    /// <summary>
    /// ES-T → ES-XL: adds v1.4.1 TimeStampValidationData for the SignatureTimeStamp (if <paramref name="timestampValues"/>
    /// has content), then xades:CertificateValues and xades:RevocationValues for the signer.
    /// </summary>
    /// <exception cref="XadesException"><see cref="XadesErrorCodes.ValidationDataInvalid"/> if the signer values lack certificates or revocation data.</exception>
    public byte[] AddValidationValues(ReadOnlyMemory<byte> document, string signatureId, XadesValidationValues signerValues, XadesValidationValues? timestampValues)
    {
        ArgumentNullException.ThrowIfNull(signerValues);
        if (signerValues.Certificates.Count == 0 || signerValues.Crls.Count + signerValues.OcspResponses.Count == 0)
        {
            throw new XadesException(XadesErrorCodes.ValidationDataInvalid, "ES-XL needs the signer's certificates and at least one CRL or OCSP response.");
        }

        var parsed = XadesXml.Load(document.Span, _limits);
        var signature = XadesSignatureElement.Find(parsed.Document, signatureId);
        RequireLevel(signature, XadesLevel.T);
        var xa = XadesPrefix(signature.QualifyingProperties!);
        var fragment = new StringBuilder();
        if (timestampValues is { IsEmpty: false })
        {
            var target = signature.SignatureTimeStamp!.GetAttribute("Id");
            fragment.Append(TimestampValidationData(xa, target, timestampValues));
        }

        fragment.Append(CertificateValues(xa, signerValues)).Append(RevocationValues(xa, signerValues));
        return InsertUnsignedSignatureProperty(parsed, signature, fragment.ToString());
    }

    /// <summary>
    /// ES-XL → ES-A: adds a v1.4.1 xadesv141:ArchiveTimeStamp over the input of TS 101 903 v1.4.1 §8.2.1 (inclusive
    /// C14N 1.0), followed by TimeStampValidationData for it when <paramref name="timestampValues"/> has content.
    /// Calling it again on an ES-A signature adds a further archive time-stamp covering the previous ones.
    /// </summary>
    public async Task<byte[]> AddArchiveTimestampAsync(ReadOnlyMemory<byte> document, string signatureId, XadesValidationValues? timestampValues, CancellationToken cancellationToken)
    {
        var parsed = XadesXml.Load(document.Span, _limits);
        var signature = XadesSignatureElement.Find(parsed.Document, signatureId);
        if (signature.Level < XadesLevel.XL)
        {
            throw new XadesException(XadesErrorCodes.UpgradeNotAllowed, $"An archive time-stamp needs ES-XL; the signature is {signature.Level}.");
        }

        var data = ArchiveTimestampInput.Compute(parsed.Document, signature, null, XadesNames.InclusiveC14N);
        var token = await GetCheckedTokenAsync(data, cancellationToken).ConfigureAwait(false);
        var xa = XadesPrefix(signature.QualifyingProperties!);
        var id = XadesXml.NewId();
        var fragment = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<{XadesNames.Xades141Prefix}:ArchiveTimeStamp xmlns:{XadesNames.Xades141Prefix}=\"{XadesNames.Xades141Namespace}\" Id=\"{id}\">")
            .Append(CultureInfo.InvariantCulture, $"<{xa}:EncapsulatedTimeStamp>{XadesXml.Base64Lines(token)}</{xa}:EncapsulatedTimeStamp>")
            .Append(CultureInfo.InvariantCulture, $"</{XadesNames.Xades141Prefix}:ArchiveTimeStamp>");
        if (timestampValues is { IsEmpty: false })
        {
            fragment.Append(TimestampValidationData(xa, id, timestampValues));
        }

        return InsertUnsignedSignatureProperty(parsed, signature, fragment.ToString());
    }

    private async Task<byte[]> GetCheckedTokenAsync(byte[] data, CancellationToken cancellationToken)
    {
        byte[] token;
        try
        {
            token = await timestampSource.GetTimestampTokenAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not XadesException)
        {
            throw new XadesException(XadesErrorCodes.TimestampSourceFailed, "The timestamp source failed.", ex);
        }

        // Note: a token for other data (a misbehaving or hostile TSA proxy) must never be embedded. The token's signature is
        // the source's check (both ITimestampAuthority implementations verify it); here only what it covers is read, without
        // verifying the CMS signature a second time.
        if (token is null || !Timestamping.TimestampTokenContent.TryDecodeInfo(token, out var info) ||
            info!.HashAlgorithmId.Value != Sha256Oid ||
            !info.GetMessageHash().Span.SequenceEqual(SHA256.HashData(data)))
        {
            throw new XadesException(XadesErrorCodes.TimestampSourceFailed, "The timestamp token does not cover the requested data.");
        }

        return token;
    }

    private static void RequireLevel(XadesSignatureElement signature, XadesLevel expected)
    {
        if (signature.Level != expected)
        {
            throw new XadesException(XadesErrorCodes.UpgradeNotAllowed, $"Expected an {expected} signature; it is {signature.Level}.");
        }
    }

    private static string XadesPrefix(XmlElement qualifyingProperties) =>
        XadesXml.PrefixOf(qualifyingProperties, XadesNames.Xades132Namespace)
        ?? throw new XadesException(XadesErrorCodes.StructureInvalid, "QualifyingProperties must use a namespace prefix for XAdES v1.3.2.");

    private static byte[] InsertUnsignedSignatureProperty(XadesXml.Parsed parsed, XadesSignatureElement signature, string property)
    {
        var xa = XadesPrefix(signature.QualifyingProperties!);
        if (signature.UnsignedSignatureProperties is not null)
        {
            return XadesXml.InsertBeforeEndTag(parsed, signature.UnsignedSignatureProperties, property);
        }

        if (signature.UnsignedProperties is not null)
        {
            throw new XadesException(XadesErrorCodes.StructureInvalid, "UnsignedProperties without UnsignedSignatureProperties is not supported.");
        }

        return XadesXml.InsertBeforeEndTag(parsed, signature.QualifyingProperties!,
            $"<{xa}:UnsignedProperties><{xa}:UnsignedSignatureProperties>{property}</{xa}:UnsignedSignatureProperties></{xa}:UnsignedProperties>");
    }

    private static string TimestampValidationData(string xa, string timestampId, XadesValidationValues values)
    {
        var p = XadesNames.Xades141Prefix;
        var uri = timestampId.Length > 0 ? $" URI=\"#{XadesXml.Escape(timestampId)}\"" : string.Empty;
        var builder = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<{p}:TimeStampValidationData xmlns:{p}=\"{XadesNames.Xades141Namespace}\" Id=\"{XadesXml.NewId()}\"{uri}>");
        if (values.Certificates.Count > 0)
        {
            builder.Append(CertificateValues(xa, values));
        }

        if (values.Crls.Count + values.OcspResponses.Count > 0)
        {
            builder.Append(RevocationValues(xa, values));
        }

        return builder.Append(CultureInfo.InvariantCulture, $"</{p}:TimeStampValidationData>").ToString();
    }

    private static string CertificateValues(string xa, XadesValidationValues values)
    {
        var builder = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<{xa}:CertificateValues Id=\"{XadesXml.NewId()}\">");
        foreach (var certificate in values.Certificates)
        {
            builder.Append(CultureInfo.InvariantCulture, $"<{xa}:EncapsulatedX509Certificate>{XadesXml.Base64Lines(certificate)}</{xa}:EncapsulatedX509Certificate>");
        }

        return builder.Append(CultureInfo.InvariantCulture, $"</{xa}:CertificateValues>").ToString();
    }

    private static string RevocationValues(string xa, XadesValidationValues values)
    {
        var builder = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<{xa}:RevocationValues Id=\"{XadesXml.NewId()}\">");
        if (values.Crls.Count > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"<{xa}:CRLValues>");
            foreach (var crl in values.Crls)
            {
                builder.Append(CultureInfo.InvariantCulture, $"<{xa}:EncapsulatedCRLValue>{XadesXml.Base64Lines(crl)}</{xa}:EncapsulatedCRLValue>");
            }

            builder.Append(CultureInfo.InvariantCulture, $"</{xa}:CRLValues>");
        }

        if (values.OcspResponses.Count > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"<{xa}:OCSPValues>");
            foreach (var ocsp in values.OcspResponses)
            {
                builder.Append(CultureInfo.InvariantCulture, $"<{xa}:EncapsulatedOCSPValue>{XadesXml.Base64Lines(ocsp)}</{xa}:EncapsulatedOCSPValue>");
            }

            builder.Append(CultureInfo.InvariantCulture, $"</{xa}:OCSPValues>");
        }

        return builder.Append(CultureInfo.InvariantCulture, $"</{xa}:RevocationValues>").ToString();
    }
}
