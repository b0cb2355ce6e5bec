using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SignatureService.Api.Features.Hsm;
using SignatureService.Api.Hosting;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Hsm;

namespace SignatureService.Api.Features.Audit;

/// <summary>
/// Runs the audit sealer in the background on every replica; the sealer's advisory lock lets one replica at a time work, so
/// a replica going away costs nothing. Seals batch after batch while events wait, then pauses
/// <see cref="AuditOptions.SealIntervalMilliseconds"/>. While the HSM is unavailable the chain still grows and checkpoints wait.
/// </summary>
internal sealed partial class AuditSealing(
    AuditChainSealer sealer,
    SignatureService.Api.Features.Telemetry.ServiceMetrics metrics,
    HsmConnection hsm,
    DatabaseStatus database,
    IServiceScopeFactory scopes,
    AuditTrail audit,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<AuditSealing> logger) : BackgroundService
{
    private IAuditCheckpointSigner? _signer;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!database.IsMigrated)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), stoppingToken);
        }

        var policy = options.Value.ToPolicy();
        var pause = TimeSpan.FromMilliseconds(options.Value.SealIntervalMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var signer = await SignerAsync(stoppingToken);
                AuditSealResult result;
                do
                {
                    result = await sealer.SealAsync(policy, signer, checkpointNow: false, stoppingToken);
                    metrics.AuditSealed(result.Sealed);
                }
                while (result.Sealed == policy.BatchSize && !stoppingToken.IsCancellationRequested);
            }
            // Note: a background loop outlives any failure of its dependencies (a stopped database, a vanished HSM, an
            // exception type nobody foresaw): it logs and tries again, because an unhandled exception here would stop the host.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogSealFailed(logger, ex.GetType().Name, ex.Message);
                _signer = null;
            }

            await Task.Delay(pause, stoppingToken);
        }
    }

    private async Task<IAuditCheckpointSigner?> SignerAsync(CancellationToken cancellationToken)
    {
        if (_signer is not null || hsm.Token is not { } token || hsm.HealthKey is null)
        {
            return _signer;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SignatureServiceDbContext>();
        _signer = await HsmAuditCheckpointSigner.EnsureAsync(token, db, audit, time, cancellationToken);
        return _signer;
    }

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Audit sealing pass failed ({ErrorType}): {Reason}; retrying")]
    private static partial void LogSealFailed(ILogger logger, string errorType, string reason);
}
