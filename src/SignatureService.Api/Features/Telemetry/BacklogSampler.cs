using Microsoft.EntityFrameworkCore;
using SignatureService.Api.Hosting;
using SignatureService.Core.Signing;
using SignatureService.Data;

namespace SignatureService.Api.Features.Telemetry;

/// <summary>
/// Samples the work waiting in the database into the gauges of <see cref="ServiceMetrics"/>: requests approved or being signed
/// (the signing queue) and callbacks not yet delivered (the backlog). Two indexed counts every
/// <see cref="Interval"/>; a failed sample keeps the last values and is retried at the next tick.
/// </summary>
internal sealed partial class BacklogSampler(
    IServiceScopeFactory scopes, DatabaseStatus database, ServiceMetrics metrics, TimeProvider time, ILogger<BacklogSampler> logger)
    : BackgroundService
{
    /// <summary>Time between samples.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (database.IsMigrated)
            {
                try
                {
                    await SampleAsync(stoppingToken);
                }
                // Note: a background loop outlives any failure of its dependencies (a stopped database, a vanished HSM, an
                // exception type nobody foresaw): it logs and tries again, because an unhandled exception here would stop the host.
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogSampleFailed(logger, ex.GetType().Name);
                }
            }

            await Task.Delay(Interval, time, stoppingToken);
        }
    }

    /// <summary>Takes one sample now.</summary>
    internal async Task SampleAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SignatureServiceDbContext>();
        var queue = await db.SignatureRequests.LongCountAsync(
            r => r.Status == SignatureRequestStatus.Approved || r.Status == SignatureRequestStatus.Signing, cancellationToken);
        var backlog = await db.CallbackOutbox.LongCountAsync(c => c.Status == "pending", cancellationToken);
        metrics.SetSigningQueueDepth(queue);
        metrics.SetCallbackBacklog(backlog);
    }

    [LoggerMessage(EventId = 1751, Level = LogLevel.Warning, Message = "Backlog sample failed ({ExceptionType}); keeping the last values")]
    private static partial void LogSampleFailed(ILogger logger, string exceptionType);
}
