using Microsoft.EntityFrameworkCore;
using SignatureService.Api.Features.Pki;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Identity;
using SignatureService.Data.Pki;
using SignatureService.Data.Users;

namespace SignatureService.Api.Features.Proofing;

/// <summary>
/// Suspends and reinstates a signer (issue 5 item 8): the account, its security keys and its signing certificates follow,
/// with new CRLs, in one transaction with the audit events.
/// </summary>
public sealed class SignerLifecycle(
    SignatureServiceDbContext db,
    CertificateAuthorities authorities,
    CrlPublisher crls,
    AuditTrail audit,
    TimeProvider time)
{
    /// <summary>
    /// Suspends: user <c>suspended</c>, active keys suspended, sessions ended, good signing certificates on hold (CRL re-issued).
    /// </summary>
    /// <exception cref="ServiceException">404 no such signer; 409 <c>proofing.signer-already-suspended</c>.</exception>
    public async Task<SignerStatusView> SuspendAsync(Guid userId, string reason, AuditActor actor, CancellationToken cancellationToken)
    {
        var user = await RequireSignerAsync(userId, cancellationToken);
        if (user.Status == "suspended")
        {
            throw new ServiceException(ErrorCatalogue.ProofingSignerSuspended);
        }

        // Note: microsecond precision, as PostgreSQL stores it, so reinstatement can find exactly the keys this suspension touched.
        var now = Microseconds(time.GetUtcNow());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        user.Status = "suspended";
        user.UpdatedAt = now;
        var keys = await db.WebAuthnCredentials.Where(c => c.UserId == userId && c.Status == CredentialStatus.Active)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CredentialStatus.Suspended).SetProperty(c => c.StatusChangedAt, now), cancellationToken);
        await db.UserSessions.Where(s => s.UserId == userId && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndReason, "user-suspended"), cancellationToken);
        var held = await db.Certificates.AsNoTracking()
            .Where(c => c.UserId == userId && c.Kind == CertificateKinds.Signer && c.Status == CertificateStatuses.Good).ToListAsync(cancellationToken);
        foreach (var certificate in held)
        {
            await CertificateStatusChanges.SuspendCoreAsync(db, audit, time, certificate, actor, cause: "signer-suspended", cancellationToken);
        }

        audit.Record(db, actor, "proofing.signer-suspended", "user", userId.ToString(), new { reason, credentials = keys, certificates = held.Count });
        await db.SaveChangesAsync(cancellationToken);
        await PublishCrlsAsync(held.Select(c => c.CaId), actor, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new SignerStatusView(userId, user.Status, keys, held.Count);
    }

    /// <summary>
    /// Reinstates a suspended signer whose license is still active in the registry: user active, the keys this suspension
    /// suspended active again (a key suspended for another reason, e.g. a cloned-key counter, stays suspended), the signing
    /// certificates this suspension put on hold good again (CRL re-issued); a certificate an operator had suspended before stays on hold.
    /// </summary>
    /// <exception cref="ServiceException">404; 409 <c>proofing.signer-not-suspended</c> or <c>certificate.signer-not-qualified</c>.</exception>
    public async Task<SignerStatusView> ReinstateAsync(Guid userId, AuditActor actor, CancellationToken cancellationToken)
    {
        var user = await RequireSignerAsync(userId, cancellationToken);
        if (user.Status != "suspended")
        {
            throw new ServiceException(ErrorCatalogue.ProofingSignerNotSuspended);
        }

        if (!await (from a in db.SignerAttributes
                    join l in db.Licenses on a.LicenseId equals l.Id
                    where a.UserId == userId && l.Status == "active"
                    select a.Id).AnyAsync(cancellationToken))
        {
            throw new ServiceException(ErrorCatalogue.SignerNotQualified, "The signer's license is not active in the registry.");
        }

        var suspendedAt = user.UpdatedAt;
        var now = Microseconds(time.GetUtcNow());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        user.Status = "active";
        user.UpdatedAt = now;
        var keys = await db.WebAuthnCredentials
            .Where(c => c.UserId == userId && c.Status == CredentialStatus.Suspended && c.StatusChangedAt == suspendedAt)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CredentialStatus.Active).SetProperty(c => c.StatusChangedAt, now), cancellationToken);
        // Note: only the holds this suspension placed (at or after it); a hold an operator placed before stays in force.
        var onHold = await db.Certificates.AsNoTracking()
            .Where(c => c.UserId == userId && c.Kind == CertificateKinds.Signer && c.Status == CertificateStatuses.OnHold && c.NotAfter > now &&
                db.Revocations.Any(r => r.CertificateId == c.Id && r.LiftedAt == null && r.RevokedAt >= suspendedAt))
            .ToListAsync(cancellationToken);
        foreach (var certificate in onHold)
        {
            await db.Certificates.Where(c => c.Id == certificate.Id && c.Status == CertificateStatuses.OnHold)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CertificateStatuses.Good).SetProperty(c => c.UpdatedAt, now), cancellationToken);
            await db.Revocations.Where(r => r.CertificateId == certificate.Id && r.LiftedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LiftedAt, now), cancellationToken);
            audit.Record(db, actor, "certificate.resumed", "certificate", CertificateStatusChanges.Hex(certificate.SerialNumber),
                new { kind = certificate.Kind, cause = "signer-reinstated" });
        }

        audit.Record(db, actor, "proofing.signer-reinstated", "user", userId.ToString(), new { credentials = keys, certificates = onHold.Count });
        await db.SaveChangesAsync(cancellationToken);
        await PublishCrlsAsync(onHold.Select(c => c.CaId), actor, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new SignerStatusView(userId, user.Status, keys, onHold.Count);
    }

    private async Task<UserRecord> RequireSignerAsync(Guid userId, CancellationToken cancellationToken) =>
        await db.Users.SingleOrDefaultAsync(u => u.Id == userId && u.Roles.Contains(UserRoles.Signer), cancellationToken)
        ?? throw new ServiceException(ErrorCatalogue.NotFound, "No signer with this id.");

    private async Task PublishCrlsAsync(IEnumerable<Guid> caIds, AuditActor actor, CancellationToken cancellationToken)
    {
        var distinct = caIds.Distinct().ToList();
        if (distinct.Count == 0)
        {
            return;
        }

        var hierarchy = await authorities.RequireAsync(cancellationToken);
        foreach (var caId in distinct)
        {
            await crls.IssueAsync(db, hierarchy.Get(caId), actor, cancellationToken);
        }
    }

    private static DateTimeOffset Microseconds(DateTimeOffset value) => value.AddTicks(-(value.Ticks % 10));
}
