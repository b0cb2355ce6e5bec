namespace SignatureService.Core.Proofing;

/// <summary>How the applicant was proofed (DOMAIN.md §5; stored as these texts).</summary>
public static class ProofingRoutes
{
    /// <summary>In person at the registration authority (attended).</summary>
    public const string InPerson = "in-person";

    /// <summary>Attended remote: a supervised kiosk with an operator watching live.</summary>
    public const string AttendedRemote = "attended-remote";

    /// <summary>Online with the My Number card: the applicant's JPKI signature over the application.</summary>
    public const string OnlineMyNumberCard = "online-my-number-card";

    /// <summary>Mail: a copy of the ID with a registered-seal certificate, plus a resident record.</summary>
    public const string Mail = "mail";

    /// <summary>Every route.</summary>
    public static IReadOnlyList<string> All { get; } = [InPerson, AttendedRemote, OnlineMyNumberCard, Mail];

    /// <summary>Whether an operator attends the session (NIST SP 800-63A-4 IAL3 requires it).</summary>
    public static bool IsAttended(string route) => route is InPerson or AttendedRemote;
}

/// <summary>Kinds of identity evidence; photo IDs are the ones the MHLW guideline accepts on their own.</summary>
public static class EvidenceKinds
{
    /// <summary>My Number card (個人番号カード), photo ID.</summary>
    public const string MyNumberCard = "my-number-card";

    /// <summary>Driver's licence (運転免許証), photo ID.</summary>
    public const string DriversLicence = "drivers-licence";

    /// <summary>Passport (旅券), photo ID.</summary>
    public const string Passport = "passport";

    /// <summary>Residence card (在留カード), photo ID.</summary>
    public const string ResidenceCard = "residence-card";

    /// <summary>Health insurance card (被保険者証), not a photo ID.</summary>
    public const string HealthInsuranceCard = "health-insurance-card";

    /// <summary>Pension book (年金手帳), not a photo ID.</summary>
    public const string PensionBook = "pension-book";

    /// <summary>Resident record (住民票の写し): the address evidence every guideline route asks for.</summary>
    public const string ResidentRecord = "resident-record";

    /// <summary>Seal-registration certificate (印鑑登録証明書), required on the mail route.</summary>
    public const string SealRegistrationCertificate = "seal-registration-certificate";

    /// <summary>The applicant's JPKI signature (My Number card signing certificate) over the application.</summary>
    public const string JpkiSignature = "jpki-signature";

    /// <summary>Every kind.</summary>
    public static IReadOnlyList<string> All { get; } =
        [MyNumberCard, DriversLicence, Passport, ResidenceCard, HealthInsuranceCard, PensionBook, ResidentRecord, SealRegistrationCertificate, JpkiSignature];

    /// <summary>Photo IDs: one is enough under the MHLW guideline.</summary>
    public static bool IsPhotoId(string kind) => kind is MyNumberCard or DriversLicence or Passport or ResidenceCard;

    /// <summary>Other IDs: two are needed under the MHLW guideline (the resident record, seal certificate and JPKI signature play their own parts).</summary>
    public static bool IsOtherId(string kind) => kind is HealthInsuranceCard or PensionBook;
}

/// <summary>Evidence strength (NIST SP 800-63A-4 §2.4.1 scale, stored lower case).</summary>
public static class EvidenceStrengths
{
    /// <summary>SUPERIOR.</summary>
    public const string Superior = "superior";

    /// <summary>STRONG.</summary>
    public const string Strong = "strong";

    /// <summary>FAIR.</summary>
    public const string Fair = "fair";

    /// <summary>Every strength, strongest first.</summary>
    public static IReadOnlyList<string> All { get; } = [Superior, Strong, Fair];
}

/// <summary>How an evidence item was validated.</summary>
public static class ValidationMethods
{
    /// <summary>Visual inspection of the physical document by a trained operator.</summary>
    public const string VisualInspection = "visual-inspection";

    /// <summary>The document's IC chip read and its issuer signature checked.</summary>
    public const string ChipRead = "ic-chip-read";

    /// <summary>A digital signature verified (e.g. the JPKI signature).</summary>
    public const string SignatureVerification = "signature-verification";

    /// <summary>Confirmed with the issuing authority's records.</summary>
    public const string IssuerConfirmation = "issuer-confirmation";

    /// <summary>Every method.</summary>
    public static IReadOnlyList<string> All { get; } = [VisualInspection, ChipRead, SignatureVerification, IssuerConfirmation];
}

/// <summary>The two proofing profiles.</summary>
public static class ProofingProfiles
{
    /// <summary>NIST SP 800-63A-4 IAL3.</summary>
    public const string NistIal3 = "nist-800-63a-4-ial3";

    /// <summary>The MHLW HPKI guideline's routes.</summary>
    public const string MhlwGuideline = "mhlw-guideline";

    /// <summary>Every profile.</summary>
    public static IReadOnlyList<string> All { get; } = [NistIal3, MhlwGuideline];
}

/// <summary>Identity assurance levels (NIST SP 800-63-4), ordered.</summary>
public enum IdentityAssuranceLevel
{
    /// <summary>IAL1: no evidence requirement met.</summary>
    Ial1 = 1,

    /// <summary>IAL2: evidence strength met, remote or attended.</summary>
    Ial2 = 2,

    /// <summary>IAL3: evidence strength met in an attended session with a biometric and a postal notification.</summary>
    Ial3 = 3,
}

/// <summary>How an RA operator attests the binding of an IAL3 applicant's first key (NIST SP 800-63A-4).</summary>
public static class BindingAttestations
{
    /// <summary>The operator is with the applicant in the attended session while the key is bound.</summary>
    public const string AttendedSession = "attended-session";

    /// <summary>A live biometric sample re-matched the reference captured at verification.</summary>
    public const string BiometricRematch = "biometric-rematch";
}
