using Microsoft.EntityFrameworkCore;
using SignatureService.Api.Hosting;
using SignatureService.Core.Signing;
using SignatureService.Data;
using SignatureService.Data.Audit;

namespace SignatureService.Api.Features.SignatureRequests;

/// <summary>
/// Expires requests nobody approved in time, each with its audit event and callback in one transaction. Safe on every replica:
/// the row version makes a concurrent approval or a second replica's expiry of the same row fail and be retried next round.
/// </summary>
internal sealed partial class RequestExpiry(IServiceScopeFactory scopes, DatabaseStatus database, TimeProvider time, ILogger<RequestExpiry> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(Interval, time, stoppingToken);
            if (!database.IsMigrated)
            {
                continue;
            }

            try
            {
                await ExpireDueAsync(scopes, time, stoppingToken);
            }
            // Note: a background loop outlives any failure of its dependencies (a stopped database, a vanished HSM, an
            // exception type nobody foresaw): it logs and tries again, because an unhandled exception here would stop the host.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogExpiryFailed(logger, ex.GetType().Name);
            }
        }
    }

    /// <summary>Expires up to 100 due requests; returns how many.</summary>
    internal static async Task<int> ExpireDueAsync(IServiceScopeFactory scopes, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SignatureServiceDbContext>();
        var workflows = scope.ServiceProvider.GetRequiredService<SignatureRequestWorkflows>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditTrail>();
        var now = time.GetUtcNow();
        var due = await db.SignatureRequests.Where(r => r.Status == SignatureRequestStatus.PendingApproval && r.ExpiresAt <= now)
            .OrderBy(r => r.ExpiresAt).Take(100).ToListAsync(cancellationToken);
        foreach (var request in due)
        {
            workflows.Transition(request, SignatureRequestStatus.Expired, "Not approved before it expired.");
            audit.Record(db, AuditActor.System, "signature-request.expired", "signature-request", request.Id.ToString());
        }

        await db.SaveChangesAsync(cancellationToken);
        return due.Count;
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Request expiry round failed ({ExceptionType}); retrying next round")]
    private static partial void LogExpiryFailed(ILogger logger, string exceptionType);
}
