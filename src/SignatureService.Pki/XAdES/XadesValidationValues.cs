using System.Security.Cryptography.X509Certificates;

namespace SignatureService.Pki.XAdES;

/// <summary>
/// Validation material embedded by ES-XL: DER certificates (xades:CertificateValues) and DER CRLs / OCSP responses
/// (xades:RevocationValues). The caller fetches and checks them; this library only embeds them.
/// </summary>
/// <param name="Certificates">DER X.509 certificates (e.g. the issuing CA and root), in any order.</param>
/// <param name="Crls">DER CertificateList values.</param>
/// <param name="OcspResponses">DER OCSPResponse values (the full response, as XAdES EncapsulatedOCSPValue requires).</param>
public sealed record XadesValidationValues(IReadOnlyList<byte[]> Certificates, IReadOnlyList<byte[]> Crls, IReadOnlyList<byte[]> OcspResponses)
{
    /// <summary>No material.</summary>
    public static XadesValidationValues Empty { get; } = new([], [], []);

    /// <summary>Whether there is nothing to embed.</summary>
    public bool IsEmpty => Certificates.Count == 0 && Crls.Count == 0 && OcspResponses.Count == 0;

    /// <summary>Builds the values from certificate objects plus DER revocation data.</summary>
    public static XadesValidationValues From(IEnumerable<X509Certificate2> certificates, IEnumerable<byte[]>? crls = null, IEnumerable<byte[]>? ocspResponses = null)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        return new([.. certificates.Select(c => c.RawData)], [.. crls ?? []], [.. ocspResponses ?? []]);
    }
}

/// <summary>What the upgrader embeds on the way to ES-XL and ES-A.</summary>
public sealed record XadesUpgradeMaterial
{
    /// <summary>The signer's path (certificates without the signer's own) and its revocation data (at least one CRL or OCSP response).</summary>
    public XadesValidationValues SignerValues { get; init; } = XadesValidationValues.Empty;

    /// <summary>TSA path and revocation data for the SignatureTimeStamp (v1.4.1 TimeStampValidationData); optional.</summary>
    public XadesValidationValues? SignatureTimestampValues { get; init; }

    /// <summary>TSA path and revocation data for the new ArchiveTimeStamp (TimeStampValidationData after it); optional.</summary>
    public XadesValidationValues? ArchiveTimestampValues { get; init; }
}
