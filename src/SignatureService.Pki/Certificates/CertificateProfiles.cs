using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Core.Qualification;

namespace SignatureService.Pki.Certificates;

/// <summary>Where relying parties find revocation data and the issuer certificate (RFC 5280 §4.2.1.13, §4.2.2.1).</summary>
/// <param name="CrlDistributionPoint">HTTP URL of the issuer's CRL (or ARL for CA certificates); <see langword="null"/> omits the extension.</param>
/// <param name="Ocsp">HTTP URL of the OCSP responder; <see langword="null"/> omits it from AIA.</param>
/// <param name="CaIssuers">HTTP URL of the issuer certificate; <see langword="null"/> omits it from AIA.</param>
public sealed record RevocationEndpoints(Uri? CrlDistributionPoint = null, Uri? Ocsp = null, Uri? CaIssuers = null);

/// <summary>Options shared by every certificate profile.</summary>
public abstract record CertificateProfileBase
{
    /// <summary>Start of validity; default the current time (from the factory's clock), whole seconds, UTC.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Length of validity (positive); each profile states its default.</summary>
    public TimeSpan? Validity { get; init; }

    /// <summary>Digest for the issuer's signature over this certificate; default SHA-256.</summary>
    public HashAlgorithmName HashAlgorithm { get; init; } = HashAlgorithmName.SHA256;
}

/// <summary>
/// A self-signed root CA (like "MHLW HPKI Root CA V2"): basicConstraints CA critical, keyUsage keyCertSign+cRLSign
/// critical, SKI. Default validity 30 years.
/// </summary>
/// <param name="SubjectName">The root's distinguished name.</param>
public sealed record RootCaProfile(X500DistinguishedName SubjectName) : CertificateProfileBase;

/// <summary>What a subordinate CA issues (DOMAIN.md §2: signing and authentication are separate CAs).</summary>
public enum SubordinateCaPurpose
{
    /// <summary>Issues signing (署名用, nonRepudiation) certificates; CN conventionally ends with "-forNonRepudiation".</summary>
    NonRepudiation = 1,

    /// <summary>Issues authentication (認証用) certificates.</summary>
    Authentication = 2,
}

/// <summary>
/// A subordinate CA: basicConstraints CA pathLen 0 critical, keyUsage keyCertSign+cRLSign critical, certificatePolicies
/// critical, AKI/SKI, ARL distribution point. Default validity 20 years.
/// </summary>
/// <param name="SubjectName">The sub-CA's distinguished name.</param>
/// <param name="Purpose">What the CA issues; picks the default policy OID.</param>
public sealed record SubordinateCaProfile(X500DistinguishedName SubjectName, SubordinateCaPurpose Purpose) : CertificateProfileBase
{
    /// <summary>Policy OID asserted (critical); default from <see cref="HpkiPolicyOids"/> by purpose.</summary>
    public string? PolicyOid { get; init; }

    /// <summary>ARL and issuer URLs published by the parent CA.</summary>
    public RevocationEndpoints Endpoints { get; init; } = new();
}

/// <summary>
/// A delegated OCSP responder (RFC 6960 §4.2.2.2): EKU id-kp-OCSPSigning, id-pkix-ocsp-nocheck, keyUsage
/// digitalSignature critical, AKI/SKI. Default validity 1 year (short, because it is never revocation-checked).
/// </summary>
/// <param name="SubjectName">The responder's distinguished name.</param>
public sealed record OcspResponderProfile(X500DistinguishedName SubjectName) : CertificateProfileBase;

/// <summary>
/// An RFC 3161 time-stamping unit (§2.3): the only EKU is id-kp-timeStamping, marked critical; keyUsage
/// digitalSignature+nonRepudiation critical; AKI/SKI, CRL DP and AIA. Default validity 5 years.
/// </summary>
/// <param name="SubjectName">The TSA's distinguished name.</param>
public sealed record TimestampingProfile(X500DistinguishedName SubjectName) : CertificateProfileBase
{
    /// <summary>Revocation and issuer URLs.</summary>
    public RevocationEndpoints Endpoints { get; init; } = new();
}

/// <summary>
/// The person named in an HPKI end-entity certificate (DOMAIN.md §2): Subject <c>C=JP, O=facility (romaji),
/// [OU=Director,] CN=name (romaji), serialNumber=id</c>, and a subjectAltName directoryName <c>C=JP, O=kanji facility,
/// CN=kanji name, serialNumber=id</c>.
/// </summary>
/// <param name="FacilityRomaji">Facility name in Latin script (Subject O), 1..64 characters.</param>
/// <param name="NameRomaji">Person's name in Latin script (Subject CN), 1..64 characters.</param>
/// <param name="SubjectSerialNumber">CA-unique subscriber id (X.520 serialNumber, PrintableString), 1..64 characters.</param>
/// <param name="FacilityKanji">Facility name in Japanese (subjectAltName O).</param>
/// <param name="NameKanji">Person's name in Japanese (subjectAltName CN).</param>
public sealed record HpkiSubject(
    string FacilityRomaji,
    string NameRomaji,
    string SubjectSerialNumber,
    string FacilityKanji,
    string NameKanji)
{
    /// <summary>Subject OU; set to "Director" for hospital and clinic directors (CP §7.1.2); default none.</summary>
    public string? OrganizationalUnit { get; init; }
}

/// <summary>
/// The HPKI signing (署名用) end-entity certificate: keyUsage critical = nonRepudiation only; certificatePolicies
/// critical; hcRole in subjectDirectoryAttributes; CRL DP; AIA; AKI/SKI; no EKU. Default validity 5 years.
/// </summary>
/// <param name="Subject">Names of the signer.</param>
/// <param name="Roles">hcRoles (at least one).</param>
/// <param name="Endpoints">Revocation and issuer URLs; the CRL distribution point is required.</param>
public sealed record SigningCertificateProfile(HpkiSubject Subject, IReadOnlyList<HcRole> Roles, RevocationEndpoints Endpoints)
    : CertificateProfileBase
{
    /// <summary>Policy OID asserted (critical); default <see cref="HpkiPolicyOids.SigningEndEntity"/>.</summary>
    public string PolicyOid { get; init; } = HpkiPolicyOids.SigningEndEntity;

    /// <summary>Optional CPS URI policy qualifier.</summary>
    public Uri? CpsUri { get; init; }
}

/// <summary>
/// The HPKI authentication (認証用) end-entity certificate: keyUsage digitalSignature critical, EKU clientAuth,
/// certificatePolicies critical, optional hcRole. Default validity 5 years. Never valid for document signatures.
/// </summary>
/// <param name="Subject">Names of the holder.</param>
/// <param name="Endpoints">Revocation and issuer URLs; the CRL distribution point is required.</param>
public sealed record AuthenticationCertificateProfile(HpkiSubject Subject, RevocationEndpoints Endpoints) : CertificateProfileBase
{
    /// <summary>hcRoles to include (optional for authentication certificates).</summary>
    public IReadOnlyList<HcRole> Roles { get; init; } = [];

    /// <summary>Policy OID asserted (critical); default <see cref="HpkiPolicyOids.AuthenticationEndEntity"/>.</summary>
    public string PolicyOid { get; init; } = HpkiPolicyOids.AuthenticationEndEntity;
}
