using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Core.Qualification;
using SignatureService.Pki.Asn1;
using SignatureService.Pki.Errors;
using SignatureService.Pki.HealthcareRoles;

namespace SignatureService.Pki.Certificates;

/// <summary>
/// The fields of a certificate that the service indexes and checks (serial, names, validity, hcRole, usage, policies),
/// read back from DER. Immutable.
/// </summary>
/// <param name="SerialNumberHex">Serial number, upper-case hex, big-endian, as encoded (RFC 5280 §4.1.2.2).</param>
/// <param name="Issuer">Issuer DN in RFC 2253-style display form.</param>
/// <param name="Subject">Subject DN in RFC 2253-style display form.</param>
/// <param name="NotBefore">Start of validity (inclusive, UTC).</param>
/// <param name="NotAfter">End of validity (inclusive, UTC).</param>
/// <param name="Roles">Known hcRoles under the national coding scheme; empty when none.</param>
/// <param name="KeyUsage">keyUsage bits; <see cref="X509KeyUsageFlags.None"/> when absent.</param>
/// <param name="PolicyOids">certificatePolicies OIDs; empty when absent.</param>
/// <param name="IsCertificateAuthority">basicConstraints cA.</param>
/// <param name="Sha256Thumbprint">SHA-256 over the DER certificate, upper-case hex.</param>
/// <param name="SubjectSerialNumber">The Subject serialNumber attribute (the CA-unique subscriber id), or <see langword="null"/>.</param>
/// <param name="SubjectCommonName">The Subject CN (romaji name for HPKI end entities), or <see langword="null"/>.</param>
public sealed record CertificateSummary(
    string SerialNumberHex,
    string Issuer,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    IReadOnlyList<HcRole> Roles,
    X509KeyUsageFlags KeyUsage,
    IReadOnlyList<string> PolicyOids,
    bool IsCertificateAuthority,
    string Sha256Thumbprint,
    string? SubjectSerialNumber,
    string? SubjectCommonName)
{
    /// <summary>Upper bound on accepted certificate size, in bytes.</summary>
    public const int MaxCertificateLength = 64 * 1024;

    /// <summary>Whether this is an HPKI signing certificate: keyUsage nonRepudiation and not a CA.</summary>
    public bool IsSigningCertificate => !IsCertificateAuthority && KeyUsage.HasFlag(X509KeyUsageFlags.NonRepudiation);

    /// <summary>Whether <paramref name="instant"/> lies within the validity period (both ends inclusive).</summary>
    /// <param name="instant">The instant to test.</param>
    /// <returns><see langword="true"/> when in date.</returns>
    public bool IsValidAt(DateTimeOffset instant) => instant >= NotBefore && instant <= NotAfter;

    /// <summary>Reads the summary from a DER certificate.</summary>
    /// <param name="der">The certificate; at most <see cref="MaxCertificateLength"/> bytes.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="PkiException"><see cref="PkiErrorCodes.MalformedEncoding"/> when not a well-formed certificate.</exception>
    public static CertificateSummary Read(ReadOnlySpan<byte> der)
    {
        if (der.Length > MaxCertificateLength)
        {
            throw new PkiException(PkiErrorCodes.MalformedEncoding, "The certificate is too large.");
        }

        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(der);
            return Read(certificate);
        }
        catch (CryptographicException ex)
        {
            throw new PkiException(PkiErrorCodes.MalformedEncoding, "Malformed certificate.", ex);
        }
    }

    /// <summary>Reads the summary from a loaded certificate.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="PkiException"><see cref="PkiErrorCodes.MalformedEncoding"/> when an extension is malformed.</exception>
    public static CertificateSummary Read(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        try
        {
            var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault()?.KeyUsages ?? X509KeyUsageFlags.None;
            var isCa = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault()?.CertificateAuthority ?? false;
            return new CertificateSummary(
                certificate.SerialNumber,
                certificate.Issuer,
                certificate.Subject,
                new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
                new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
                HcRoleExtension.ReadRoles(certificate),
                usage,
                ReadPolicies(certificate),
                isCa,
                Convert.ToHexString(SHA256.HashData(certificate.RawData)),
                SingleAttribute(certificate.SubjectName, Oids.SerialNumberAttribute),
                SingleAttribute(certificate.SubjectName, CommonNameOid));
        }
        catch (AsnContentException ex)
        {
            throw new PkiException(PkiErrorCodes.MalformedEncoding, "Malformed certificate extension.", ex);
        }
        catch (CryptographicException ex)
        {
            throw new PkiException(PkiErrorCodes.MalformedEncoding, "Malformed certificate extension.", ex);
        }
    }

    private const string CommonNameOid = "2.5.4.3";

    private static string? SingleAttribute(X500DistinguishedName name, string oid) =>
        name.EnumerateRelativeDistinguishedNames()
            .Where(rdn => !rdn.HasMultipleElements && rdn.GetSingleElementType().Value == oid)
            .Select(rdn => rdn.GetSingleElementValue())
            .FirstOrDefault();

    private static List<string> ReadPolicies(X509Certificate2 certificate)
    {
        var policies = new List<string>();
        if (certificate.Extensions[Oids.CertificatePolicies] is not { } extension)
        {
            return policies;
        }

        var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        while (sequence.HasData)
        {
            var info = sequence.ReadSequence();
            policies.Add(info.ReadObjectIdentifier());
        }

        return policies;
    }
}
