using SignatureService.Core.Proofing;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;
using SignatureService.Api.Features.Hsm;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Features.Pki;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Identity;
using SignatureService.Data.Proofing;
using SignatureService.Data.Users;

namespace SignatureService.Api.Features.Proofing;

/// <summary>
/// Binding (issue 5 item 7): when the applicant registers a security key with the enrollment code of an approved
/// application, the same database transaction re-checks the license against the registry, generates the signer's key pair
/// in the HSM and issues the HPKI signing certificate with the hcRole of the verified license, and marks the application
/// enrolled and the signer active.
/// </summary>
/// <remarks>
/// The HSM is not part of the database transaction, so the order makes it safe: the key is generated first, its
/// <c>hsm_keys</c> row and the certificate are written in the open transaction, and the key is destroyed in the token if
/// anything fails before or at the commit (<see cref="IssueSignerCertificate"/> destroys it for failures inside it; this class
/// for failures after it; the returned undo for a failed commit). If the process dies between key generation and commit, an
/// orphan key without an <c>hsm_keys</c> row remains: it is never used (keys are found through their row) and its label
/// (<c>signer/&lt;user&gt;/&lt;id&gt;</c>) lets an operator find and remove it.
/// </remarks>
public sealed class SignerEnrollmentCompletion(
    SignatureServiceDbContext db,
    VerifySignerLicense licenses,
    IssueSignerCertificate certificates,
    HsmConnection hsm,
    AuditTrail audit,
    IOptions<ProofingOptions> options,
    TimeProvider time) : IEnrollmentCompletion
{
    /// <inheritdoc />
    public string Purpose => EnrollmentPurpose.Signer;

    /// <inheritdoc />
    public async Task<Action?> CompleteAsync(EnrollmentCodeRecord enrollment, UserRecord user, AuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(enrollment);
        ArgumentNullException.ThrowIfNull(user);
        var application = await db.ProofingApplications.SingleOrDefaultAsync(
            a => a.EnrollmentId == enrollment.Id && a.Status == ProofingApplicationStatus.Approved, cancellationToken)
            ?? throw new ServiceException(ErrorCatalogue.EnrollmentInvalid);
        if (application.Profile == ProofingProfiles.NistIal3 &&
            (application.BindingAttestedAt is not { } attested || attested + options.Value.BindingAttestationWindow < time.GetUtcNow()))
        {
            // Note: IAL3 binds the first key in the attended session or after a biometric re-match, attested by an RA operator.
            throw new ServiceException(ErrorCatalogue.ProofingBindingNotAttested);
        }

        var name = $"{application.FamilyName} {application.GivenName}";
        // Note: the registry is checked again here, so a license revoked between approval and binding issues nothing.
        await licenses.VerifyAsync(
            new LicenseClaim(user.Id, application.Profession, application.LicenseNumber!, name, application.DateOfBirth!.Value), actor, cancellationToken);
        var issued = await certificates.IssueAsync(
            new SignerCertificateInput(user.Id, application.FacilityNameRomaji!, application.FacilityName!, application.NameRomaji!, name),
            actor, cancellationToken);
        var ckId = db.HsmKeys.Local.Single(k => k.Id == issued.KeyId).CkId;
        void Destroy() => hsm.RequireToken().DestroyKey(ckId);
        try
        {
            var now = time.GetUtcNow();
            application.Status = ProofingApplicationStatus.Enrolled;
            application.CertificateId = issued.CertificateId;
            application.EnrolledAt = now;
            application.ClosedAt = now;
            application.UpdatedAt = now;
            if (user.Status != "active")
            {
                user.Status = "active";
                user.UpdatedAt = now;
            }

            audit.Record(db, actor, "proofing.enrolled", "proofing-application", application.Id.ToString(),
                new { user = user.Id, certificate = issued.SerialNumber, hcRoles = issued.HcRoles, enrollment = enrollment.Id });
            await db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            Destroy();
            throw;
        }

        return Destroy;
    }
}
