using System.Xml;

namespace SignatureService.Pki.XAdES;

/// <summary>Navigation over one ds:Signature element of the profile (prefix-agnostic).</summary>
internal sealed class XadesSignatureElement
{
    public XadesSignatureElement(XmlElement signature)
    {
        Signature = signature;
        Id = signature.HasAttribute("Id") ? signature.GetAttribute("Id") : null;
        SignedInfo = XadesXml.Child(signature, XadesNames.DsNamespace, "SignedInfo");
        SignatureValue = XadesXml.Child(signature, XadesNames.DsNamespace, "SignatureValue");
        KeyInfo = XadesXml.Child(signature, XadesNames.DsNamespace, "KeyInfo");
        Objects = [.. XadesXml.Children(signature, XadesNames.DsNamespace, "Object")];
        foreach (var obj in Objects)
        {
            QualifyingProperties ??= XadesXml.Child(obj, XadesNames.Xades132Namespace, "QualifyingProperties");
        }

        SignedProperties = XadesXml.Child(QualifyingProperties, XadesNames.Xades132Namespace, "SignedProperties");
        UnsignedProperties = XadesXml.Child(QualifyingProperties, XadesNames.Xades132Namespace, "UnsignedProperties");
        UnsignedSignatureProperties = XadesXml.Child(UnsignedProperties, XadesNames.Xades132Namespace, "UnsignedSignatureProperties");
    }

    public XmlElement Signature { get; }

    public string? Id { get; }

    public XmlElement? SignedInfo { get; }

    public XmlElement? SignatureValue { get; }

    public XmlElement? KeyInfo { get; }

    public IReadOnlyList<XmlElement> Objects { get; }

    public XmlElement? QualifyingProperties { get; }

    public XmlElement? SignedProperties { get; }

    public XmlElement? UnsignedProperties { get; }

    public XmlElement? UnsignedSignatureProperties { get; }

    public IReadOnlyList<XmlElement> References => [.. XadesXml.Children(SignedInfo, XadesNames.DsNamespace, "Reference")];

    public IEnumerable<XmlElement> UnsignedSignatureChildren =>
        UnsignedSignatureProperties is null ? [] : XadesXml.ChildElements(UnsignedSignatureProperties);

    public XmlElement? SignatureTimeStamp =>
        UnsignedSignatureChildren.FirstOrDefault(e => e.LocalName == "SignatureTimeStamp" && e.NamespaceURI == XadesNames.Xades132Namespace);

    public IReadOnlyList<XmlElement> ArchiveTimeStamps =>
        [.. UnsignedSignatureChildren.Where(e => e.LocalName == "ArchiveTimeStamp" &&
            (e.NamespaceURI == XadesNames.Xades141Namespace || e.NamespaceURI == XadesNames.Xades132Namespace))];

    public XmlElement? CertificateValues =>
        UnsignedSignatureChildren.FirstOrDefault(e => e.LocalName == "CertificateValues" && e.NamespaceURI == XadesNames.Xades132Namespace);

    public XmlElement? RevocationValues =>
        UnsignedSignatureChildren.FirstOrDefault(e => e.LocalName == "RevocationValues" && e.NamespaceURI == XadesNames.Xades132Namespace);

    public XadesLevel Level =>
        ArchiveTimeStamps.Count > 0 ? XadesLevel.A
        : CertificateValues is not null && RevocationValues is not null && SignatureTimeStamp is not null ? XadesLevel.XL
        : SignatureTimeStamp is not null ? XadesLevel.T
        : XadesLevel.Bes;

    /// <summary>Finds the signature with the given Id; throws <see cref="XadesErrorCodes.SignatureMissing"/> if absent or ambiguous.</summary>
    public static XadesSignatureElement Find(XmlDocument document, string signatureId)
    {
        var matches = XadesXml.FindById(document, signatureId)
            .Where(e => e.LocalName == "Signature" && e.NamespaceURI == XadesNames.DsNamespace)
            .ToList();
        if (matches.Count != 1)
        {
            throw new XadesException(XadesErrorCodes.SignatureMissing, $"No unique ds:Signature with Id '{signatureId}'.");
        }

        return new XadesSignatureElement(matches[0]);
    }

    /// <summary>The canonicalization algorithm of a XAdES time-stamp element; inclusive C14N 1.0 when absent (XMLDSig default).</summary>
    public static string TimestampCanonicalization(XmlElement timestamp) =>
        XadesXml.Child(timestamp, XadesNames.DsNamespace, "CanonicalizationMethod")?.GetAttribute("Algorithm") is { Length: > 0 } algorithm
            ? algorithm
            : XadesNames.InclusiveC14N;

    /// <summary>
    /// XMLDSig reference processing for the profile: a same-document <c>#id</c> URI resolving to exactly one element,
    /// and either no transforms (node-set canonicalized with <paramref name="nodeSetCanonicalization"/>) or one
    /// canonicalization transform.
    /// </summary>
    public static byte[] ReferenceOctets(XmlDocument document, XmlElement reference, string nodeSetCanonicalization)
    {
        var uri = reference.GetAttribute("URI");
        if (uri.Length < 2 || uri[0] != '#')
        {
            throw new XadesException(XadesErrorCodes.ReferenceUnresolved, "Only same-document '#id' references are supported.");
        }

        var target = XadesXml.FindUniqueById(document, uri[1..])
            ?? throw new XadesException(XadesErrorCodes.ReferenceUnresolved, "The reference URI does not resolve to exactly one element.");

        var transforms = XadesXml.Children(XadesXml.Child(reference, XadesNames.DsNamespace, "Transforms"), XadesNames.DsNamespace, "Transform").ToList();
        return transforms.Count switch
        {
            0 => XadesXml.Canonicalize(target, nodeSetCanonicalization),
            1 => XadesXml.Canonicalize(target, transforms[0].GetAttribute("Algorithm"), transforms[0]),
            _ => throw new XadesException(XadesErrorCodes.UnsupportedAlgorithm, "Only a single canonicalization transform is supported."),
        };
    }
}
