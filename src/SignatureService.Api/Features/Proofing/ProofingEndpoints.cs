using SignatureService.Api.Features.ApiDescription;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SignatureService.Api.Features.Identity;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Identity;

namespace SignatureService.Api.Features.Proofing;

/// <summary>
/// Identity proofing and signer enrollment (issue 5): RA operators record, verify and (a second one) approve applications;
/// the applicant binds a security key with the one-time code and receives the signing certificate; RA operators suspend and
/// reinstate signers and run the retention purge. State changes need the session's X-CSRF-Token.
/// </summary>
internal static class ProofingEndpoints
{
    private const int MaxSmallBody = 4 * 1024;

    public static IEndpointRouteBuilder MapProofingEndpoints(this IEndpointRouteBuilder app)
    {
        var ra = app.MapGroup("/v1/proofing").WithTags("Proofing").RequireAuthorization(IdentityPolicies.RaOperator);
        ra.MapPost("/applications", RecordAsync)
            .Accepts<CreateApplicationRequest>("application/json")
            .WithSummary("Records an application (basic four facts, contact, license, facility, route); the license is checked against the registry now.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.ProofingLicenseUnknown, ErrorCatalogue.ProofingLicenseMismatch, ErrorCatalogue.ProofingLicenseRevoked);
        ra.MapGet("/applications", ListAsync)
            .WithSummary("Applications, newest first: status filter; q matches the start of the kanji or kana name or a whole license number; "
                         + "cursor paging (limit 1–100, default 50). Each shows who recorded, verified and decided it, and when.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403)
            .ProducesErrors(ErrorCatalogue.ValidationFailed);
        ra.MapGet("/applications/{applicationId:guid}", GetAsync)
            .WithSummary("An application with its evidence (numbers masked).")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404)
            .ProducesErrors(ErrorCatalogue.NotFound);
        ra.MapPost("/applications/{applicationId:guid}/evidence", AddEvidenceAsync)
            .Accepts<AddEvidenceRequest>("application/json")
            .WithSummary("Adds an evidence item (number stored masked plus a keyed hash; the scan only as its SHA-256).")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.NotFound, ErrorCatalogue.ProofingApplicationDecided);
        ra.MapGet("/applications/{applicationId:guid}/signing-input", SigningInputAsync)
            .WithSummary("The bytes the applicant signs with the My Number card (online route), base64.")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404)
            .ProducesErrors(ErrorCatalogue.NotFound);
        ra.MapPost("/applications/{applicationId:guid}/jpki-signature", AddJpkiSignatureAsync)
            .Accepts<JpkiSignatureRequest>("application/json")
            .WithSummary("Verifies the applicant's JPKI signature (detached CMS) against the configured JPKI roots and records it as evidence.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.NotFound, ErrorCatalogue.ProofingJpkiSignatureInvalid, ErrorCatalogue.ProofingJpkiNotConfigured, ErrorCatalogue.ProofingJpkiRevocationUnknown, ErrorCatalogue.ProofingApplicationDecided);
        ra.MapPost("/applications/{applicationId:guid}/verification", VerifyAsync)
            .Accepts<VerifyApplicationRequest>("application/json")
            .WithSummary("Verifies the application against its proofing profile and records the achieved IAL.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.NotFound, ErrorCatalogue.ProofingEvidenceInsufficient, ErrorCatalogue.ProofingAssuranceTooLow, ErrorCatalogue.ProofingApplicationDecided, ErrorCatalogue.ProofingLicenseUnknown, ErrorCatalogue.ProofingLicenseMismatch, ErrorCatalogue.ProofingLicenseRevoked);
        ra.MapPost("/applications/{applicationId:guid}/approval", ApproveAsync)
            .WithSummary("Approves (a second RA operator, not the verifier) and returns the one-time enrollment code, shown this once.")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
            .ProducesErrors(ErrorCatalogue.NotFound, ErrorCatalogue.ProofingDualControl, ErrorCatalogue.ProofingNotVerified, ErrorCatalogue.ProofingApplicationDecided, ErrorCatalogue.ProofingAssuranceTooLow);
        ra.MapPost("/applications/{applicationId:guid}/binding-attestation", AttestBindingAsync)
            .Accepts<BindingAttestationRequest>("application/json")
            .WithSummary("IAL3 profile: attests that the applicant's first key is bound in the attended session or after a biometric re-match; "
                         + "the binding must follow within Proofing:BindingAttestationWindow.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.NotFound, ErrorCatalogue.StateConflict);
        ra.MapPost("/applications/{applicationId:guid}/rejection", RejectAsync)
            .Accepts<ReasonRequest>("application/json")
            .WithSummary("Rejects an undecided application.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.NotFound, ErrorCatalogue.ProofingApplicationDecided);
        ra.MapPost("/signers/{userId:guid}/suspension", SuspendAsync)
            .Accepts<ReasonRequest>("application/json")
            .WithSummary("Suspends a signer: keys suspended, sessions ended, signing certificates on hold.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.NotFound, ErrorCatalogue.ProofingSignerSuspended);
        ra.MapPost("/signers/{userId:guid}/reinstatement", ReinstateAsync)
            .WithSummary("Reinstates a suspended signer whose license is still active: keys and certificates follow.")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
            .ProducesErrors(ErrorCatalogue.NotFound, ErrorCatalogue.ProofingSignerNotSuspended);
        ra.MapPost("/purge", PurgeAsync)
            .WithSummary("Runs the retention purge now (it also runs on schedule).")
            .ProducesProblem(401).ProducesProblem(403);

        var binding = app.MapGroup("/v1/proofing/binding").WithTags("Proofing");
        binding.MapPost("/options", BindingOptionsAsync).AllowAnonymous()
            .Accepts<EnrollmentProof>("application/json")
            .WithSummary("The applicant starts binding a security key with the enrollment id and one-time code from the letter.")
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415).ProducesProblem(429)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.EnrollmentInvalid, ErrorCatalogue.EnrollmentLocked);
        binding.MapPost("/", BindAsync).AllowAnonymous()
            .Accepts<RegisterKeyRequest>("application/json")
            .WithSummary("Registers the key (AAL3 policy) and, in the same transaction, generates the signer's HSM key and issues the signing certificate.")
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415).ProducesProblem(429).ProducesProblem(503)
            .ProducesErrors([.. ErrorGroups.WebAuthnRegistration, ErrorCatalogue.EnrollmentInvalid, ErrorCatalogue.EnrollmentLocked,
                ErrorCatalogue.ProofingLicenseRevoked, ErrorCatalogue.ProofingBindingNotAttested, ErrorCatalogue.HsmUnavailable]);
        return app;
    }

    private static (AuditActor Actor, Guid OperatorId) Operator(ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(SessionClaims.UserId)!;
        return (new AuditActor("operator", id), Guid.Parse(id, CultureInfo.InvariantCulture));
    }

    private static async Task<Created<ApplicationView>> RecordAsync(HttpContext context, ProofingApplications applications, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CreateApplicationRequest>(context, ProofingApplications.MaxBody);
        var (actor, operatorId) = Operator(context.User);
        var view = await applications.RecordAsync(body, actor, operatorId, cancellationToken);
        return TypedResults.Created($"/v1/proofing/applications/{view.Id}", view);
    }

    private static async Task<Ok<ApplicationPage>> ListAsync(
        HttpContext context, ProofingApplicationList list, CancellationToken cancellationToken,
        string? status = null, string? q = null, string? cursor = null, int? limit = null) =>
        TypedResults.Ok(await list.ListAsync(status, q, cursor, limit, Operator(context.User).Actor, cancellationToken));

    private static async Task<Ok<ApplicationView>> GetAsync(Guid applicationId, ProofingApplications applications, CancellationToken cancellationToken) =>
        TypedResults.Ok(await applications.GetAsync(applicationId, cancellationToken));

    private static async Task<Created<EvidenceView>> AddEvidenceAsync(
        Guid applicationId, HttpContext context, ProofingApplications applications, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<AddEvidenceRequest>(context, MaxSmallBody);
        var (actor, operatorId) = Operator(context.User);
        var view = await applications.AddEvidenceAsync(applicationId, body, actor, operatorId, cancellationToken);
        return TypedResults.Created($"/v1/proofing/applications/{applicationId}", view);
    }

    private static async Task<Ok<SigningInputView>> SigningInputAsync(Guid applicationId, ProofingApplications applications, CancellationToken cancellationToken) =>
        TypedResults.Ok(await applications.SigningInputAsync(applicationId, cancellationToken));

    private static async Task<Created<EvidenceView>> AddJpkiSignatureAsync(
        Guid applicationId, HttpContext context, ProofingApplications applications, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<JpkiSignatureRequest>(context, 48 * 1024);
        var (actor, operatorId) = Operator(context.User);
        var view = await applications.AddJpkiSignatureAsync(applicationId, body, actor, operatorId, cancellationToken);
        return TypedResults.Created($"/v1/proofing/applications/{applicationId}", view);
    }

    private static async Task<Ok<ApplicationView>> VerifyAsync(
        Guid applicationId, HttpContext context, ProofingApplications applications, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<VerifyApplicationRequest>(context, MaxSmallBody);
        var (actor, operatorId) = Operator(context.User);
        return TypedResults.Ok(await applications.VerifyAsync(applicationId, body, actor, operatorId, cancellationToken));
    }

    private static async Task<Ok<ApplicationView>> AttestBindingAsync(
        Guid applicationId, HttpContext context, ProofingApplications applications, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<BindingAttestationRequest>(context, MaxSmallBody);
        var (actor, operatorId) = Operator(context.User);
        return TypedResults.Ok(await applications.AttestBindingAsync(applicationId, body, actor, operatorId, cancellationToken));
    }

    private static async Task<Ok<ApprovalView>> ApproveAsync(
        Guid applicationId, HttpContext context, ProofingApplications applications, CancellationToken cancellationToken)
    {
        var (actor, operatorId) = Operator(context.User);
        return TypedResults.Ok(await applications.ApproveAsync(applicationId, actor, operatorId, cancellationToken));
    }

    private static async Task<Ok<ApplicationView>> RejectAsync(
        Guid applicationId, HttpContext context, ProofingApplications applications, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<ReasonRequest>(context, MaxSmallBody);
        var (actor, operatorId) = Operator(context.User);
        return TypedResults.Ok(await applications.RejectAsync(applicationId, body, actor, operatorId, cancellationToken));
    }

    private static async Task<Ok<SignerStatusView>> SuspendAsync(Guid userId, HttpContext context, SignerLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<ReasonRequest>(context, MaxSmallBody);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var reason = Core.Proofing.ApplicantRules.Text(errors, "reason", body.Reason, 500);
        if (errors.Count > 0)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The suspension is not valid.", errors);
        }

        return TypedResults.Ok(await lifecycle.SuspendAsync(userId, reason!, Operator(context.User).Actor, cancellationToken));
    }

    private static async Task<Ok<SignerStatusView>> ReinstateAsync(Guid userId, HttpContext context, SignerLifecycle lifecycle, CancellationToken cancellationToken) =>
        TypedResults.Ok(await lifecycle.ReinstateAsync(userId, Operator(context.User).Actor, cancellationToken));

    private static async Task<Ok<PurgeView>> PurgeAsync(HttpContext context, PurgeProofingRecords purge, CancellationToken cancellationToken) =>
        TypedResults.Ok(await purge.PurgeAsync(Operator(context.User).Actor, cancellationToken));

    private static async Task<Ok<CreationOptionsResponse>> BindingOptionsAsync(
        HttpContext context, IdentityCeremonies ceremonies, SignatureServiceDbContext db, CancellationToken cancellationToken)
    {
        var proof = await JsonBody.ReadAsync<EnrollmentProof>(context, IdentityCeremonies.MaxOptionsBody);
        await RequireSignerEnrollmentAsync(db, proof.EnrollmentId, cancellationToken);
        return TypedResults.Ok(await ceremonies.RegistrationOptionsAsync(context, proof, cancellationToken));
    }

    private static async Task<Created<BindingView>> BindAsync(
        HttpContext context, IdentityCeremonies ceremonies, SignatureServiceDbContext db, AuditTrail audit, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync<RegisterKeyRequest>(context, IdentityCeremonies.MaxRegistrationBody);
        await RequireSignerEnrollmentAsync(db, request.EnrollmentId, cancellationToken);
        SecurityKeyView key;
        try
        {
            key = await ceremonies.RegisterAsync(context, request, cancellationToken);
        }
        catch (ServiceException ex) when (request.EnrollmentId is not null)
        {
            // Note: the registration's transaction has rolled back; the refusal itself is recorded on its own.
            db.ChangeTracker.Clear();
            audit.Record(db, new AuditActor("anonymous", "unknown"), "proofing.binding-failed", "enrollment", request.EnrollmentId.ToString(),
                new { code = ex.Error.Code }, success: false);
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }

        var bound = await (
                from a in db.ProofingApplications.AsNoTracking()
                join c in db.Certificates.AsNoTracking() on a.CertificateId equals c.Id
                where a.EnrollmentId == request.EnrollmentId
                select new { a.SubjectUserId, c.SerialNumber, c.HcRole, c.Der })
            .SingleAsync(cancellationToken);
        return TypedResults.Created($"/v1/me/keys/{key.Id}", new BindingView(
            bound.SubjectUserId!.Value, key.Id, Convert.ToHexString(bound.SerialNumber),
            [.. (bound.HcRole ?? "").Split("; ", StringSplitOptions.RemoveEmptyEntries)],
            System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE", bound.Der)));
    }

    // Note: the binding endpoints take signer enrollments only; operators enrol through /v1/identity/registration.
    private static async Task RequireSignerEnrollmentAsync(SignatureServiceDbContext db, Guid? enrollmentId, CancellationToken cancellationToken)
    {
        if (enrollmentId is { } id && await db.EnrollmentCodes.AnyAsync(e => e.Id == id && e.Purpose != EnrollmentPurpose.Signer, cancellationToken))
        {
            throw new ServiceException(ErrorCatalogue.EnrollmentInvalid);
        }
    }
}
