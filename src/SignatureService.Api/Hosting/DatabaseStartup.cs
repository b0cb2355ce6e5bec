using Microsoft.Extensions.Options;
using Npgsql;
using SignatureService.Data.Migrating;

namespace SignatureService.Api.Hosting;

/// <summary>
/// Brings the schema up to date at start-up. While PostgreSQL is unreachable it retries with exponential back-off (readiness
/// stays false); a changed migration file stops the service with a clear message instead of retrying forever.
/// </summary>
internal sealed partial class DatabaseStartup(
    MigrationRunner runner,
    DatabaseStatus status,
    IOptions<DatabaseOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<DatabaseStartup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        var maxDelay = TimeSpan.FromSeconds(options.Value.MaxRetryDelaySeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (options.Value.ApplyMigrationsAtStartup)
                {
                    await runner.ApplyAsync(stoppingToken);
                }
                else if (await runner.CountPendingAsync(stoppingToken) is var pending and > 0)
                {
                    status.Set($"{pending} migration(s) pending; run the migrate command");
                    LogPending(logger, pending);
                    await Task.Delay(delay, stoppingToken);
                    delay = Min(delay * 2, maxDelay);
                    continue;
                }

                status.Set("migrated");
                LogReady(logger);
                return;
            }
            catch (MigrationException ex)
            {
                status.Set("migration refused");
                LogRefused(logger, ex.Message);
                Environment.ExitCode = 3;
                lifetime.StopApplication();
                return;
            }
            // Note: a background loop outlives any failure of its dependencies (a stopped database, a vanished HSM, an
            // exception type nobody foresaw): it logs and tries again, because an unhandled exception here would stop the host.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                status.Set("database unreachable");
                LogUnreachable(logger, delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, stoppingToken);
                delay = Min(delay * 2, maxDelay);
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Database schema is current")]
    private static partial void LogReady(ILogger logger);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Database unreachable; retrying in {DelaySeconds} s: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, double delaySeconds, string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Critical, Message = "Refusing to start: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "{Pending} database migration(s) pending and start-up migration is off")]
    private static partial void LogPending(ILogger logger, int pending);
}
