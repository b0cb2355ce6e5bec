using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Hsm;
using SignatureService.Api.Hosting;
using SignatureService.Core.Signing;
using SignatureService.Data;
using SignatureService.Data.Signing;

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
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, byte> _ownClaims = new();

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
        Dictionary<Guid, SignApprovedRequest.PolledRequest> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // Note: whole rows, so each claim needs no read of its own (SignApprovedRequest claims at the row version read here).
            var db = scope.ServiceProvider.GetRequiredService<SignatureServiceDbContext>();
            var staleBefore = time.GetUtcNow() - SignApprovedRequest.SigningLease;
            due = await db.SignatureRequests.AsNoTracking()
                .Where(r => r.Status == SignatureRequestStatus.Approved || (r.Status == SignatureRequestStatus.Signing && r.UpdatedAt <= staleBefore))
                .OrderBy(r => r.UpdatedAt).Take(20)
                .Select(r => new SignApprovedRequest.PolledRequest(r, EF.Property<uint>(r, SignatureRequestRecord.VersionProperty)))
                .ToDictionaryAsync(r => r.Request.Id, cancellationToken);
        }

        // Note: requests this worker claimed whose round then failed (database or HSM away) come first and are resumed
        // without waiting out the lease: nobody else can be working on them unless they took them over, which the row version settles.
        // Note: several requests at once (Signing:Parallelism), each in its own scope: a queue of single-document requests
        // otherwise waits on each one's claim, look-ups and commits in turn while the HSM idles.
        var own = _ownClaims.Keys.ToList();
        var signed = 0;
        await Parallel.ForEachAsync(own.Concat(due.Keys.Except(own)),
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = cancellationToken }, async (id, token) =>
            {
                var resume = _ownClaims.ContainsKey(id);
                await using var scope = scopes.CreateAsyncScope();
                if (await scope.ServiceProvider.GetRequiredService<SignApprovedRequest>().SignAsync(
                        id, token, resume, claimed: c => _ownClaims[c] = 0, polled: resume ? null : due.GetValueOrDefault(id)))
                {
                    Interlocked.Increment(ref signed);
                }

                // Note: reached only when the round for this request finished (signed, failed for good, or someone else's);
                // an exception leaves the claim recorded for the next round.
                _ownClaims.TryRemove(id, out _);
            });

        return signed;
    }

    [LoggerMessage(EventId = 1601, Level = LogLevel.Error, Message = "Signing round failed ({ExceptionType}): {Reason}; retrying")]
    private static partial void LogRoundFailed(ILogger logger, string exceptionType, string reason);
}
