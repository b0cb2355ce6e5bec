using System.Security.Cryptography;
using Npgsql;

namespace SignatureService.Data.Audit;

/// <summary>What went wrong first, and where.</summary>
/// <param name="Kind">
/// <c>position-missing</c> (a chain row was removed), <c>event-missing</c> (the chained event row was removed),
/// <c>hash-mismatch</c> (the event or its order differs from what was sealed), <c>chain-truncated</c> (a checkpoint covers
/// positions that are gone), <c>checkpoint-mismatch</c> (the recomputed head differs from the signed one),
/// <c>checkpoint-signature-invalid</c>, <c>checkpoint-key-unknown</c>.
/// </param>
/// <param name="Position">The chain position of the first problem.</param>
/// <param name="EventId">The audit event id at that position, when known.</param>
/// <param name="Description">A sentence for the operator (ids and positions only).</param>
public sealed record AuditChainProblem(string Kind, long Position, long? EventId, string Description);

/// <summary>The outcome of recomputing the audit chain and its checkpoints.</summary>
/// <param name="Intact">True when every sealed event and every checkpoint verified.</param>
/// <param name="EventsVerified">Chain positions recomputed before the first problem (all of them when intact).</param>
/// <param name="CheckpointsVerified">Checkpoints whose signature and head verified.</param>
/// <param name="LastCheckpointPosition">The highest verified checkpoint's position; events after it are chained but not yet signed.</param>
/// <param name="UnsealedEvents">Events written but not yet chained (normally those of the last second or so).</param>
/// <param name="FirstProblem">The first problem, or null.</param>
public sealed record AuditVerificationReport(
    bool Intact,
    long EventsVerified,
    int CheckpointsVerified,
    long? LastCheckpointPosition,
    long UnsealedEvents,
    AuditChainProblem? FirstProblem);

/// <summary>
/// Recomputes the chain from position 1 and checks every checkpoint against the recomputed head and the audit key's public key
/// in <c>hsm_keys</c> (no HSM needed). Streams the trail: memory is constant in its length. Read-only; thread-safe.
/// </summary>
public sealed class AuditChainVerifier(NpgsqlDataSource dataSource)
{
    /// <summary>Verifies the whole trail and names the first broken or missing event.</summary>
    public async Task<AuditVerificationReport> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Note: one snapshot for every read, so events sealed while we read cannot look like a truncation.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var checkpoints = await ReadCheckpointsAsync(connection, transaction, cancellationToken);
        var keys = await ReadKeysAsync(connection, transaction, cancellationToken);
        long unsealed;
        await using (var count = new NpgsqlCommand(
            "SELECT count(*) FROM audit_events e WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = e.id)", connection, transaction))
        {
            unsealed = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        var previous = AuditChain.GenesisHash.ToArray();
        long expected = 1, verified = 0;
        var checkpointsVerified = 0;
        long? lastCheckpoint = null;
        AuditChainProblem? problem = null;
        await using (var command = new NpgsqlCommand("""
            SELECT c.position, c.event_id, c.hash,
                   e.id, e.occurred_at, e.actor_type, e.actor_id, e.action, e.target_type, e.target_id, e.outcome, e.trace_id, e.details::text
            FROM audit_chain c LEFT JOIN audit_events e ON e.id = c.event_id
            ORDER BY c.position
            """, connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (problem is null && await reader.ReadAsync(cancellationToken))
            {
                var position = reader.GetInt64(0);
                var eventId = reader.GetInt64(1);
                var stored = (byte[])reader.GetValue(2);
                if (position != expected)
                {
                    problem = new("position-missing", expected, null,
                        $"Chain position {expected} is missing (the next present position is {position}, event {eventId}).");
                    break;
                }

                if (reader.IsDBNull(3))
                {
                    problem = new("event-missing", position, eventId, $"Audit event {eventId}, sealed at position {position}, is missing.");
                    break;
                }

                var computed = AuditChain.HashEvent(position, previous, AuditChainReader.ReadEvent(reader, 3));
                if (!CryptographicOperations.FixedTimeEquals(computed, stored))
                {
                    problem = new("hash-mismatch", position, eventId,
                        $"Audit event {eventId} at position {position} differs from what was sealed (altered, replaced or reordered).");
                    break;
                }

                if (checkpoints.TryGetValue(position, out var checkpoint))
                {
                    problem = CheckCheckpoint(checkpoint, computed, eventId, keys);
                    if (problem is not null)
                    {
                        break;
                    }

                    checkpointsVerified++;
                    lastCheckpoint = position;
                }

                previous = computed;
                verified = position;
                expected = position + 1;
            }
        }

        if (problem is null && checkpoints.Keys.Where(p => p > verified).Order().FirstOrDefault() is var beyond and > 0)
        {
            problem = new("chain-truncated", verified + 1, null,
                $"A checkpoint covers position {beyond} but the chain ends at position {verified}: positions {verified + 1}–{beyond} are missing.");
        }

        return new AuditVerificationReport(problem is null, verified, checkpointsVerified, lastCheckpoint, unsealed, problem);
    }

    private static AuditChainProblem? CheckCheckpoint(
        Checkpoint checkpoint, byte[] head, long eventId, Dictionary<Guid, byte[]> keys)
    {
        if (!CryptographicOperations.FixedTimeEquals(checkpoint.HeadHash, head))
        {
            return new("checkpoint-mismatch", checkpoint.Position, eventId,
                $"The chain recomputed up to position {checkpoint.Position} differs from the signed checkpoint there: an event at or before it was altered and the chain rewritten.");
        }

        if (!keys.TryGetValue(checkpoint.KeyId, out var spki))
        {
            return new("checkpoint-key-unknown", checkpoint.Position, eventId, $"The checkpoint at position {checkpoint.Position} names an unknown key.");
        }

        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(spki, out _);
        var digest = AuditChain.CheckpointDigest(checkpoint.Position, checkpoint.HeadHash, checkpoint.CreatedAt);
        return key.VerifyHash(digest, checkpoint.Signature)
            ? null
            : new("checkpoint-signature-invalid", checkpoint.Position, eventId,
                $"The checkpoint signature at position {checkpoint.Position} does not verify with the audit key.");
    }

    private static async Task<Dictionary<long, Checkpoint>> ReadCheckpointsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var checkpoints = new Dictionary<long, Checkpoint>();
        await using var command = new NpgsqlCommand(
            "SELECT position, head_hash, created_at, key_id, signature FROM audit_checkpoints", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            checkpoints[reader.GetInt64(0)] = new Checkpoint(
                reader.GetInt64(0), (byte[])reader.GetValue(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetGuid(3), (byte[])reader.GetValue(4));
        }

        return checkpoints;
    }

    private static async Task<Dictionary<Guid, byte[]>> ReadKeysAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var keys = new Dictionary<Guid, byte[]>();
        await using var command = new NpgsqlCommand(
            "SELECT id, public_key_spki FROM hsm_keys WHERE id IN (SELECT DISTINCT key_id FROM audit_checkpoints)", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys[reader.GetGuid(0)] = (byte[])reader.GetValue(1);
        }

        return keys;
    }

    private sealed record Checkpoint(long Position, byte[] HeadHash, DateTimeOffset CreatedAt, Guid KeyId, byte[] Signature);
}

/// <summary>Reads <see cref="AuditChainEvent"/> columns in the order both the sealer and the verifier select them.</summary>
internal static class AuditChainReader
{
    public static AuditChainEvent ReadEvent(NpgsqlDataReader reader, int first) => new(
        reader.GetInt64(first),
        reader.GetFieldValue<DateTimeOffset>(first + 1),
        reader.GetString(first + 2),
        reader.GetString(first + 3),
        reader.GetString(first + 4),
        reader.IsDBNull(first + 5) ? null : reader.GetString(first + 5),
        reader.IsDBNull(first + 6) ? null : reader.GetString(first + 6),
        reader.GetString(first + 7),
        reader.IsDBNull(first + 8) ? null : reader.GetString(first + 8),
        reader.GetString(first + 9));
}
