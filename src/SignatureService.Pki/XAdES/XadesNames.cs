using System.Security.Cryptography;

namespace SignatureService.Pki.XAdES;

/// <summary>Namespace and algorithm URIs of XMLDSig and XAdES (ETSI TS 101 903 v1.3.2 / v1.4.1) used by the profile.</summary>
internal static class XadesNames
{
    public const string DsNamespace = "http://www.w3.org/2000/09/xmldsig#";
    public const string Xades132Namespace = "http://uri.etsi.org/01903/v1.3.2#";
    public const string Xades141Namespace = "http://uri.etsi.org/01903/v1.4.1#";
    public const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    // Note: the prefixes of the MEDIS samples; verification accepts any prefix.
    public const string DsPrefix = "xs";
    public const string Xades132Prefix = "xa";
    public const string Xades141Prefix = "xa141";

    public const string SignedPropertiesType = "http://uri.etsi.org/01903#SignedProperties";

    public const string InclusiveC14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
    public const string InclusiveC14NWithComments = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
    public const string ExclusiveC14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
    public const string ExclusiveC14NWithComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

    public const string RsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    public const string RsaSha384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384";
    public const string RsaSha512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";

    public const string Sha256 = "http://www.w3.org/2001/04/xmlenc#sha256";
    public const string Sha384 = "http://www.w3.org/2001/04/xmldsig-more#sha384";
    public const string Sha512 = "http://www.w3.org/2001/04/xmlenc#sha512";

    /// <summary>Maps an XMLDSig digest URI to a hash algorithm; null when outside the supported set.</summary>
    public static HashAlgorithmName? DigestAlgorithm(string? uri) => uri switch
    {
        Sha256 => HashAlgorithmName.SHA256,
        Sha384 => HashAlgorithmName.SHA384,
        Sha512 => HashAlgorithmName.SHA512,
        _ => null,
    };

    /// <summary>Maps an XMLDSig RSA signature URI to its hash algorithm; null when outside the supported set.</summary>
    public static HashAlgorithmName? SignatureHashAlgorithm(string? uri) => uri switch
    {
        RsaSha256 => HashAlgorithmName.SHA256,
        RsaSha384 => HashAlgorithmName.SHA384,
        RsaSha512 => HashAlgorithmName.SHA512,
        _ => null,
    };
}
