using System.Xml;

namespace SignatureService.Pki.XAdES;

/// <summary>
/// The octets an xadesv141:ArchiveTimeStamp covers, per ETSI TS 101 903 v1.4.1 §8.2.1 ("not distributed" case).
/// </summary>
internal static class ArchiveTimestampInput
{
    /// <param name="document">The whole document.</param>
    /// <param name="signature">The signature being archived.</param>
    /// <param name="archiveTimestamp">The ArchiveTimeStamp being verified, or null when building a new one (then every
    /// existing unsigned signature property is covered).</param>
    /// <param name="canonicalization">The time-stamp's CanonicalizationMethod, inclusive C14N 1.0 by default.</param>
    public static byte[] Compute(XmlDocument document, XadesSignatureElement signature, XmlElement? archiveTimestamp, string canonicalization)
    {
        using var output = new MemoryStream();

        // 1. Every ds:Reference in SignedInfo order: dereferenced and transformed; a node-set result is canonicalized.
        foreach (var reference in signature.References)
        {
            output.Write(XadesSignatureElement.ReferenceOctets(document, reference, canonicalization));
        }

        // 2. ds:SignedInfo, ds:SignatureValue and ds:KeyInfo (if present), each canonicalized.
        if (signature.SignedInfo is null || signature.SignatureValue is null)
        {
            throw new XadesException(XadesErrorCodes.StructureInvalid, "SignedInfo or SignatureValue is missing.");
        }

        output.Write(XadesXml.Canonicalize(signature.SignedInfo, canonicalization));
        output.Write(XadesXml.Canonicalize(signature.SignatureValue, canonicalization));
        if (signature.KeyInfo is not null)
        {
            output.Write(XadesXml.Canonicalize(signature.KeyInfo, canonicalization));
        }

        // 3. Unsigned signature properties before this ArchiveTimeStamp, in order (earlier archive time-stamps included).
        foreach (var property in signature.UnsignedSignatureChildren)
        {
            if (ReferenceEquals(property, archiveTimestamp))
            {
                break;
            }

            output.Write(XadesXml.Canonicalize(property, canonicalization));
        }

        // 4. Every ds:Object except the one holding QualifyingProperties.
        foreach (var obj in signature.Objects)
        {
            if (XadesXml.Child(obj, XadesNames.Xades132Namespace, "QualifyingProperties") is null)
            {
                output.Write(XadesXml.Canonicalize(obj, canonicalization));
            }
        }

        return output.ToArray();
    }
}
