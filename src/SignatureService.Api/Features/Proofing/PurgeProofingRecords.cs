using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SignatureService.Api.Hosting;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Proofing;

namespace SignatureService.Api.Features.Proofing;

/// <summary>
/// The retention purge (issue 5 item 8): for applications closed longer than <see cref="ProofingOptions.RetentionPeriod"/>
/// ago, deletes the evidence items and erases the personal data (basic four facts, contact, license number, facility,
/// biometric reference hash), keeping the row's decisions and the audit trail (which never held personal data).
/// One audit event per application, in the transaction of its erasure. Before that it closes approved applications whose
/// enrollment code can no longer be used (expired or locked, never consumed): the applicant never bound a key, and without a
/// closing time such an application's personal data would be kept for ever.
/// </summary>
public sealed class PurgeProofingRecords(SignatureServiceDbContext db, AuditTrail audit, IOptions<ProofingOptions> options, TimeProvider time)
{
    /// <summary>Applications purged per transaction.</summary>
    public const int BatchSize = 200;

    /// <summary>Purges everything due; returns what was erased.</summary>
    public async Task<PurgeView> PurgeAsync(AuditActor actor, CancellationToken cancellationToken)
    {
        await CloseAbandonedAsync(actor, cancellationToken);
        var applications = 0;
        var evidence = 0;
        while (true)
        {
            var now = time.GetUtcNow();
            var cutoff = now - options.Value.RetentionPeriod;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var due = await db.ProofingApplications
                .FromSql($"SELECT *, xmin FROM proofing_applications WHERE personal_data_purged_at IS NULL AND closed_at < {cutoff} ORDER BY closed_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
                .ToListAsync(cancellationToken);
            if (due.Count == 0)
            {
                return new PurgeView(applications, evidence);
            }

            foreach (var application in due)
            {
                var deleted = await db.ProofingEvidence.Where(x => x.ApplicationId == application.Id).ExecuteDeleteAsync(cancellationToken);
                application.FamilyName = application.GivenName = application.FamilyNameKana = application.GivenNameKana = application.NameRomaji = null;
                application.DateOfBirth = null;
                application.Sex = null;
                application.PostalCode = application.Address = application.Phone = application.Email = null;
                application.LicenseNumber = null;
                application.LicenseRegistrationDate = null;
                application.FacilityName = application.FacilityNameRomaji = null;
                application.BiometricReferenceSha256 = null;
                application.RejectionReason = null;
                application.PersonalDataPurgedAt = now;
                application.UpdatedAt = now;
                audit.Record(db, actor, "proofing.personal-data-purged", "proofing-application", application.Id.ToString(),
                    new { closedAt = application.ClosedAt, evidence = deleted, retention = options.Value.RetentionPeriod.ToString() });
                evidence += deleted;
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            applications += due.Count;
        }
    }

    /// <summary>
    /// Closes approved, never-enrolled applications whose enrollment code expired or was locked, at the time the code became
    /// unusable (its expiry, or now for a locked one), each with its audit event, in one transaction per batch.
    /// </summary>
    private async Task CloseAbandonedAsync(AuditActor actor, CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = time.GetUtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var abandoned = await db.ProofingApplications
                .FromSql($"""
                    SELECT a.*, a.xmin FROM proofing_applications a JOIN enrollment_codes e ON e.id = a.enrollment_id
                    WHERE a.status = 'approved' AND a.closed_at IS NULL AND e.consumed_at IS NULL
                      AND (e.expires_at <= {now} OR e.locked_at IS NOT NULL)
                    ORDER BY a.decided_at LIMIT {BatchSize} FOR UPDATE OF a SKIP LOCKED
                    """)
                .ToListAsync(cancellationToken);
            if (abandoned.Count == 0)
            {
                return;
            }

            var codes = await db.EnrollmentCodes.Where(e => abandoned.Select(a => a.EnrollmentId).Contains(e.Id))
                .ToDictionaryAsync(e => e.Id, cancellationToken);
            foreach (var application in abandoned)
            {
                var code = codes[application.EnrollmentId!.Value];
                application.ClosedAt = code.ExpiresAt <= now ? code.ExpiresAt : now;
                application.UpdatedAt = now;
                audit.Record(db, actor, "proofing.application-abandoned", "proofing-application", application.Id.ToString(),
                    new { enrollmentExpiredAt = code.ExpiresAt, locked = code.LockedAt is not null });
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
    }
}

/// <summary>Runs <see cref="PurgeProofingRecords"/> every <see cref="ProofingOptions.PurgeInterval"/> once the schema is migrated.</summary>
internal sealed partial class ProofingRetention(
    DatabaseStatus database, IServiceScopeFactory scopes, IOptions<ProofingOptions> options, TimeProvider time, ILogger<ProofingRetention> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!database.IsMigrated)
            {
                continue;
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var purged = await scope.ServiceProvider.GetRequiredService<PurgeProofingRecords>().PurgeAsync(AuditActor.System, stoppingToken);
                LogPurged(logger, purged.Applications, purged.EvidenceItems);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogPurgeFailed(logger, ex.GetType().Name);
            }
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Proofing retention purge: {Applications} applications, {Evidence} evidence items erased")]
    private static partial void LogPurged(ILogger logger, int applications, int evidence);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Proofing retention purge failed ({ExceptionType}); retrying at the next interval")]
    private static partial void LogPurgeFailed(ILogger logger, string exceptionType);
}
