namespace SignatureService.Api.Features.Proofing;

/// <summary>
/// Body of <c>POST /v1/proofing/applications</c>: the basic four facts (name with kana, date of birth, sex, address), contact,
/// the license to check against the registry, the facility, and how the applicant is proofed. Dates are <c>yyyy-MM-dd</c>.
/// </summary>
/// <param name="Profile"><c>nist-800-63a-4-ial3</c> or <c>mhlw-guideline</c>.</param>
/// <param name="Route"><c>in-person</c>, <c>attended-remote</c>, <c>online-my-number-card</c> or <c>mail</c>.</param>
/// <param name="Purpose"><c>initial</c> (default), <c>re-proofing-expiry</c> or <c>re-proofing-key-loss</c>.</param>
/// <param name="SubjectUserId">For re-proofing: the existing signer.</param>
/// <param name="FamilyName">Family name (kanji), 1–50.</param>
/// <param name="GivenName">Given name (kanji), 1–50.</param>
/// <param name="FamilyNameKana">Family name in kana, 1–50.</param>
/// <param name="GivenNameKana">Given name in kana, 1–50.</param>
/// <param name="NameRomaji">Name in romaji for the certificate, 1–64.</param>
/// <param name="DateOfBirth">Date of birth (age 18–120).</param>
/// <param name="Sex"><c>male</c>, <c>female</c> or <c>not-applicable</c>.</param>
/// <param name="PostalCode"><c>NNN-NNNN</c>.</param>
/// <param name="Address">Address as on the resident record, 1–200.</param>
/// <param name="Phone">Phone (phone or e-mail required).</param>
/// <param name="Email">E-mail.</param>
/// <param name="Profession"><c>doctor</c>, <c>dentist</c> or <c>pharmacist</c>.</param>
/// <param name="LicenseNumber">License number.</param>
/// <param name="LicenseRegistrationDate">License registration date.</param>
/// <param name="FacilityName">Facility (kanji), 1–64.</param>
/// <param name="FacilityNameRomaji">Facility in romaji, 1–64.</param>
public sealed record CreateApplicationRequest(
    string? Profile, string? Route, string? Purpose, Guid? SubjectUserId,
    string? FamilyName, string? GivenName, string? FamilyNameKana, string? GivenNameKana, string? NameRomaji,
    string? DateOfBirth, string? Sex, string? PostalCode, string? Address, string? Phone, string? Email,
    string? Profession, string? LicenseNumber, string? LicenseRegistrationDate, string? FacilityName, string? FacilityNameRomaji);

/// <summary>Body of <c>POST /v1/proofing/applications/{id}/evidence</c>.</summary>
/// <param name="Kind">Evidence kind (my-number-card, drivers-licence, passport, residence-card, health-insurance-card, pension-book, resident-record, seal-registration-certificate, jpki-signature).</param>
/// <param name="Strength"><c>superior</c>, <c>strong</c> or <c>fair</c>.</param>
/// <param name="Issuer">Issuing authority, 1–100.</param>
/// <param name="Number">The document number (stored masked plus a keyed hash only), 1–40.</param>
/// <param name="ExpiresOn">Expiry date; an expired document is refused.</param>
/// <param name="ScanSha256">SHA-256 of the scan, hex (the scan itself is not sent).</param>
/// <param name="ValidationMethod"><c>visual-inspection</c>, <c>ic-chip-read</c>, <c>signature-verification</c> or <c>issuer-confirmation</c>.</param>
public sealed record AddEvidenceRequest(
    string? Kind, string? Strength, string? Issuer, string? Number, string? ExpiresOn, string? ScanSha256, string? ValidationMethod);

/// <summary>Body of <c>POST /v1/proofing/applications/{id}/jpki-signature</c>.</summary>
/// <param name="Cms">Base64 DER CMS SignedData, detached, over the application's signing input, by the My Number card's JPKI signing key.</param>
public sealed record JpkiSignatureRequest(string? Cms);

/// <summary>The exact bytes the applicant signs with the My Number card (base64).</summary>
public sealed record SigningInputView(Guid ApplicationId, string SigningInput);

/// <summary>Body of <c>POST /v1/proofing/applications/{id}/verification</c>: what the attended session established.</summary>
/// <param name="BiometricConsent">The applicant consented to the biometric capture (recorded).</param>
/// <param name="BiometricReferenceSha256">SHA-256 (hex) of the captured facial image, kept outside the database.</param>
/// <param name="PostalNotificationSent">A notification of proofing was sent to the validated postal address.</param>
public sealed record VerifyApplicationRequest(bool? BiometricConsent, string? BiometricReferenceSha256, bool? PostalNotificationSent);

/// <summary>Body of <c>POST /v1/proofing/applications/{id}/rejection</c> and of a signer suspension.</summary>
/// <param name="Reason">Why, 1–500 characters (no personal data).</param>
public sealed record ReasonRequest(string? Reason);

/// <summary>
/// An RA operator attests how the applicant's first key will be bound: <c>attended-session</c> (the operator is with the
/// applicant now) or <c>biometric-rematch</c> (a live sample matched the reference captured at verification; its SHA-256 in hex).
/// </summary>
public sealed record BindingAttestationRequest(string? Method, string? BiometricSampleSha256);

/// <summary>An evidence item as the RA sees it (number masked).</summary>
public sealed record EvidenceView(
    Guid Id, string Kind, string Strength, string Issuer, string? NumberMasked, DateOnly? ExpiresOn, string? ScanSha256,
    string ValidationMethod, Guid ValidatedBy, DateTimeOffset ValidatedAt);

/// <summary>An application as the RA sees it (personal data is null after the retention purge).</summary>
public sealed record ApplicationView(
    Guid Id, string Status, string Profile, string Route, string Purpose, Guid? SubjectUserId,
    string? FamilyName, string? GivenName, string? FamilyNameKana, string? GivenNameKana, string? NameRomaji,
    DateOnly? DateOfBirth, string? Sex, string? PostalCode, string? Address, string? Phone, string? Email,
    string Profession, string? LicenseNumber, DateOnly? LicenseRegistrationDate, string LicenseCheck, DateTimeOffset LicenseCheckedAt,
    string? FacilityName, string? FacilityNameRomaji, string? AchievedIal, Guid? VerifiedBy, DateTimeOffset? VerifiedAt,
    Guid? DecidedBy, DateTimeOffset? DecidedAt, Guid? EnrollmentId, Guid? CertificateId, DateTimeOffset? EnrolledAt,
    Guid CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? PersonalDataPurgedAt, IReadOnlyList<EvidenceView> Evidence);

/// <summary>The approval: the enrollment code is shown this once (for the registered letter) and stored only as a hash.</summary>
public sealed record ApprovalView(Guid ApplicationId, Guid UserId, Guid EnrollmentId, string EnrollmentCode, DateTimeOffset ExpiresAt);

/// <summary>The binding result: the registered key and the issued signing certificate.</summary>
public sealed record BindingView(Guid UserId, Guid KeyId, string CertificateSerialNumber, IReadOnlyList<string> HcRoles, string CertificatePem);

/// <summary>A signer's state after a lifecycle change.</summary>
public sealed record SignerStatusView(Guid UserId, string Status, int Credentials, int Certificates);

/// <summary>What a purge run erased.</summary>
public sealed record PurgeView(int Applications, int EvidenceItems);
