using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SignatureService.Api.Features.Audit;
using SignatureService.Api.Features.Hsm;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Testing;

namespace SignatureService.Api.Tests.Audit;

/// <summary>The real service on its own database, with the background sealer slowed down so a test drives sealing itself.</summary>
internal sealed class AuditHarness : IAsyncDisposable
{
    public static readonly AuditSealingPolicy Policy = new(EveryEvents: 10, Interval: TimeSpan.FromHours(1), BatchSize: 25);

    private AuditHarness(ServiceFactory factory, TestDatabase database, IAuditCheckpointSigner signer)
    {
        Factory = factory;
        Database = database;
        Signer = signer;
    }

    public ServiceFactory Factory { get; }

    public TestDatabase Database { get; }

    public IAuditCheckpointSigner Signer { get; }

    public AuditChainVerifier Verifier => Factory.Services.GetRequiredService<AuditChainVerifier>();

    public static async Task<AuditHarness> StartAsync()
    {
        var (factory, database) = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["Audit:SealIntervalMilliseconds"] = "60000",
        });
        await factory.StartAsync();
        var hsm = factory.Services.GetRequiredService<HsmConnection>();
        for (var i = 0; hsm.HealthKey is null; i++)
        {
            if (i == 300)
            {
                throw new TimeoutException($"The HSM did not become ready: {hsm.State}");
            }

            await Task.Delay(50);
        }

        // Note: the background sealer may create the audit key at the same moment; the loser of that race retries and finds it.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var scope = factory.Services.CreateAsyncScope();
                var signer = await HsmAuditCheckpointSigner.EnsureAsync(
                    hsm.RequireToken(),
                    scope.ServiceProvider.GetRequiredService<SignatureServiceDbContext>(),
                    factory.Services.GetRequiredService<AuditTrail>(),
                    TimeProvider.System,
                    CancellationToken.None);
                return new AuditHarness(factory, database, signer);
            }
            catch (Microsoft.EntityFrameworkCore.DbUpdateException) when (attempt < 3)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Writes <paramref name="count"/> events through the public AuditTrail API, one transaction each.</summary>
    public async Task WriteEventsAsync(int count, string action = "test.event")
    {
        var audit = Factory.Services.GetRequiredService<AuditTrail>();
        for (var i = 0; i < count; i++)
        {
            await using var scope = Factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SignatureServiceDbContext>();
            audit.Record(db, new AuditActor("operator", $"op-{i % 3}"), action, "thing", $"t-{i}", new { n = i, note = "ids only" }, success: i % 5 != 0);
            await db.SaveChangesAsync();
        }
    }

    /// <summary>Seals everything committed so far (taking turns with the background sealer) and signs a checkpoint over the head.</summary>
    public async Task<long> SealAllAsync()
    {
        var sealer = Factory.Services.GetRequiredService<AuditChainSealer>();
        for (var attempt = 0; ; attempt++)
        {
            var result = await sealer.SealAsync(Policy, Signer, checkpointNow: false, CancellationToken.None);
            if (result.LockHeld && result.Sealed < Policy.BatchSize)
            {
                var last = await sealer.SealAsync(Policy, Signer, checkpointNow: true, CancellationToken.None);
                if (last.LockHeld)
                {
                    return last.HeadPosition;
                }
            }

            if (!result.LockHeld)
            {
                Assert.True(attempt < 200, "the sealer lock was never free");
                await Task.Delay(25);
            }
        }
    }

    /// <summary>Runs SQL as the cluster's superuser with the append-only triggers disabled: what an attacker with full database access could do.</summary>
    public async Task TamperAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            BEGIN;
            ALTER TABLE audit_events DISABLE TRIGGER USER;
            ALTER TABLE audit_chain DISABLE TRIGGER USER;
            ALTER TABLE audit_checkpoints DISABLE TRIGGER USER;
            {sql};
            ALTER TABLE audit_events ENABLE TRIGGER USER;
            ALTER TABLE audit_chain ENABLE TRIGGER USER;
            ALTER TABLE audit_checkpoints ENABLE TRIGGER USER;
            COMMIT;
            """, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<long> FirstCheckpointAtOrAfterAsync(long position) =>
        await Database.ScalarAsync<long>($"SELECT min(position) FROM audit_checkpoints WHERE position >= {position}");

    public async Task<long> EventAtAsync(long position) =>
        await Database.ScalarAsync<long>($"SELECT event_id FROM audit_chain WHERE position = {position}");

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Database.DisposeAsync();
    }
}
