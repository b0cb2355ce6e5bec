using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace SignatureService.Data.Audit;

/// <summary>Filters for browsing the audit trail; every filter is optional and they combine with AND.</summary>
/// <param name="Action">Exact action (<c>certificate.revoked</c>), or a prefix when <paramref name="ActionIsPrefix"/>.</param>
/// <param name="ActionIsPrefix">True to match every action that starts with <paramref name="Action"/>.</param>
/// <param name="ActorType">Exact actor type (<c>operator</c>, <c>signer</c>, <c>client</c>, <c>cli</c>, <c>system</c>, <c>anonymous</c>).</param>
/// <param name="ActorId">Exact actor id.</param>
/// <param name="Subject">Exact target id (a serial number, a request id, a user id).</param>
/// <param name="From">Inclusive lower bound of <c>occurred_at</c>.</param>
/// <param name="To">Exclusive upper bound of <c>occurred_at</c>.</param>
/// <param name="Before">Keyset cursor: only events with a smaller id.</param>
/// <param name="Limit">Events to return (1–200).</param>
public sealed record AuditEventFilter(
    string? Action,
    bool ActionIsPrefix,
    string? ActorType,
    string? ActorId,
    string? Subject,
    DateTimeOffset? From,
    DateTimeOffset? To,
    long? Before,
    int Limit);

/// <summary>One audit event as stored, with where it sits in the hash chain.</summary>
/// <param name="Event">The stored columns; <see cref="AuditChainEvent.Details"/> is the jsonb text exactly as the chain hashes it.</param>
/// <param name="Position">The chain position, or null while the event is not yet sealed into the chain.</param>
/// <param name="Hash">The chain hash at that position (32 bytes), or null while unsealed.</param>
/// <param name="UnderCheckpoint">True when a signed checkpoint at or after <paramref name="Position"/> covers the event.</param>
public sealed record AuditEventEntry(AuditChainEvent Event, long? Position, byte[]? Hash, bool UnderCheckpoint);

/// <summary>
/// Reads the audit trail newest first (by id) with filters and a keyset cursor, joined with the chain and the newest
/// checkpoint. Returns the stored columns only: nothing is joined in that the trail does not already hold. Read-only; thread-safe.
/// </summary>
public sealed class AuditEventBrowser(NpgsqlDataSource dataSource)
{
    /// <summary>Largest page.</summary>
    public const int MaxLimit = 200;

    /// <summary>Reads up to <see cref="AuditEventFilter.Limit"/> + 1 events, so the caller can tell whether another page exists.</summary>
    public async Task<IReadOnlyList<AuditEventEntry>> ReadAsync(AuditEventFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(filter.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(filter.Limit, MaxLimit);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand { Connection = connection };

        // Note: the WHERE clause is built from fixed fragments only, so each filter combination gets its own plan (an
        // "@x IS NULL OR" form would stop PostgreSQL from using the indexes); every value is a parameter.
        var where = new StringBuilder("TRUE");
        if (filter.Action is not null)
        {
            if (filter.ActionIsPrefix)
            {
                where.Append(" AND starts_with(e.action, @action)");
            }
            else
            {
                where.Append(" AND e.action = @action");
            }

            command.Parameters.AddWithValue("action", NpgsqlDbType.Text, filter.Action);
        }

        Add(command, where, "e.actor_type = @actor_type", "actor_type", filter.ActorType);
        Add(command, where, "e.actor_id = @actor_id", "actor_id", filter.ActorId);
        Add(command, where, "e.target_id = @subject", "subject", filter.Subject);
        if (filter.From is { } from)
        {
            where.Append(" AND e.occurred_at >= @from");
            command.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, from.ToUniversalTime());
        }

        if (filter.To is { } to)
        {
            where.Append(" AND e.occurred_at < @to");
            command.Parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, to.ToUniversalTime());
        }

        if (filter.Before is { } before)
        {
            where.Append(" AND e.id < @before");
            command.Parameters.AddWithValue("before", NpgsqlDbType.Bigint, before);
        }

        command.Parameters.AddWithValue("limit", NpgsqlDbType.Integer, filter.Limit + 1);
        command.CommandText = $"""
            SELECT e.id, e.occurred_at, e.actor_type, e.actor_id, e.action, e.target_type, e.target_id, e.outcome, e.trace_id, e.details::text,
                   c.position, c.hash, coalesce(c.position <= (SELECT max(position) FROM audit_checkpoints), false)
            FROM audit_events e LEFT JOIN audit_chain c ON c.event_id = e.id
            WHERE {where}
            ORDER BY e.id DESC
            LIMIT @limit
            """;

        var entries = new List<AuditEventEntry>(filter.Limit + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEventEntry(
                AuditChainReader.ReadEvent(reader, 0),
                reader.IsDBNull(10) ? null : reader.GetInt64(10),
                reader.IsDBNull(11) ? null : (byte[])reader.GetValue(11),
                reader.GetBoolean(12)));
        }

        return entries;
    }

    private static void Add(NpgsqlCommand command, StringBuilder where, string condition, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        where.Append(" AND ").Append(condition);
        command.Parameters.AddWithValue(name, NpgsqlDbType.Text, value);
    }
}
