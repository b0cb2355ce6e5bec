using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SignatureService.Api.Hosting;
using SignatureService.Hsm;

namespace SignatureService.Api.Features.Hsm;

/// <summary>
/// Opens the token at start-up and makes sure the health-test key exists. A missing module or token is retried with back-off
/// (readiness stays false, the process does not crash-loop); a refused PIN is never retried, because HSMs lock PINs after a
/// few failures (HPKI cards after 15): readiness then names the setting to fix.
/// </summary>
internal sealed partial class HsmStartup(
    HsmConnection connection,
    IOptions<HsmOptions> options,
    DatabaseStatus database,
    IServiceScopeFactory scopes,
    ILogger<HsmStartup> logger) : BackgroundService
{
    public const string HealthKeyPurpose = "health-test";
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(60);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        HsmToken? token = null;
        while (token is null)
        {
            try
            {
                token = await Task.Run(() => HsmToken.Open(options.Value), stoppingToken);
            }
            catch (Pkcs11Exception ex) when (ex.ReturnValue is CkReturnValue.CKR_PIN_INCORRECT or CkReturnValue.CKR_PIN_INVALID
                                               or CkReturnValue.CKR_PIN_LEN_RANGE or CkReturnValue.CKR_PIN_EXPIRED
                                               or CkReturnValue.CKR_PIN_LOCKED)
            {
                connection.SetState($"login refused ({ex.ReturnValue}); check {HsmOptions.SectionName}:PinFile or PinEnvironmentVariable");
                LogLoginRefused(logger, ex.ReturnValue);
                return;
            }
            catch (HsmException ex)
            {
                connection.SetState($"unavailable: {ex.Code}");
                LogUnavailable(logger, ex.Code, ex.Message, delay.TotalSeconds);
                await Task.Delay(delay, stoppingToken);
                delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
            }
        }

        connection.Connected(token);
        connection.SetState("waiting for the database");
        while (!database.IsMigrated)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), stoppingToken);
        }

        delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var keys = scope.ServiceProvider.GetRequiredService<ServiceKeys>();
                connection.Ready(await keys.EnsureAsync(token, HealthKeyPurpose, HsmKeyAlgorithm.EcP256, stoppingToken));
                LogReady(logger, token.TokenLabel);
                return;
            }
            // Note: a background loop outlives any failure of its dependencies (a stopped database, a vanished HSM, an
            // exception type nobody foresaw): it logs and tries again, because an unhandled exception here would stop the host.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                connection.SetState("health-test key unavailable");
                LogStoreUnavailable(logger, ex.Message, delay.TotalSeconds);
                await Task.Delay(delay, stoppingToken);
                delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
            }
        }
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Critical,
        Message = "HSM login refused with {ReturnValue}; not retrying so the PIN is not locked. Fix the PIN setting and restart.")]
    private static partial void LogLoginRefused(ILogger logger, CkReturnValue returnValue);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Error, Message = "HSM unavailable ({Code}): {Reason}; retrying in {DelaySeconds} s")]
    private static partial void LogUnavailable(ILogger logger, HsmErrorCode code, string reason, double delaySeconds);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Error, Message = "Health-test key unavailable: {Reason}; retrying in {DelaySeconds} s")]
    private static partial void LogStoreUnavailable(ILogger logger, string reason, double delaySeconds);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "HSM token {TokenLabel} ready")]
    private static partial void LogReady(ILogger logger, string tokenLabel);
}
