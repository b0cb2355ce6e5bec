namespace SignatureService.Pki.Asn1;

/// <summary>Object identifiers used across the PKI library, with their defining specification.</summary>
internal static class Oids
{
    // RFC 5280 §4.2.1 certificate and §5.2/5.3 CRL extensions.
    public const string SubjectDirectoryAttributes = "2.5.29.9";
    public const string SubjectKeyIdentifier = "2.5.29.14";
    public const string KeyUsage = "2.5.29.15";
    public const string SubjectAltName = "2.5.29.17";
    public const string BasicConstraints = "2.5.29.19";
    public const string CrlNumber = "2.5.29.20";
    public const string CrlReasonCode = "2.5.29.21";
    public const string InvalidityDate = "2.5.29.24";
    public const string CrlDistributionPoints = "2.5.29.31";
    public const string CertificatePolicies = "2.5.29.32";
    public const string AuthorityKeyIdentifier = "2.5.29.35";
    public const string ExtendedKeyUsage = "2.5.29.37";
    public const string AuthorityInfoAccess = "1.3.6.1.5.5.7.1.1";

    // RFC 5280 §4.2.1.4 policy qualifier; §4.2.1.12 key purposes.
    public const string CpsQualifier = "1.3.6.1.5.5.7.2.1";
    public const string KpTimeStamping = "1.3.6.1.5.5.7.3.8";
    public const string KpOcspSigning = "1.3.6.1.5.5.7.3.9";
    public const string KpClientAuth = "1.3.6.1.5.5.7.3.2";

    // RFC 6960 §4.2.1, §4.4.1, §4.2.2.2.1.
    public const string OcspBasic = "1.3.6.1.5.5.7.48.1.1";
    public const string OcspNonce = "1.3.6.1.5.5.7.48.1.2";
    public const string OcspNoCheck = "1.3.6.1.5.5.7.48.1.5";

    // X.520 serialNumber attribute.
    public const string SerialNumberAttribute = "2.5.4.5";
    public const string OrganizationalUnit = "2.5.4.11";

    // Hash algorithms (RFC 3279, RFC 5754 / NIST).
    public const string Sha1 = "1.3.14.3.2.26";
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";
    public const string Sha384 = "2.16.840.1.101.3.4.2.2";
    public const string Sha512 = "2.16.840.1.101.3.4.2.3";

    // RFC 3161 / RFC 5035.
    public const string TstInfo = "1.2.840.113549.1.9.16.1.4";
    public const string SigningCertificateV2 = "1.2.840.113549.1.9.16.2.47";
}
