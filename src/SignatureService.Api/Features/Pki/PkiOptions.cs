using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using SignatureService.Hsm;
using SignatureService.Pki.Certificates;

namespace SignatureService.Api.Features.Pki;

/// <summary>
/// Settings of the service's HPKI certificate authority (section <c>Pki</c>). Defaults follow HPKI: RSA-2048 and SHA-256,
/// root 30 years, sub-CAs 20, end entities 5; policy OIDs on a private test arc (never MHLW's unless accredited).
/// </summary>
public sealed class PkiOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Pki";

    /// <summary>Public base URL relying parties reach this service at; CRL distribution points, AIA OCSP and caIssuers hang under it.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Root CA subject (RFC 4514 string).</summary>
    public string RootSubject { get; set; } = "CN=SignatureService HPKI Root CA, O=SignatureService, C=JP";

    /// <summary>Signing sub-CA subject; HPKI names it "…-forNonRepudiation".</summary>
    public string SigningCaSubject { get; set; } = "CN=SignatureService HPKI CA-forNonRepudiation, O=SignatureService, C=JP";

    /// <summary>Authentication sub-CA subject.</summary>
    public string AuthenticationCaSubject { get; set; } = "CN=SignatureService HPKI CA-forAuthentication, O=SignatureService, C=JP";

    /// <summary>Delegated OCSP responder subject (issued by the signing sub-CA).</summary>
    public string OcspResponderSubject { get; set; } = "CN=SignatureService HPKI OCSP Responder, O=SignatureService, C=JP";

    /// <summary>Time-stamping unit subject (issued by the signing sub-CA).</summary>
    public string TimestampingSubject { get; set; } = "CN=SignatureService Time-Stamping Unit, O=SignatureService, C=JP";

    /// <summary>Key algorithm of CA, responder, TSA and signer keys: <c>Rsa2048</c> (HPKI), <c>Rsa3072</c> or <c>EcP256</c>.</summary>
    public HsmKeyAlgorithm KeyAlgorithm { get; set; } = HsmKeyAlgorithm.Rsa2048;

    /// <summary>Root validity in years (1–50).</summary>
    public int RootYears { get; set; } = HpkiCertificateBuilder.RootCaYears;

    /// <summary>Sub-CA validity in years (1–40); must not exceed the root's.</summary>
    public int SubordinateCaYears { get; set; } = HpkiCertificateBuilder.SubordinateCaYears;

    /// <summary>Signer, authentication and TSA certificate validity in years (1–10).</summary>
    public int EndEntityYears { get; set; } = HpkiCertificateBuilder.EndEntityYears;

    /// <summary>Delegated OCSP responder validity in years (1–5; short because it is never status-checked).</summary>
    public int OcspResponderYears { get; set; } = HpkiCertificateBuilder.OcspResponderYears;

    /// <summary>Policy OID of signer certificates (critical certificatePolicies).</summary>
    public string SigningPolicyOid { get; set; } = HpkiPolicyOids.SigningEndEntity;

    /// <summary>Policy OID of the signing sub-CA.</summary>
    public string SigningCaPolicyOid { get; set; } = HpkiPolicyOids.SigningCa;

    /// <summary>Policy OID of the authentication sub-CA.</summary>
    public string AuthenticationCaPolicyOid { get; set; } = HpkiPolicyOids.AuthenticationCa;

    /// <summary>RFC 3161 policy of the TSA.</summary>
    public string TimestampPolicyOid { get; set; } = HpkiPolicyOids.TimestampPolicy;

    /// <summary>CRL nextUpdate − thisUpdate (1 minute – 31 days); default 24 hours.</summary>
    public TimeSpan CrlValidity { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the schedule checks CRLs; a CRL past half its validity is re-issued. Default 15 minutes, at least 10 s.</summary>
    public TimeSpan CrlCheckInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>OCSP response nextUpdate − thisUpdate (1 minute – 7 days); default 1 hour.</summary>
    public TimeSpan OcspResponseValidity { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Digest for CA signatures; default SHA-256.</summary>
    public HashAlgorithmName HashAlgorithm => HashAlgorithmName.SHA256;

    /// <summary>The URL of a CA's CRL (<c>/pki/crl/{name}.crl</c>).</summary>
    public Uri CrlUrl(string caName) => new(new Uri(PublicBaseUrl.TrimEnd('/') + "/"), $"pki/crl/{caName}.crl");

    /// <summary>The URL of a CA's certificate (<c>/pki/ca/{name}.cer</c>).</summary>
    public Uri CaUrl(string caName) => new(new Uri(PublicBaseUrl.TrimEnd('/') + "/"), $"pki/ca/{caName}.cer");

    /// <summary>The OCSP responder URL (<c>/pki/ocsp</c>).</summary>
    public Uri OcspUrl => new(new Uri(PublicBaseUrl.TrimEnd('/') + "/"), "pki/ocsp");
}

/// <summary>Checks <see cref="PkiOptions"/> at start: each failure names its setting.</summary>
internal sealed class PkiOptionsValidator : IValidateOptions<PkiOptions>
{
    public ValidateOptionsResult Validate(string? name, PkiOptions options)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https") ||
            !string.IsNullOrEmpty(baseUrl.Query) || !string.IsNullOrEmpty(baseUrl.Fragment))
        {
            failures.Add("Pki:PublicBaseUrl must be an absolute http(s) URL without query or fragment.");
        }

        foreach (var (setting, value) in new[]
                 {
                     ("RootSubject", options.RootSubject), ("SigningCaSubject", options.SigningCaSubject),
                     ("AuthenticationCaSubject", options.AuthenticationCaSubject), ("OcspResponderSubject", options.OcspResponderSubject),
                     ("TimestampingSubject", options.TimestampingSubject),
                 })
        {
            try
            {
                if (string.IsNullOrWhiteSpace(value) || new X500DistinguishedName(value).RawData.Length > 1024)
                {
                    failures.Add($"Pki:{setting} must be a distinguished name such as 'CN=..., O=..., C=JP'.");
                }
            }
            catch (CryptographicException)
            {
                failures.Add($"Pki:{setting} is not a valid distinguished name.");
            }
        }

        foreach (var (setting, value) in new[]
                 {
                     ("SigningPolicyOid", options.SigningPolicyOid), ("SigningCaPolicyOid", options.SigningCaPolicyOid),
                     ("AuthenticationCaPolicyOid", options.AuthenticationCaPolicyOid), ("TimestampPolicyOid", options.TimestampPolicyOid),
                 })
        {
            if (!IsOid(value))
            {
                failures.Add($"Pki:{setting} must be a dotted object identifier.");
            }
        }

        if (!Enum.IsDefined(options.KeyAlgorithm))
        {
            failures.Add("Pki:KeyAlgorithm must be Rsa2048, Rsa3072 or EcP256.");
        }

        Range(failures, "RootYears", options.RootYears, 1, 50);
        Range(failures, "SubordinateCaYears", options.SubordinateCaYears, 1, 40);
        Range(failures, "EndEntityYears", options.EndEntityYears, 1, 10);
        Range(failures, "OcspResponderYears", options.OcspResponderYears, 1, 5);
        if (options.SubordinateCaYears > options.RootYears || options.EndEntityYears > options.SubordinateCaYears ||
            options.OcspResponderYears > options.SubordinateCaYears)
        {
            failures.Add("Pki: validity must shrink down the hierarchy (RootYears >= SubordinateCaYears >= EndEntityYears, OcspResponderYears).");
        }

        if (options.CrlValidity < TimeSpan.FromMinutes(1) || options.CrlValidity > TimeSpan.FromDays(31))
        {
            failures.Add("Pki:CrlValidity must be between 00:01:00 and 31.00:00:00.");
        }

        if (options.CrlCheckInterval < TimeSpan.FromSeconds(10) || options.CrlCheckInterval > options.CrlValidity / 2)
        {
            failures.Add("Pki:CrlCheckInterval must be at least 10 s and at most half of Pki:CrlValidity.");
        }

        if (options.OcspResponseValidity < TimeSpan.FromMinutes(1) || options.OcspResponseValidity > TimeSpan.FromDays(7))
        {
            failures.Add("Pki:OcspResponseValidity must be between 00:01:00 and 7.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string setting, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"Pki:{setting} must be {min}..{max}.");
        }
    }

    private static bool IsOid(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 200)
        {
            return false;
        }

        var arcs = value.Split('.');
        return arcs.Length >= 2 && arcs[0] is "0" or "1" or "2" &&
               arcs.All(a => a.Length > 0 && a.All(char.IsAsciiDigit) && (a.Length == 1 || a[0] != '0'));
    }
}
