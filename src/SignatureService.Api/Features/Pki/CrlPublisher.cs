using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Pki;
using SignatureService.Pki.Revocation;

namespace SignatureService.Api.Features.Pki;

/// <summary>
/// Issues a CA's next full CRL inside the caller's transaction: the CRL number is taken with
/// <c>UPDATE … SET crl_number = crl_number + 1 … RETURNING</c>, whose row lock serialises CRL issuance per CA until commit,
/// so numbers are strictly increasing and each CRL sees every status change committed before it (and the caller's own).
/// </summary>
public sealed class CrlPublisher(IOptions<PkiOptions> options, AuditTrail audit, TimeProvider time)
{
    /// <summary>Builds, signs (in the HSM) and stages the CRL of <paramref name="authority"/>; the caller saves and commits.</summary>
    /// <remarks>Call after the status changes were saved (<c>SaveChanges</c>) inside an open transaction.</remarks>
    public async Task<CrlRecord> IssueAsync(
        SignatureServiceDbContext db, LoadedAuthority authority, AuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(authority);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A CRL is issued inside the transaction of the change it reflects.");
        }

        var number = (await db.Database
            .SqlQuery<long>($"UPDATE certificate_authorities SET crl_number = crl_number + 1 WHERE id = {authority.Id} RETURNING crl_number AS \"Value\"")
            .ToListAsync(cancellationToken)).Single();
        var entries = await (
                from r in db.Revocations
                join c in db.Certificates on r.CertificateId equals c.Id
                where c.CaId == authority.Id && r.LiftedAt == null
                orderby r.RevokedAt
                select new { c.SerialNumber, r.RevokedAt, r.Reason, r.InvalidityDate })
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        var thisUpdate = time.GetUtcNow();
        var nextUpdate = thisUpdate + options.Value.CrlValidity;
        var der = CrlBuilder.Build(
            new CrlContent(number, thisUpdate, nextUpdate,
                [.. entries.Select(e => new RevokedCertificate(e.SerialNumber, e.RevokedAt, (RevocationReason)e.Reason, e.InvalidityDate))]),
            authority.CrlSigningCredential);
        var record = new CrlRecord
        {
            Id = Guid.CreateVersion7(),
            CaId = authority.Id,
            CrlNumber = number,
            ThisUpdate = thisUpdate,
            NextUpdate = nextUpdate,
            Entries = entries.Count,
            Der = der,
        };
        db.Crls.Add(record);
        audit.Record(db, actor, "crl.issued", "certificate-authority", authority.Name,
            new { crlNumber = number, entries = entries.Count, nextUpdate });
        return record;
    }

    /// <summary>Issues and commits a new CRL for <paramref name="authority"/> in its own transaction (schedule, <c>crl generate</c>).</summary>
    public async Task<CrlRecord> PublishAsync(
        SignatureServiceDbContext db, LoadedAuthority authority, AuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var record = await IssueAsync(db, authority, actor, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return record;
    }
}
