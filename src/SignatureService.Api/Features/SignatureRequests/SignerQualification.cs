using Microsoft.EntityFrameworkCore;
using SignatureService.Core.Documents;
using SignatureService.Core.Errors;
using SignatureService.Core.Qualification;
using SignatureService.Data;
using SignatureService.Data.Pki;
using SignatureService.Data.Users;

namespace SignatureService.Api.Features.SignatureRequests;

/// <summary>
/// Decides whether a signer may sign documents of given types now: an active user with the signer role, holding a valid signing
/// certificate (in date, status good) whose hcRole the statutory policy permits for every type (DOMAIN.md §1). Checked when a
/// request is created and again at approval.
/// </summary>
public sealed class SignerQualification(SignatureServiceDbContext db, TimeProvider time)
{
    /// <summary>Resolves the reference and checks the signer; returns the signer's user id.</summary>
    /// <exception cref="ServiceException">signer-not-found, signer-without-valid-certificate or signer-not-qualified.</exception>
    public async Task<Guid> RequireQualifiedAsync(
        SignerReference reference, IReadOnlyCollection<DocumentType> types, CancellationToken cancellationToken)
    {
        var userId = reference.UserId ?? await db.SignerAttributes.AsNoTracking()
            .Where(a => a.Profession == reference.Profession && a.LicenseNumber == reference.LicenseNumber)
            .Select(a => (Guid?)a.UserId)
            .SingleOrDefaultAsync(cancellationToken);
        var user = userId is null ? null : await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null || !user.Roles.Contains(UserRoles.Signer))
        {
            throw new ServiceException(ErrorCatalogue.SignerNotFound, "No signer matches the signer reference.");
        }

        await RequireQualifiedAsync(user.Id, types, cancellationToken);
        return user.Id;
    }

    /// <summary>Checks a known signer (e.g. again at approval time).</summary>
    public async Task RequireQualifiedAsync(Guid userId, IReadOnlyCollection<DocumentType> types, CancellationToken cancellationToken)
    {
        // Note: the user's status and the hcRoles of their valid signing certificates in one query (one round trip, twice per approval).
        var now = time.GetUtcNow();
        var signer = await db.Users.AsNoTracking()
                         .Where(u => u.Id == userId)
                         .Select(u => new
                         {
                             u.Status,
                             Roles = db.Certificates
                                 .Where(c => c.UserId == u.Id && c.Kind == CertificateKinds.Signer && c.Status == CertificateStatuses.Good &&
                                             c.NotBefore <= now && c.NotAfter > now)
                                 .Select(c => c.HcRole!)
                                 .Distinct()
                                 .ToList(),
                         })
                         .SingleOrDefaultAsync(cancellationToken)
                     ?? throw new ServiceException(ErrorCatalogue.SignerNotFound);
        if (signer.Status != "active" || signer.Roles.Count == 0)
        {
            throw new ServiceException(ErrorCatalogue.SignerWithoutValidCertificate,
                "The signer is suspended or holds no valid signing certificate.");
        }

        // Note: a certificate with several hcRoles stores them joined by "; " (see IssueSignerCertificate).
        var roles = signer.Roles.SelectMany(r => r.Split("; ", StringSplitOptions.RemoveEmptyEntries))
            .Select(r => HcRole.TryParse(r, out var role) ? role : null).OfType<HcRole>().ToList();
        var refused = types.Where(t => !QualificationPolicy.Statutory.PermitsAny(t, roles)).Distinct().ToList();
        if (refused.Count > 0)
        {
            throw new ServiceException(ErrorCatalogue.SignerRoleNotPermitted,
                $"The signer's qualification does not permit: {string.Join(", ", refused.Select(t => t.ToWireName()))}.");
        }
    }
}
