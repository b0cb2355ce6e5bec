using System.Security.Cryptography.X509Certificates;

namespace SignatureService.Pki.XAdES;

/// <summary>Outcome of one verification check.</summary>
public enum XadesCheckStatus
{
    /// <summary>The check ran and succeeded.</summary>
    Passed,

    /// <summary>The check ran and found the signature defective.</summary>
    Failed,

    /// <summary>The check does not apply (e.g. archive time-stamp of an ES-T signature).</summary>
    NotApplicable,

    /// <summary>The check could not decide (missing input, unsupported feature).</summary>
    Indeterminate,
}

/// <summary>Stable names of the checks the verifier runs, plus the ones the integrator adds through <see cref="IXadesSignatureCheck"/>.</summary>
public static class XadesCheckNames
{
    /// <summary>Profile shape: Ids, SignedInfo algorithms, three references, KeyInfo, QualifyingProperties Target.</summary>
    public const string Structure = "structure";

    /// <summary>One per ds:Reference: recomputed digest equals DigestValue (Target = the URI).</summary>
    public const string ReferenceDigest = "reference-digest";

    /// <summary>SignatureValue over the canonicalized SignedInfo with the KeyInfo certificate's key.</summary>
    public const string SignatureValue = "signature-value";

    /// <summary>SigningCertificateV2 (or V1) digest, and IssuerSerial(V2) when present, match the KeyInfo certificate.</summary>
    public const string SigningCertificate = "signing-certificate";

    /// <summary>SigningTime present and an xs:dateTime.</summary>
    public const string SigningTime = "signing-time";

    /// <summary>The signer certificate has keyUsage nonRepudiation.</summary>
    public const string KeyUsage = "key-usage";

    /// <summary>SignatureTimeStamp imprint equals the hash of the canonicalized SignatureValue.</summary>
    public const string SignatureTimestampImprint = "signature-timestamp-imprint";

    /// <summary>SignatureTimeStamp token's CMS signature verifies with its TSA certificate.</summary>
    public const string SignatureTimestampSignature = "signature-timestamp-signature";

    /// <summary>SigningTime ≤ SignatureTimeStamp genTime ≤ each ArchiveTimeStamp genTime (genTime accuracy ignored).</summary>
    public const string TimestampOrder = "timestamp-order";

    /// <summary>CertificateValues and RevocationValues present and decodable (ES-XL and above).</summary>
    public const string ValidationData = "validation-data";

    /// <summary>One per ArchiveTimeStamp: imprint equals the hash of the TS 101 903 v1.4.1 §8.2.1 input.</summary>
    public const string ArchiveTimestampImprint = "archive-timestamp-imprint";

    /// <summary>One per ArchiveTimeStamp: token's CMS signature verifies.</summary>
    public const string ArchiveTimestampSignature = "archive-timestamp-signature";

    /// <summary>Integrator check: signer and TSA paths to the configured HPKI trust anchors.</summary>
    public const string TrustChain = "trust-chain";

    /// <summary>Integrator check: signer certificate not revoked at the signature time-stamp's time.</summary>
    public const string Revocation = "revocation";

    /// <summary>Integrator check: hcRole of the signer permits the document type.</summary>
    public const string HcRole = "hc-role";
}

/// <summary>One check's result.</summary>
/// <param name="Check">A name from <see cref="XadesCheckNames"/> (or the integrator's own).</param>
/// <param name="Status">Outcome.</param>
/// <param name="Code">A code from <see cref="XadesErrorCodes"/> (<see cref="XadesErrorCodes.Ok"/> when passed).</param>
/// <param name="Detail">A short human explanation without document content.</param>
/// <param name="Target">What the check looked at when there are several (a reference URI, a time-stamp Id), else null.</param>
public sealed record XadesCheckResult(string Check, XadesCheckStatus Status, string Code, string Detail, string? Target = null)
{
    /// <summary>A passed result.</summary>
    public static XadesCheckResult Pass(string check, string detail, string? target = null) =>
        new(check, XadesCheckStatus.Passed, XadesErrorCodes.Ok, detail, target);

    /// <summary>A failed result.</summary>
    public static XadesCheckResult Fail(string check, string code, string detail, string? target = null) =>
        new(check, XadesCheckStatus.Failed, code, detail, target);

    /// <summary>A not-applicable result.</summary>
    public static XadesCheckResult NotApplicable(string check, string detail) =>
        new(check, XadesCheckStatus.NotApplicable, XadesErrorCodes.NotApplicable, detail);
}

/// <summary>
/// Verification of one ds:Signature: the checks, and the evidence integrator checks need (certificates, revocation
/// values, times). Not thread-safe while checks are being added.
/// </summary>
public sealed class XadesSignatureReport
{
    private readonly List<XadesCheckResult> _checks = [];

    internal XadesSignatureReport(string? signatureId) => SignatureId = signatureId;

    /// <summary>The ds:Signature Id (e.g. PrescriptionSign), or null when absent.</summary>
    public string? SignatureId { get; }

    /// <summary>The document type implied by the signature Id, or null when it is not one of the profile's.</summary>
    public XadesDocumentType? DocumentType { get; internal set; }

    /// <summary>The XAdES form found.</summary>
    public XadesLevel Level { get; internal set; }

    /// <summary>The KeyInfo certificate, when decodable.</summary>
    public X509Certificate2? SigningCertificate { get; internal set; }

    /// <summary>The claimed SigningTime (signed property, not trusted time).</summary>
    public DateTimeOffset? SigningTime { get; internal set; }

    /// <summary>genTime of the SignatureTimeStamp (trusted time of existence), when present and decodable.</summary>
    public DateTimeOffset? SignatureTimestampTime { get; internal set; }

    /// <summary>genTime of each ArchiveTimeStamp, in document order.</summary>
    public IReadOnlyList<DateTimeOffset> ArchiveTimestampTimes { get; internal set; } = [];

    /// <summary>Decodable certificates from CertificateValues and TimeStampValidationData (for path building).</summary>
    public IReadOnlyList<X509Certificate2> EmbeddedCertificates { get; internal set; } = [];

    /// <summary>Decodable DER CRLs from RevocationValues (signer's and TSA's).</summary>
    public IReadOnlyList<byte[]> EmbeddedCrls { get; internal set; } = [];

    /// <summary>DER OCSP responses from RevocationValues.</summary>
    public IReadOnlyList<byte[]> EmbeddedOcspResponses { get; internal set; } = [];

    /// <summary>TSA certificates that signed the signature and archive time-stamps.</summary>
    public IReadOnlyList<X509Certificate2> TimestampAuthorityCertificates { get; internal set; } = [];

    /// <summary>All check results, in the order they ran.</summary>
    public IReadOnlyList<XadesCheckResult> Checks => _checks;

    /// <summary>Failed if any check failed; Indeterminate if any is indeterminate; otherwise Passed.</summary>
    public XadesCheckStatus Outcome =>
        _checks.Any(c => c.Status == XadesCheckStatus.Failed) ? XadesCheckStatus.Failed
        : _checks.Any(c => c.Status == XadesCheckStatus.Indeterminate) ? XadesCheckStatus.Indeterminate
        : XadesCheckStatus.Passed;

    /// <summary>Adds a result, e.g. the integrator's trust-chain, revocation or hcRole decision.</summary>
    public void Add(XadesCheckResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _checks.Add(result);
    }

    /// <summary>Results of one check name.</summary>
    public IEnumerable<XadesCheckResult> Results(string check) => _checks.Where(c => c.Check == check);
}

/// <summary>Verification of a whole document.</summary>
public sealed class XadesVerificationReport
{
    internal XadesVerificationReport(IReadOnlyList<XadesSignatureReport> signatures, string? errorCode)
    {
        Signatures = signatures;
        ErrorCode = errorCode;
    }

    /// <summary>One report per ds:Signature, in document order (a dispensing record holds two).</summary>
    public IReadOnlyList<XadesSignatureReport> Signatures { get; }

    /// <summary>Set when the document itself could not be processed (<see cref="XadesErrorCodes.Malformed"/>,
    /// <see cref="XadesErrorCodes.TooLarge"/>, <see cref="XadesErrorCodes.SignatureMissing"/>); null otherwise.</summary>
    public string? ErrorCode { get; }

    /// <summary>True when the document parsed, has signatures, and no check of any signature failed or is indeterminate.</summary>
    public bool IsValid => ErrorCode is null && Signatures.Count > 0 && Signatures.All(s => s.Outcome == XadesCheckStatus.Passed);

    /// <summary>The report of the signature with the given Id, or null.</summary>
    public XadesSignatureReport? Signature(string signatureId) => Signatures.FirstOrDefault(s => s.SignatureId == signatureId);
}

/// <summary>
/// A check the integrator plugs into <see cref="XadesVerifier"/>, run after the built-in ones on each signature
/// (trust chain to the HPKI anchors, revocation at the time-stamp's time, hcRole versus document type).
/// </summary>
public interface IXadesSignatureCheck
{
    /// <summary>Evaluates the signature from the report's evidence and returns the result to append.</summary>
    XadesCheckResult Evaluate(XadesSignatureReport report);
}
