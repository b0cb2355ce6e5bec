using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SignatureService.Data.Identity;
using SignatureService.Data.Pki;
using SignatureService.Data.Users;

namespace SignatureService.Data.Proofing;

/// <summary>
/// An identity-proofing application recorded by an RA operator (issue 5). Personal data (the basic four facts, contact,
/// license number, facility) is nullable so the retention purge can erase it; never log any of it.
/// </summary>
public sealed class ProofingApplicationRecord
{
    /// <summary>Row id (the application id).</summary>
    public Guid Id { get; set; }

    /// <summary>One of <see cref="ProofingApplicationStatus"/>.</summary>
    public required string Status { get; set; }

    /// <summary><c>nist-800-63a-4-ial3</c> or <c>mhlw-guideline</c>.</summary>
    public required string Profile { get; set; }

    /// <summary>in-person, attended-remote, online-my-number-card or mail.</summary>
    public required string Route { get; set; }

    /// <summary>initial, re-proofing-expiry or re-proofing-key-loss.</summary>
    public required string Purpose { get; set; }

    /// <summary>The signer this application enrols (set for re-proofing, or at approval for an initial application).</summary>
    public Guid? SubjectUserId { get; set; }

    /// <summary>Family name (kanji).</summary>
    public string? FamilyName { get; set; }

    /// <summary>Given name (kanji).</summary>
    public string? GivenName { get; set; }

    /// <summary>Family name in kana.</summary>
    public string? FamilyNameKana { get; set; }

    /// <summary>Given name in kana.</summary>
    public string? GivenNameKana { get; set; }

    /// <summary>Name in romaji (certificate Subject CN).</summary>
    public string? NameRomaji { get; set; }

    /// <summary>Date of birth.</summary>
    public DateOnly? DateOfBirth { get; set; }

    /// <summary>Sex, JIS X 0303 (1 male, 2 female, 9 not applicable).</summary>
    public short? Sex { get; set; }

    /// <summary>Postal code <c>NNN-NNNN</c>.</summary>
    public string? PostalCode { get; set; }

    /// <summary>Address as on the resident record.</summary>
    public string? Address { get; set; }

    /// <summary>Phone number.</summary>
    public string? Phone { get; set; }

    /// <summary>E-mail address.</summary>
    public string? Email { get; set; }

    /// <summary>doctor, dentist or pharmacist.</summary>
    public required string Profession { get; set; }

    /// <summary>License number.</summary>
    public string? LicenseNumber { get; set; }

    /// <summary>License registration date.</summary>
    public DateOnly? LicenseRegistrationDate { get; set; }

    /// <summary>The registry entry matched at registration.</summary>
    public Guid? LicenseId { get; set; }

    /// <summary>Result of the registry check (<c>matched</c>; failed checks are refused and audited, not stored).</summary>
    public required string LicenseCheck { get; set; }

    /// <summary>When the registry was checked (UTC).</summary>
    public DateTimeOffset LicenseCheckedAt { get; set; }

    /// <summary>Facility name (kanji; certificate subjectAltName O).</summary>
    public string? FacilityName { get; set; }

    /// <summary>Facility name in romaji (certificate Subject O).</summary>
    public string? FacilityNameRomaji { get; set; }

    /// <summary>The applicant consented to the biometric capture.</summary>
    public bool BiometricConsent { get; set; }

    /// <summary>SHA-256 of the captured biometric reference (the image itself is kept outside the database).</summary>
    public byte[]? BiometricReferenceSha256 { get; set; }

    /// <summary>When the notification of proofing was sent to the validated postal address.</summary>
    public DateTimeOffset? PostalNotificationSentAt { get; set; }

    /// <summary>How the first key's binding was attested: <c>attended-session</c> or <c>biometric-rematch</c> (IAL3 profile).</summary>
    public string? BindingAttestation { get; set; }

    /// <summary>The RA operator who attested the binding.</summary>
    public Guid? BindingAttestedBy { get; set; }

    /// <summary>When the binding was attested; the binding must follow within the configured window.</summary>
    public DateTimeOffset? BindingAttestedAt { get; set; }

    /// <summary>SHA-256 of the live biometric sample that re-matched the reference (the sample itself is kept outside).</summary>
    public byte[]? BindingSampleSha256 { get; set; }

    /// <summary>The IAL (1–3) the verification achieved.</summary>
    public short? AchievedIal { get; set; }

    /// <summary>The RA operator who verified.</summary>
    public Guid? VerifiedBy { get; set; }

    /// <summary>Verification time.</summary>
    public DateTimeOffset? VerifiedAt { get; set; }

    /// <summary>The second RA operator who approved or rejected.</summary>
    public Guid? DecidedBy { get; set; }

    /// <summary>Decision time.</summary>
    public DateTimeOffset? DecidedAt { get; set; }

    /// <summary>Why it was rejected.</summary>
    public string? RejectionReason { get; set; }

    /// <summary>The enrollment code issued on approval.</summary>
    public Guid? EnrollmentId { get; set; }

    /// <summary>The signing certificate issued at binding.</summary>
    public Guid? CertificateId { get; set; }

    /// <summary>When the applicant bound a key and received the certificate.</summary>
    public DateTimeOffset? EnrolledAt { get; set; }

    /// <summary>The RA operator who recorded it.</summary>
    public Guid CreatedBy { get; set; }

    /// <summary>Creation time.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last change.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the application closed (rejected or enrolled): the retention period runs from here.</summary>
    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>When the purge erased its personal data.</summary>
    public DateTimeOffset? PersonalDataPurgedAt { get; set; }
}

/// <summary>Application states.</summary>
public static class ProofingApplicationStatus
{
    /// <summary>Recorded with a matched license; evidence may be added.</summary>
    public const string Recorded = "recorded";

    /// <summary>Verified by a first RA operator; awaits a second one.</summary>
    public const string Verified = "verified";

    /// <summary>Approved; the enrollment code was issued.</summary>
    public const string Approved = "approved";

    /// <summary>Rejected (final).</summary>
    public const string Rejected = "rejected";

    /// <summary>The applicant bound a key; the certificate is issued (final).</summary>
    public const string Enrolled = "enrolled";
}

internal sealed class ProofingApplicationRecordConfiguration : IEntityTypeConfiguration<ProofingApplicationRecord>
{
    public void Configure(EntityTypeBuilder<ProofingApplicationRecord> builder)
    {
        builder.ToTable("proofing_applications");
        builder.HasKey(a => a.Id);
        // Note: the relationships tell EF the insert order (user, enrollment code, then the application that points to them).
        builder.HasOne<UserRecord>().WithMany().HasForeignKey(a => a.SubjectUserId);
        builder.HasOne<EnrollmentCodeRecord>().WithMany().HasForeignKey(a => a.EnrollmentId);
        builder.HasOne<CertificateRecord>().WithMany().HasForeignKey(a => a.CertificateId);
        // Note: xmin makes two operators' concurrent decisions on one application fail instead of overwriting each other.
        builder.Property<uint>("Version").HasColumnName("xmin").HasColumnType("xid").IsRowVersion();
    }
}
