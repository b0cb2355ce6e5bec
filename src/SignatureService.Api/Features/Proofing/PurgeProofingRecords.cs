using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SignatureService.Api.Hosting;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Proofing;

namespace SignatureService.Api.Features.Proofing;

/// <summary>
/// The retention purge (issue 5 item 8): for applications closed longer than <see cref="ProofingOptions.RetentionPeriod"/>
/// ago, deletes the evidence items and erases the personal data (basic four facts, contact, license number, facility,
/// biometric reference hash), keeping the row's decisions and the audit trail (which never held personal data).
/// One audit event per application, in the transaction of its erasure.
/// </summary>
public sealed class PurgeProofingRecords(SignatureServiceDbContext db, AuditTrail audit, IOptions<ProofingOptions> options, TimeProvider time)
{
    /// <summary>Applications purged per transaction.</summary>
    public const int BatchSize = 200;

    /// <summary>Purges everything due; returns what was erased.</summary>
    public async Task<PurgeView> PurgeAsync(AuditActor actor, CancellationToken cancellationToken)
    {
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
            catch (Exception ex) when (ex is NpgsqlException or DbUpdateException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
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
