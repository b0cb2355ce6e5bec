using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace SignatureService.Data.Audit;

/// <summary>Signs checkpoint digests with the audit key (an HSM key of purpose <c>audit-checkpoint</c>).</summary>
public interface IAuditCheckpointSigner
{
    /// <summary>The <c>hsm_keys.id</c> of the signing key, recorded with each checkpoint.</summary>
    Guid KeyId { get; }

    /// <summary>Signs a 32-byte SHA-256 digest; returns the ES256 signature (P1363 r‖s).</summary>
    byte[] SignDigest(byte[] digest);
}

/// <summary>When the sealer writes a checkpoint: after <paramref name="EveryEvents"/> new positions or <paramref name="Interval"/>, whichever comes first.</summary>
/// <param name="EveryEvents">Positions between checkpoints (≥ 1).</param>
/// <param name="Interval">Longest time a sealed, new head stays without a checkpoint.</param>
/// <param name="BatchSize">Events sealed per transaction (≥ 1).</param>
public sealed record AuditSealingPolicy(int EveryEvents, TimeSpan Interval, int BatchSize);

/// <summary>What one sealing pass did.</summary>
/// <param name="Sealed">Events appended to the chain.</param>
/// <param name="HeadPosition">The chain's last position afterwards (0 when empty).</param>
/// <param name="CheckpointPosition">The position of a checkpoint written in this pass, if any.</param>
/// <param name="LockHeld">False when another sealer (another replica) held the lock and this pass did nothing.</param>
public sealed record AuditSealResult(int Sealed, long HeadPosition, long? CheckpointPosition, bool LockHeld);

/// <summary>
/// Appends committed audit events to the hash chain and writes signed checkpoints. Writers never wait for it: they only INSERT
/// into <c>audit_events</c>; one sealer at a time (a transaction-level advisory lock, so replicas take turns) assigns positions
/// in the order it finds committed events. Ids of rolled-back transactions simply never appear; an event that commits late
/// (lower id, later commit) is sealed at a later position. Thread-safe.
/// </summary>
public sealed partial class AuditChainSealer(NpgsqlDataSource dataSource, TimeProvider time, ILogger<AuditChainSealer> logger)
{
    /// <summary>
    /// The first statement of every pass: takes this replica's turn (<c>$1</c>, the sealer's advisory lock key) and, for the rest
    /// of the pass's transaction, has PostgreSQL plan each statement for its actual values. Note: the service prepares statements
    /// it runs often (<c>Max Auto Prepare</c>), and PostgreSQL then plans a prepared statement once for any value ("generic
    /// plan") when that looks no dearer. For <see cref="SelectUnsealed"/>, not knowing the floor, it takes a third of the
    /// trail to qualify and reads the whole chain: the signing benchmark's plan walked <c>audit_events</c> in id order from the
    /// first event and merged it with all of <c>audit_chain</c>'s index; another hashed every chain row. A pass then cost more
    /// every day the service ran. Planned for the actual floor, the statement finds the recent transactions' events through
    /// <c>ix_audit_events_xact_id</c> and looks each up in the chain's index.
    /// </summary>
    public const string TakeTurn = "SELECT pg_try_advisory_xact_lock($1), set_config('plan_cache_mode', 'force_custom_plan', true)";

    /// <summary>
    /// The committed events not sealed yet, oldest id first: those of transactions from <c>$1</c> (the floor the last pass left)
    /// on, at most <c>$2</c>. Run after <see cref="TakeTurn"/>.
    /// </summary>
    public const string SelectUnsealed = """
        SELECT e.id, e.occurred_at, e.actor_type, e.actor_id, e.action, e.target_type, e.target_id, e.outcome, e.trace_id, e.details::text
        FROM audit_events e
        WHERE e.xact_id >= $1 AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = e.id)
        ORDER BY e.id
        LIMIT $2
        """;

    // Note: "SIGNAUDT" in ASCII; distinct from the migration lock.
    private const long SealerLockKey = 0x5349474E41554454;

    /// <summary>
    /// Seals up to one batch of committed, unsealed events and, when due (or <paramref name="checkpointNow"/>) and a signer is
    /// given, a checkpoint over the new head. Without a signer (HSM unavailable) the chain still grows; checkpoints wait.
    /// </summary>
    public async Task<AuditSealResult> SealAsync(
        AuditSealingPolicy policy, IAuditCheckpointSigner? signer, bool checkpointNow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand(TakeTurn, connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = SealerLockKey });
            if (!(bool)(await lockCommand.ExecuteScalarAsync(cancellationToken))!)
            {
                return new AuditSealResult(0, 0, null, false);
            }
        }

        var (position, headHash, floor) = await ReadHeadAsync(connection, transaction, cancellationToken);
        long snapshotXmin;
        await using (var xmin = new NpgsqlCommand("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint", connection, transaction))
        {
            snapshotXmin = (long)(await xmin.ExecuteScalarAsync(cancellationToken))!;
        }

        var events = new List<AuditChainEvent>();
        await using (var select = new NpgsqlCommand(SelectUnsealed, connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter<long> { TypedValue = floor });
            select.Parameters.Add(new NpgsqlParameter<int> { TypedValue = policy.BatchSize });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add(AuditChainReader.ReadEvent(reader, 0));
            }
        }

        // Note: every transaction below the snapshot's xmin had finished before the select, so a batch that was not cut short
        // sealed all of their events: the next pass may start there.
        var newFloor = events.Count < policy.BatchSize ? snapshotXmin : floor;
        var now = AuditChain.ToStoredPrecision(time.GetUtcNow());
        if (events.Count > 0)
        {
            var positions = new long[events.Count];
            var ids = new long[events.Count];
            var hashes = new byte[events.Count][];
            for (var i = 0; i < events.Count; i++)
            {
                position++;
                headHash = AuditChain.HashEvent(position, headHash, events[i]);
                positions[i] = position;
                ids[i] = events[i].Id;
                hashes[i] = headHash;
            }

            await using var insert = new NpgsqlCommand("""
                INSERT INTO audit_chain (position, event_id, hash, sealed_at, sealed_below_xact)
                SELECT p, e, h, @at, @floor FROM unnest(@p, @e, @h) AS t(p, e, h)
                """, connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter("p", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = positions });
            insert.Parameters.Add(new NpgsqlParameter("e", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = ids });
            insert.Parameters.Add(new NpgsqlParameter("h", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = hashes });
            insert.Parameters.AddWithValue("at", now);
            insert.Parameters.AddWithValue("floor", newFloor);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        long? checkpoint = null;
        if (signer is not null && position > 0
            && await CheckpointDueAsync(connection, transaction, policy, position, now, checkpointNow, cancellationToken))
        {
            var digest = AuditChain.CheckpointDigest(position, headHash, now);
            var signature = signer.SignDigest(digest);
            await using var insert = new NpgsqlCommand("""
                INSERT INTO audit_checkpoints (position, head_hash, created_at, key_id, algorithm, signature)
                VALUES (@p, @h, @at, @k, 'ES256', @s)
                """, connection, transaction);
            insert.Parameters.AddWithValue("p", position);
            insert.Parameters.AddWithValue("h", headHash);
            insert.Parameters.AddWithValue("at", now);
            insert.Parameters.AddWithValue("k", signer.KeyId);
            insert.Parameters.AddWithValue("s", signature);
            await insert.ExecuteNonQueryAsync(cancellationToken);
            checkpoint = position;
        }

        await transaction.CommitAsync(cancellationToken);
        if (checkpoint is { } at)
        {
            // Note: logging the signed head puts a copy outside the database, so even a superuser who rewrites the chain and
            // deletes checkpoints is contradicted by the log archive.
            LogCheckpoint(logger, at, new HexBytes(headHash));
        }

        return new AuditSealResult(events.Count, position, checkpoint, true);
    }

    private static async Task<(long Position, byte[] Hash, long Floor)> ReadHeadAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT position, hash, sealed_below_xact FROM audit_chain ORDER BY position DESC LIMIT 1", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.GetInt64(0), (byte[])reader.GetValue(1), reader.GetInt64(2))
            : (0, AuditChain.GenesisHash.ToArray(), 0);
    }

    private static async Task<bool> CheckpointDueAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, AuditSealingPolicy policy, long head, DateTimeOffset now,
        bool checkpointNow, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT position, created_at FROM audit_checkpoints ORDER BY position DESC LIMIT 1", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return true;
        }

        var last = reader.GetInt64(0);
        var createdAt = reader.GetFieldValue<DateTimeOffset>(1);
        return head > last && (checkpointNow || head - last >= policy.EveryEvents || now - createdAt >= policy.Interval);
    }

    private readonly record struct HexBytes(byte[] Value)
    {
        public override string ToString() => Convert.ToHexString(Value);
    }

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "Audit checkpoint signed at position {Position}, head {HeadHash}")]
    private static partial void LogCheckpoint(ILogger logger, long position, HexBytes headHash);
}
