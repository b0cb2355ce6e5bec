using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Hsm;
using SignatureService.Api.Hosting;
using SignatureService.Core.Signing;
using SignatureService.Data;

namespace SignatureService.Api.Features.Signing;

/// <summary>
/// Picks up approved requests, and signing requests whose worker died (lease expired), and signs them. Runs on every replica;
/// the row version decides which replica signs a request.
/// </summary>
internal sealed partial class SigningWorker(
    IServiceScopeFactory scopes, DatabaseStatus database, HsmConnection hsm, SigningSignal signal, IOptions<SigningOptions> options,
    TimeProvider time, ILogger<SigningWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WorkerEnabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = 0;
            if (database.IsMigrated && hsm.Token is not null)
            {
                try
                {
                    worked = await RunOnceAsync(stoppingToken);
                }
                // Note: a background loop outlives any failure of its dependencies (a stopped database, a vanished HSM, an
                // exception type nobody foresaw): it logs and tries again, because an unhandled exception here would stop the host.
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogRoundFailed(logger, ex.GetType().Name, ex.Message);
                }
            }

            if (worked == 0)
            {
                await signal.WaitAsync(TimeSpan.FromMilliseconds(250), stoppingToken);
            }
        }
    }

    /// <summary>Signs what is due now; returns how many requests it signed.</summary>
    internal async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SignatureServiceDbContext>();
            var staleBefore = time.GetUtcNow() - SignApprovedRequest.SigningLease;
            due = await db.SignatureRequests.AsNoTracking()
                .Where(r => r.Status == SignatureRequestStatus.Approved || (r.Status == SignatureRequestStatus.Signing && r.UpdatedAt <= staleBefore))
                .OrderBy(r => r.UpdatedAt).Select(r => r.Id).Take(20).ToListAsync(cancellationToken);
        }

        var signed = 0;
        foreach (var id in due)
        {
            await using var scope = scopes.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<SignApprovedRequest>().SignAsync(id, cancellationToken))
            {
                signed++;
            }
        }

        return signed;
    }

    [LoggerMessage(EventId = 1601, Level = LogLevel.Error, Message = "Signing round failed ({ExceptionType}): {Reason}; retrying")]
    private static partial void LogRoundFailed(ILogger logger, string exceptionType, string reason);
}
