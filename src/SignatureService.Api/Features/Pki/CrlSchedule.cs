using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SignatureService.Api.Features.Hsm;
using SignatureService.Api.Hosting;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Hsm;

namespace SignatureService.Api.Features.Pki;

/// <summary>
/// Re-issues each CA's CRL on schedule: every <see cref="PkiOptions.CrlCheckInterval"/>, a CRL past half of its validity (or
/// missing) is replaced, so relying parties always hold one whose nextUpdate is ahead. Replicas may race: CRL numbers stay
/// monotonic (row lock), at worst one extra CRL is issued.
/// </summary>
internal sealed partial class CrlSchedule(
    HsmConnection hsm,
    DatabaseStatus database,
    CertificateAuthorities authorities,
    IServiceScopeFactory scopes,
    IOptions<PkiOptions> options,
    TimeProvider time,
    ILogger<CrlSchedule> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CrlCheckInterval, time);
        do
        {
            if (!database.IsMigrated || hsm.HealthKey is null)
            {
                continue;
            }

            try
            {
                await RefreshAsync(stoppingToken);
            }
            // Note: a background loop outlives any failure of its dependencies (a stopped database, a vanished HSM, an
            // exception type nobody foresaw): it logs and tries again, because an unhandled exception here would stop the host.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogRefreshFailed(logger, ex.GetType().Name, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Re-issues the CRLs that are due; returns how many.</summary>
    internal async Task<int> RefreshAsync(CancellationToken cancellationToken)
    {
        var hierarchy = await authorities.TryGetAsync(cancellationToken);
        if (hierarchy is null)
        {
            return 0;
        }

        var issued = 0;
        var now = time.GetUtcNow();
        foreach (var authority in hierarchy.Authorities.Values)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SignatureServiceDbContext>();
            var latest = await db.Crls.AsNoTracking().Where(c => c.CaId == authority.Id).OrderByDescending(c => c.CrlNumber)
                .Select(c => new { c.ThisUpdate, c.NextUpdate }).FirstOrDefaultAsync(cancellationToken);
            if (latest is not null && now < latest.ThisUpdate + ((latest.NextUpdate - latest.ThisUpdate) / 2))
            {
                continue;
            }

            var crl = await scope.ServiceProvider.GetRequiredService<CrlPublisher>().PublishAsync(db, authority, AuditActor.System, cancellationToken);
            LogIssued(logger, authority.Name, crl.CrlNumber);
            issued++;
        }

        return issued;
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Scheduled CRL of {Ca} issued, number {CrlNumber}")]
    private static partial void LogIssued(ILogger logger, string ca, long crlNumber);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Error, Message = "Scheduled CRL refresh failed ({ExceptionType}): {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string exceptionType, string reason);
}
