using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SignatureService.Api.Features.Hsm;
using SignatureService.Api.Hosting;
using SignatureService.Data;
using SignatureService.Data.Signing;
using SignatureService.Hsm;

namespace SignatureService.Api.Features.SignatureRequests;

/// <summary>
/// Delivers queued callbacks as compact JWS (ES256, signed in the HSM with the service's callback key, published at
/// <c>/v1/callback-keys</c>) POSTed as <c>application/jose</c>. A failed delivery is retried with exponential back-off
/// (10 s doubling, at most 1 h) up to <see cref="MaxAttempts"/> times; every attempt is logged in <c>callback_deliveries</c>.
/// Several replicas share the work: rows are claimed with <c>FOR UPDATE SKIP LOCKED</c> and leased before delivery.
/// A receiver that hangs costs one timeout, never the signing path.
/// </summary>
internal sealed partial class CallbackDispatcher(
    IServiceScopeFactory scopes,
    DatabaseStatus database,
    HsmConnection hsm,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<CallbackDispatcher> logger) : BackgroundService
{
    public const string KeyPurpose = "callback-signing";
    public const string HttpClientName = "callbacks";
    public const int MaxAttempts = 12;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var delivered = 0;
            if (database.IsMigrated && hsm.Token is not null)
            {
                try
                {
                    delivered = await DeliverDueAsync(stoppingToken);
                }
                // Note: a background loop outlives any failure of its dependencies (a stopped database, a vanished HSM, an
                // exception type nobody foresaw): it logs and tries again, because an unhandled exception here would stop the host.
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogRoundFailed(logger, ex.GetType().Name);
                }
            }

            if (delivered == 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    /// <summary>Claims up to 20 due callbacks, delivers them, records the outcomes; returns how many were attempted.</summary>
    internal async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SignatureServiceDbContext>();
        var now = time.GetUtcNow();
        List<CallbackOutboxRecord> claimed;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            claimed = await db.CallbackOutbox
                .FromSqlInterpolated($"SELECT * FROM callback_outbox WHERE status = 'pending' AND next_attempt_at <= {now} ORDER BY next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED")
                .ToListAsync(cancellationToken);
            foreach (var row in claimed)
            {
                row.NextAttemptAt = now + Lease;
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        if (claimed.Count == 0)
        {
            return 0;
        }

        var key = await scope.ServiceProvider.GetRequiredService<ServiceKeys>()
            .EnsureAsync(hsm.RequireToken(), KeyPurpose, HsmKeyAlgorithm.EcP256, cancellationToken);
        var client = httpClients.CreateClient(HttpClientName);
        // Note: the protected header is the same for every callback of the round; build it (and its key id) once.
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = "ES256", kid = KeyId(key), typ = "signature-request-event+jwt" }));
        foreach (var row in claimed)
        {
            var started = Stopwatch.GetTimestamp();
            int? status = null;
            string? error = null;
            try
            {
                using var content = new StringContent(SignPayload(key, header, row.Payload), Encoding.ASCII, "application/jose");
                using var response = await client.PostAsync(new Uri(row.Url), content, cancellationToken);
                status = (int)response.StatusCode;
                if (!response.IsSuccessStatusCode)
                {
                    error = $"HTTP {status}";
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                error = ex is TaskCanceledException ? "timed out" : "connection failed";
            }

            var attemptedAt = time.GetUtcNow();
            row.Attempts++;
            if (error is null)
            {
                row.Status = "delivered";
                row.DeliveredAt = attemptedAt;
                row.LastError = null;
            }
            else
            {
                row.LastError = error;
                row.Status = row.Attempts >= MaxAttempts ? "abandoned" : "pending";
                row.NextAttemptAt = attemptedAt + Backoff(row.Attempts);
                LogDeliveryFailed(logger, row.Id, row.Attempts, error);
            }

            db.CallbackDeliveries.Add(new CallbackDeliveryRecord
            {
                OutboxId = row.Id,
                AttemptedAt = attemptedAt,
                HttpStatus = status,
                Error = error,
                DurationMs = (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            });
            await db.SaveChangesAsync(cancellationToken);
        }

        return claimed.Count;
    }

    /// <summary>10 s, 20 s, 40 s ... capped at one hour.</summary>
    internal static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(3600, 10 * Math.Pow(2, Math.Max(0, attempts - 1))));

    /// <summary>The key id under which the callback key is published: the RFC 7638 thumbprint of its JWK.</summary>
    internal static string KeyId(HsmKey key) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(Thumbprint(key))));

    /// <summary>The public JWK of the callback key.</summary>
    internal static Dictionary<string, string> PublicJwk(HsmKey key)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo, out _);
        var q = ecdsa.ExportParameters(false).Q;
        return new Dictionary<string, string>
        {
            ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64Url.EncodeToString(q.X), ["y"] = Base64Url.EncodeToString(q.Y),
            ["kid"] = KeyId(key), ["alg"] = "ES256", ["use"] = "sig",
        };
    }

    private static string Thumbprint(HsmKey key)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo, out _);
        var q = ecdsa.ExportParameters(false).Q;
        return $$"""{"crv":"P-256","kty":"EC","x":"{{Base64Url.EncodeToString(q.X)}}","y":"{{Base64Url.EncodeToString(q.Y)}}"}""";
    }

    private static string SignPayload(HsmKey key, string header, JsonDocument payload)
    {
        var body = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload.RootElement));
        var input = Encoding.ASCII.GetBytes($"{header}.{body}");
        var signature = key.Sign(HsmSignatureMechanism.Ecdsa, SHA256.HashData(input));
        return $"{header}.{body}.{Base64Url.EncodeToString(signature)}";
    }

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Callback {OutboxId} attempt {Attempt} failed: {Error}")]
    private static partial void LogDeliveryFailed(ILogger logger, long outboxId, int attempt, string error);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Callback round failed ({ExceptionType}); retrying")]
    private static partial void LogRoundFailed(ILogger logger, string exceptionType);
}
