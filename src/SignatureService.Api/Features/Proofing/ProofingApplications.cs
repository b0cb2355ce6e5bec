using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Features.Pki;
using SignatureService.Core.Errors;
using SignatureService.Core.Proofing;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Identity;
using SignatureService.Data.Proofing;
using SignatureService.Data.Users;

namespace SignatureService.Api.Features.Proofing;

/// <summary>
/// The RA side of identity proofing (issue 5 items 1–6): record an application with its registry check, add evidence,
/// verify against the profile, and approve (a second operator: dual control) with a one-time enrollment code, or reject.
/// Every change commits with its audit event in one transaction. Personal data goes to the database only, never to logs
/// or audit details.
/// </summary>
public sealed class ProofingApplications(
    SignatureServiceDbContext db,
    EnrollmentCodes codes,
    EvidenceNumberHasher hasher,
    VerifyJpkiSignature jpki,
    AuditTrail audit,
    IOptions<ProofingOptions> options,
    TimeProvider time)
{
    /// <summary>Largest accepted request body (bytes).</summary>
    public const int MaxBody = 16 * 1024;

    /// <summary>Most evidence items per application.</summary>
    public const int MaxEvidence = 10;

    private const string TargetType = "proofing-application";

    private static readonly IReadOnlyList<string> Purposes = ["initial", "re-proofing-expiry", "re-proofing-key-loss"];
    private static readonly IReadOnlyList<string> Professions = ["doctor", "dentist", "pharmacist"];
    private static readonly IReadOnlyList<string> Sexes = ["male", "female", "not-applicable"];

    /// <summary>Validates and records an application; the license must match the registry (number, name, date of birth, registration date).</summary>
    /// <exception cref="ServiceException">400 naming the fields; 409 <c>proofing.license-unknown</c>, <c>proofing.license-mismatch</c> or <c>proofing.license-revoked</c>.</exception>
    public async Task<ApplicationView> RecordAsync(CreateApplicationRequest request, AuditActor actor, Guid operatorId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var profile = ApplicantRules.OneOf(errors, "profile", request.Profile, ProofingProfiles.All);
        var route = ApplicantRules.OneOf(errors, "route", request.Route, ProofingRoutes.All);
        var purpose = ApplicantRules.OneOf(errors, "purpose", request.Purpose ?? "initial", Purposes);
        var familyName = ApplicantRules.Text(errors, "familyName", request.FamilyName, 50);
        var givenName = ApplicantRules.Text(errors, "givenName", request.GivenName, 50);
        var familyKana = ApplicantRules.Kana(errors, "familyNameKana", request.FamilyNameKana);
        var givenKana = ApplicantRules.Kana(errors, "givenNameKana", request.GivenNameKana);
        var romaji = ApplicantRules.Romaji(errors, "nameRomaji", request.NameRomaji);
        var born = ApplicantRules.DateOfBirth(errors, "dateOfBirth", request.DateOfBirth, today);
        var sex = ApplicantRules.OneOf(errors, "sex", request.Sex, Sexes);
        var postalCode = ApplicantRules.Matching(errors, "postalCode", request.PostalCode, ApplicantRules.PostalCodePattern(), "NNN-NNNN.");
        var address = ApplicantRules.Text(errors, "address", request.Address, 200);
        var phone = ApplicantRules.Matching(errors, "phone", request.Phone, ApplicantRules.PhonePattern(), "Digits, +, -, ( ) and spaces; 1–20.", required: false);
        var email = ApplicantRules.Matching(errors, "email", request.Email, ApplicantRules.EmailPattern(), "An e-mail address.", required: false);
        if (string.IsNullOrEmpty(request.Phone) && string.IsNullOrEmpty(request.Email))
        {
            errors["phone"] = ["A phone number or an e-mail address is required."];
        }

        var profession = ApplicantRules.OneOf(errors, "profession", request.Profession, Professions);
        var licenseNumber = ApplicantRules.Matching(errors, "licenseNumber", request.LicenseNumber, ApplicantRules.LicenseNumberPattern(), "1–20 of 0-9, A-Z, a-z, '-'.");
        var registered = ApplicantRules.Date(errors, "licenseRegistrationDate", request.LicenseRegistrationDate);
        if (registered is { } r && (r > today || (born is { } b && r < b.AddYears(ApplicantRules.MinimumAge))))
        {
            errors["licenseRegistrationDate"] = ["Not in the future, and at least 18 years after the date of birth."];
        }

        var facility = ApplicantRules.Text(errors, "facilityName", request.FacilityName, 64);
        var facilityRomaji = ApplicantRules.Romaji(errors, "facilityNameRomaji", request.FacilityNameRomaji);
        if (purpose == "initial" && request.SubjectUserId is not null)
        {
            errors["subjectUserId"] = ["Only for re-proofing."];
        }
        else if (purpose is not null && purpose != "initial")
        {
            if (request.SubjectUserId is not { } subject
                || !await db.Users.AnyAsync(u => u.Id == subject && u.Roles.Contains(UserRoles.Signer), cancellationToken))
            {
                errors["subjectUserId"] = ["Re-proofing needs the id of an existing signer."];
            }
        }

        if (errors.Count > 0)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The application is not valid.", errors);
        }

        // Item 4: the registry must hold this license for this profession with the same name and date of birth.
        var license = await db.Licenses.AsNoTracking().SingleOrDefaultAsync(
            l => l.Profession == profession && l.LicenseNumber == licenseNumber, cancellationToken);
        var refusal = license is null ? ErrorCatalogue.ProofingLicenseUnknown
            : license.Status != "active" ? ErrorCatalogue.ProofingLicenseRevoked
            : license.DateOfBirth != born || license.RegistrationDate != registered
              || !string.Equals(VerifySignerLicense.NormalizeName(license.Name), VerifySignerLicense.NormalizeName($"{familyName} {givenName}"), StringComparison.Ordinal)
                ? ErrorCatalogue.ProofingLicenseMismatch
                : null;
        if (refusal is not null)
        {
            audit.Record(db, actor, "proofing.license-check-failed", TargetType, null, new { profession, code = refusal.Code }, success: false);
            await db.SaveChangesAsync(cancellationToken);
            throw new ServiceException(refusal);
        }

        var application = new ProofingApplicationRecord
        {
            Id = Guid.CreateVersion7(),
            Status = ProofingApplicationStatus.Recorded,
            Profile = profile!,
            Route = route!,
            Purpose = purpose!,
            SubjectUserId = request.SubjectUserId,
            FamilyName = familyName,
            GivenName = givenName,
            FamilyNameKana = familyKana,
            GivenNameKana = givenKana,
            NameRomaji = romaji,
            DateOfBirth = born,
            Sex = sex switch { "male" => 1, "female" => 2, _ => 9 },
            PostalCode = postalCode,
            Address = address,
            Phone = phone,
            Email = email,
            Profession = profession!,
            LicenseNumber = licenseNumber,
            LicenseRegistrationDate = registered,
            LicenseId = license!.Id,
            LicenseCheck = "matched",
            LicenseCheckedAt = now,
            FacilityName = facility,
            FacilityNameRomaji = facilityRomaji,
            CreatedBy = operatorId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.ProofingApplications.Add(application);
        audit.Record(db, actor, "proofing.application-recorded", TargetType, application.Id.ToString(),
            new { application.Profile, application.Route, application.Purpose, application.Profession, licenseCheck = "matched" });
        await db.SaveChangesAsync(cancellationToken);
        return View(application, []);
    }

    /// <summary>Adds an evidence item to a recorded application.</summary>
    /// <exception cref="ServiceException">400 naming the fields; 404; 409 when the application is no longer open for evidence.</exception>
    public async Task<EvidenceView> AddEvidenceAsync(Guid applicationId, AddEvidenceRequest request, AuditActor actor, Guid operatorId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var kind = ApplicantRules.OneOf(errors, "kind", request.Kind, EvidenceKinds.All);
        var strength = ApplicantRules.OneOf(errors, "strength", request.Strength, EvidenceStrengths.All);
        var issuer = ApplicantRules.Text(errors, "issuer", request.Issuer, 100);
        var number = ApplicantRules.Matching(errors, "number", request.Number, ApplicantRules.DocumentNumberPattern(), "1–40 of 0-9, A-Z, a-z, '-' and spaces.", required: false);
        var expires = ApplicantRules.Date(errors, "expiresOn", request.ExpiresOn, required: false);
        if (expires is { } e && e < DateOnly.FromDateTime(now.UtcDateTime))
        {
            errors["expiresOn"] = ["The document has expired."];
        }

        var scan = ApplicantRules.Matching(errors, "scanSha256", request.ScanSha256, ApplicantRules.Sha256HexPattern(), "64 hex digits.", required: false);
        var method = ApplicantRules.OneOf(errors, "validationMethod", request.ValidationMethod, ValidationMethods.All);
        if (kind == EvidenceKinds.JpkiSignature)
        {
            errors["kind"] = ["A JPKI signature is verified by the service: POST it to .../jpki-signature."];
        }

        if (errors.Count > 0)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The evidence item is not valid.", errors);
        }

        var application = await RequireAsync(applicationId, cancellationToken);
        RequireOpen(application, ProofingApplicationStatus.Recorded);
        if (await db.ProofingEvidence.CountAsync(x => x.ApplicationId == applicationId, cancellationToken) >= MaxEvidence)
        {
            throw new ServiceException(ErrorCatalogue.StateConflict, $"At most {MaxEvidence} evidence items per application.");
        }

        var item = new ProofingEvidenceRecord
        {
            Id = Guid.CreateVersion7(),
            ApplicationId = applicationId,
            Kind = kind!,
            Strength = strength!,
            Issuer = issuer!,
            NumberMasked = number is null ? null : ApplicantRules.Mask(number),
            NumberHash = number is null ? null : hasher.Hash(kind!, number),
            ExpiresOn = expires,
            ScanSha256 = scan is null ? null : Convert.FromHexString(scan),
            ValidationMethod = method!,
            ValidatedBy = operatorId,
            ValidatedAt = now,
        };
        db.ProofingEvidence.Add(item);
        application.UpdatedAt = now;
        audit.Record(db, actor, "proofing.evidence-added", TargetType, applicationId.ToString(),
            new { evidence = item.Id, item.Kind, item.Strength, item.ValidationMethod });
        await SaveAsync(cancellationToken);
        return View(item);
    }

    /// <summary>The bytes the applicant signs with the My Number card for the online route.</summary>
    /// <exception cref="ServiceException">404.</exception>
    public async Task<SigningInputView> SigningInputAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        var application = await db.ProofingApplications.AsNoTracking().SingleOrDefaultAsync(a => a.Id == applicationId, cancellationToken)
                          ?? throw new ServiceException(ErrorCatalogue.NotFound, "No application with this id.");
        return new SigningInputView(applicationId, Convert.ToBase64String(VerifyJpkiSignature.SigningInput(application)));
    }

    /// <summary>
    /// Verifies the applicant's JPKI signature over the application (chain to the configured JPKI roots) and records it as a
    /// SUPERIOR evidence item validated by signature verification (certificate serial masked plus keyed hash; SHA-256 of the CMS).
    /// </summary>
    /// <exception cref="ServiceException">400 (<c>proofing.jpki-signature-invalid</c>); 404; 409.</exception>
    public async Task<EvidenceView> AddJpkiSignatureAsync(Guid applicationId, JpkiSignatureRequest request, AuditActor actor, Guid operatorId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        byte[] cms;
        try
        {
            cms = Convert.FromBase64String(request.Cms ?? "");
        }
        catch (FormatException)
        {
            cms = [];
        }

        if (cms.Length is 0 or > VerifyJpkiSignature.MaxCmsBytes)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "cms: base64 DER, at most 32 KiB.",
                new Dictionary<string, string[]> { ["cms"] = [$"Base64 DER CMS, 1–{VerifyJpkiSignature.MaxCmsBytes} bytes."] });
        }

        var application = await RequireAsync(applicationId, cancellationToken);
        RequireOpen(application, ProofingApplicationStatus.Recorded);
        System.Security.Cryptography.X509Certificates.X509Certificate2 certificate;
        try
        {
            certificate = jpki.Verify(VerifyJpkiSignature.SigningInput(application), cms);
        }
        catch (ServiceException ex)
        {
            await RefuseAsync(actor, "proofing.jpki-signature-refused", applicationId, ex.Error, cancellationToken);
            throw;
        }

        using (certificate)
        {
            var now = time.GetUtcNow();
            var serial = certificate.SerialNumber;
            var issuer = certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, forIssuer: true);
            var item = new ProofingEvidenceRecord
            {
                Id = Guid.CreateVersion7(),
                ApplicationId = applicationId,
                Kind = EvidenceKinds.JpkiSignature,
                Strength = EvidenceStrengths.Superior,
                Issuer = string.IsNullOrWhiteSpace(issuer) ? "JPKI" : issuer[..Math.Min(issuer.Length, 100)],
                NumberMasked = ApplicantRules.Mask(serial[..Math.Min(serial.Length, 40)]),
                NumberHash = hasher.Hash(EvidenceKinds.JpkiSignature, serial),
                ExpiresOn = DateOnly.FromDateTime(certificate.NotAfter.ToUniversalTime()),
                ScanSha256 = System.Security.Cryptography.SHA256.HashData(cms),
                ValidationMethod = ValidationMethods.SignatureVerification,
                ValidatedBy = operatorId,
                ValidatedAt = now,
            };
            db.ProofingEvidence.Add(item);
            application.UpdatedAt = now;
            audit.Record(db, actor, "proofing.evidence-added", TargetType, applicationId.ToString(),
                new { evidence = item.Id, item.Kind, item.Strength, item.ValidationMethod });
            await SaveAsync(cancellationToken);
            return View(item);
        }
    }

    /// <summary>Verifies the application against its profile and records the achieved IAL.</summary>
    /// <exception cref="ServiceException">400; 404; 409 <c>proofing.evidence-insufficient</c> (errors list the unmet requirements) or a state conflict.</exception>
    public async Task<ApplicationView> VerifyAsync(Guid applicationId, VerifyApplicationRequest request, AuditActor actor, Guid operatorId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var biometric = ApplicantRules.Matching(errors, "biometricReferenceSha256", request.BiometricReferenceSha256,
            ApplicantRules.Sha256HexPattern(), "64 hex digits.", required: false);
        if (request.BiometricConsent is null)
        {
            errors["biometricConsent"] = ["Required (true or false)."];
        }

        if (request.PostalNotificationSent is null)
        {
            errors["postalNotificationSent"] = ["Required (true or false)."];
        }

        if (biometric is not null && request.BiometricConsent != true)
        {
            errors["biometricReferenceSha256"] = ["A biometric reference needs the applicant's recorded consent."];
        }

        if (errors.Count > 0)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The verification is not valid.", errors);
        }

        var application = await RequireAsync(applicationId, cancellationToken);
        RequireOpen(application, ProofingApplicationStatus.Recorded);
        var evidence = await db.ProofingEvidence.AsNoTracking().Where(x => x.ApplicationId == applicationId)
            .Select(x => new EvidenceFact(x.Kind, x.Strength)).ToListAsync(cancellationToken);
        var facts = new ProofingFacts(application.Route, evidence, request.BiometricConsent == true && biometric is not null, request.PostalNotificationSent == true);
        var outcome = ProofingPolicy.Evaluate(application.Profile, facts);
        if (!outcome.Satisfied)
        {
            db.ChangeTracker.Clear();
            audit.Record(db, actor, "proofing.verification-failed", TargetType, applicationId.ToString(),
                new { application.Profile, unmet = outcome.Unmet }, success: false);
            await db.SaveChangesAsync(cancellationToken);
            throw new ServiceException(ErrorCatalogue.ProofingEvidenceInsufficient, $"The {application.Profile} profile is not met.",
                new Dictionary<string, string[]> { ["requirements"] = [.. outcome.Unmet] });
        }

        var now = time.GetUtcNow();
        application.Status = ProofingApplicationStatus.Verified;
        application.BiometricConsent = request.BiometricConsent == true;
        application.BiometricReferenceSha256 = biometric is null ? null : Convert.FromHexString(biometric);
        application.PostalNotificationSentAt = request.PostalNotificationSent == true ? now : null;
        application.AchievedIal = (short)outcome.Achieved;
        application.VerifiedBy = operatorId;
        application.VerifiedAt = now;
        application.UpdatedAt = now;
        audit.Record(db, actor, "proofing.verified", TargetType, applicationId.ToString(),
            new { application.Profile, achievedIal = IalText(application.AchievedIal), evidence = evidence.Count });
        await SaveAsync(cancellationToken);
        return await GetAsync(applicationId, cancellationToken);
    }

    /// <summary>Approves a verified application (a second RA operator) and issues its one-time enrollment code.</summary>
    /// <exception cref="ServiceException">404; 403 <c>proofing.dual-control</c>; 409 <c>proofing.application-decided</c>, <c>proofing.application-not-verified</c> or <c>proofing.assurance-below-minimum</c>.</exception>
    public async Task<ApprovalView> ApproveAsync(Guid applicationId, AuditActor actor, Guid operatorId, CancellationToken cancellationToken)
    {
        var application = await RequireAsync(applicationId, cancellationToken);
        RequireUndecided(application);
        if (application.Status != ProofingApplicationStatus.Verified)
        {
            throw new ServiceException(ErrorCatalogue.ProofingNotVerified);
        }

        if (application.VerifiedBy == operatorId)
        {
            await RefuseAsync(actor, "proofing.approval-refused", applicationId, ErrorCatalogue.ProofingDualControl, cancellationToken);
        }

        var o = options.Value;
        if (application.AchievedIal is not { } achieved || achieved < o.MinimumIal)
        {
            await RefuseAsync(actor, "proofing.approval-refused", applicationId, ErrorCatalogue.ProofingAssuranceTooLow, cancellationToken);
        }

        var now = time.GetUtcNow();
        var userId = application.SubjectUserId;
        if (userId is null)
        {
            var user = new UserRecord
            {
                Id = Guid.CreateVersion7(),
                DisplayName = $"{application.FamilyName} {application.GivenName}",
                Status = "pending",
                Roles = [UserRoles.Signer],
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Users.Add(user);
            userId = user.Id;
            audit.Record(db, actor, "identity.signer-created", "user", user.Id.ToString(), new { application = applicationId });
        }

        var enrollment = codes.Stage(userId.Value, EnrollmentPurpose.Signer, $"{actor.Type}:{actor.Id}", o.EnrollmentCodeLifetime);
        application.Status = ProofingApplicationStatus.Approved;
        application.SubjectUserId = userId;
        application.DecidedBy = operatorId;
        application.DecidedAt = now;
        application.EnrollmentId = enrollment.EnrollmentId;
        application.UpdatedAt = now;
        audit.Record(db, actor, "proofing.approved", TargetType, applicationId.ToString(),
            new { user = userId, achievedIal = IalText(application.AchievedIal), verifiedBy = application.VerifiedBy });
        audit.Record(db, actor, "identity.enrollment-issued", "enrollment", enrollment.EnrollmentId.ToString(),
            new { user = userId, purpose = EnrollmentPurpose.Signer, application = applicationId, expiresAt = enrollment.ExpiresAt });
        await SaveAsync(cancellationToken);
        return new ApprovalView(applicationId, userId.Value, enrollment.EnrollmentId, EnrollmentCodes.Format(enrollment.Code), enrollment.ExpiresAt);
    }

    /// <summary>Rejects an undecided application.</summary>
    /// <exception cref="ServiceException">400; 404; 409 <c>proofing.application-decided</c>.</exception>
    public async Task<ApplicationView> RejectAsync(Guid applicationId, ReasonRequest request, AuditActor actor, Guid operatorId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var reason = ApplicantRules.Text(errors, "reason", request.Reason, 500);
        if (errors.Count > 0)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The rejection is not valid.", errors);
        }

        var application = await RequireAsync(applicationId, cancellationToken);
        RequireUndecided(application);
        var now = time.GetUtcNow();
        application.Status = ProofingApplicationStatus.Rejected;
        application.DecidedBy = operatorId;
        application.DecidedAt = now;
        application.RejectionReason = reason;
        application.ClosedAt = now;
        application.UpdatedAt = now;
        audit.Record(db, actor, "proofing.rejected", TargetType, applicationId.ToString(), new { previous = application.VerifiedBy is null ? "recorded" : "verified" });
        await SaveAsync(cancellationToken);
        return await GetAsync(applicationId, cancellationToken);
    }

    /// <summary>
    /// An RA operator attests, for an approved <c>nist-800-63a-4-ial3</c> application, that the applicant's first key is being
    /// bound in the attended session (the operator is with the applicant) or after a biometric re-match against the reference
    /// captured at verification (NIST SP 800-63A-4 §4.3.x, IAL3 binding). The binding must follow within
    /// <see cref="ProofingOptions.BindingAttestationWindow"/>. Either operator may attest; the attestation is audited.
    /// </summary>
    /// <exception cref="ServiceException">400; 404; 409 (not approved, not the IAL3 profile, or no biometric reference for a re-match).</exception>
    public async Task<ApplicationView> AttestBindingAsync(
        Guid applicationId, BindingAttestationRequest request, AuditActor actor, Guid operatorId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.Method is not (BindingAttestations.AttendedSession or BindingAttestations.BiometricRematch))
        {
            errors["method"] = ["attended-session or biometric-rematch."];
        }

        var sample = ApplicantRules.Matching(errors, "biometricSampleSha256", request.BiometricSampleSha256,
            ApplicantRules.Sha256HexPattern(), "64 hex digits.", required: request.Method == BindingAttestations.BiometricRematch);
        if (errors.Count > 0)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, fieldErrors: errors);
        }

        var application = await RequireAsync(applicationId, cancellationToken);
        if (application.Status != ProofingApplicationStatus.Approved || application.Profile != ProofingProfiles.NistIal3)
        {
            throw new ServiceException(ErrorCatalogue.StateConflict, "Only an approved application of the IAL3 profile awaits an attested binding.");
        }

        if (request.Method == BindingAttestations.BiometricRematch && application.BiometricReferenceSha256 is null)
        {
            throw new ServiceException(ErrorCatalogue.StateConflict, "No biometric reference was captured at verification.");
        }

        var now = time.GetUtcNow();
        application.BindingAttestation = request.Method;
        application.BindingAttestedBy = operatorId;
        application.BindingAttestedAt = now;
        application.BindingSampleSha256 = sample is null ? null : Convert.FromHexString(sample);
        application.UpdatedAt = now;
        audit.Record(db, actor, "proofing.binding-attested", TargetType, applicationId.ToString(),
            new { method = request.Method, validUntil = now + options.Value.BindingAttestationWindow });
        await SaveAsync(cancellationToken);
        return await GetAsync(applicationId, cancellationToken);
    }

    /// <summary>The application with its evidence.</summary>
    /// <exception cref="ServiceException">404.</exception>
    public async Task<ApplicationView> GetAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        var application = await db.ProofingApplications.AsNoTracking().SingleOrDefaultAsync(a => a.Id == applicationId, cancellationToken)
                          ?? throw new ServiceException(ErrorCatalogue.NotFound, "No application with this id.");
        var evidence = await db.ProofingEvidence.AsNoTracking().Where(x => x.ApplicationId == applicationId).OrderBy(x => x.ValidatedAt)
            .ToListAsync(cancellationToken);
        return View(application, evidence);
    }

    private async Task<ProofingApplicationRecord> RequireAsync(Guid applicationId, CancellationToken cancellationToken) =>
        await db.ProofingApplications.SingleOrDefaultAsync(a => a.Id == applicationId, cancellationToken)
        ?? throw new ServiceException(ErrorCatalogue.NotFound, "No application with this id.");

    private static void RequireUndecided(ProofingApplicationRecord application)
    {
        if (application.Status is ProofingApplicationStatus.Approved or ProofingApplicationStatus.Rejected or ProofingApplicationStatus.Enrolled)
        {
            throw new ServiceException(ErrorCatalogue.ProofingApplicationDecided);
        }
    }

    private static void RequireOpen(ProofingApplicationRecord application, string status)
    {
        RequireUndecided(application);
        if (application.Status != status)
        {
            throw new ServiceException(ErrorCatalogue.StateConflict, "The application is already verified.");
        }
    }

    private async Task RefuseAsync(AuditActor actor, string action, Guid applicationId, ErrorDescriptor error, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        audit.Record(db, actor, action, TargetType, applicationId.ToString(), new { code = error.Code }, success: false);
        await db.SaveChangesAsync(cancellationToken);
        throw new ServiceException(error);
    }

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ServiceException(ErrorCatalogue.ProofingApplicationDecided, "Another operator changed the application meanwhile.");
        }
    }

    internal static string? IalText(short? ial) => ial is { } level ? $"IAL{level}" : null;

    internal static ApplicationView View(ProofingApplicationRecord a, IReadOnlyList<ProofingEvidenceRecord> evidence) => new(
        a.Id, a.Status, a.Profile, a.Route, a.Purpose, a.SubjectUserId, a.FamilyName, a.GivenName, a.FamilyNameKana, a.GivenNameKana, a.NameRomaji,
        a.DateOfBirth, a.Sex switch { 1 => "male", 2 => "female", 9 => "not-applicable", _ => null }, a.PostalCode, a.Address, a.Phone, a.Email,
        a.Profession, a.LicenseNumber, a.LicenseRegistrationDate, a.LicenseCheck, a.LicenseCheckedAt, a.FacilityName, a.FacilityNameRomaji,
        IalText(a.AchievedIal), a.VerifiedBy, a.VerifiedAt, a.DecidedBy, a.DecidedAt, a.EnrollmentId, a.CertificateId, a.EnrolledAt,
        a.CreatedBy, a.CreatedAt, a.PersonalDataPurgedAt, [.. evidence.Select(View)]);

    private static EvidenceView View(ProofingEvidenceRecord x) => new(
        x.Id, x.Kind, x.Strength, x.Issuer, x.NumberMasked, x.ExpiresOn, x.ScanSha256 is null ? null : Convert.ToHexStringLower(x.ScanSha256),
        x.ValidationMethod, x.ValidatedBy, x.ValidatedAt);
}
