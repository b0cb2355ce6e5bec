using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using SignatureService.Data.Audit;

namespace SignatureService.Data.Signing;

/// <summary>One signed document of a commit group.</summary>
/// <param name="DocumentId">The document's row id.</param>
/// <param name="Content">The signed bytes (XAdES or CMS).</param>
/// <param name="Level">The level it was signed at (<c>ES-T</c>, …, <c>CAdES-B-T</c>).</param>
/// <param name="SignedAt">When it was signed (UTC).</param>
public sealed record SignedDocumentRow(Guid DocumentId, byte[] Content, string Level, DateTimeOffset SignedAt);

/// <summary>
/// Stores a group of a request's signed documents, their audit events and the request's progress in one transaction of three
/// statements sent in one round trip, instead of through the change tracker: at 100 documents EF Core's SaveChanges machinery
/// cost a quarter of the signing worker's time, as much as the HSM's own signatures. Each document is written only if it is
/// still unsigned, and only while the request is still at the row version (<c>xmin</c>) the caller claimed it at; otherwise
/// nothing is written and <see cref="DbUpdateConcurrencyException"/> is thrown, as SaveChanges would.
/// </summary>
public static class SignedDocumentStore
{
    private const string UpdateRequest =
        "UPDATE signature_requests SET updated_at = $3 WHERE id = $1 AND xmin = $2 RETURNING xmin";

    private const string UpdateRequestStatus =
        "UPDATE signature_requests SET updated_at = $3, status = $4, status_reason = NULL WHERE id = $1 AND xmin = $2 RETURNING xmin";

    private const string UpdateDocuments = """
        UPDATE signature_request_documents AS d
        SET signed_content = u.content, signature_level = u.level, signed_at = u.signed_at
        FROM unnest($2::uuid[], $3::bytea[], $4::text[], $5::timestamptz[]) AS u(id, content, level, signed_at)
        WHERE d.id = u.id AND d.request_id = $1 AND d.signed_content IS NULL
        """;

    private const string InsertEvents = """
        INSERT INTO audit_events (occurred_at, actor_type, actor_id, action, target_type, target_id, outcome, trace_id, details)
        SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[])
        """;

    /// <summary>
    /// Writes <paramref name="documents"/> of request <paramref name="requestId"/>, <paramref name="events"/>, and the request's
    /// <c>updated_at</c> (and, for the last group, its new <paramref name="status"/>), in one transaction; returns the request's
    /// new row version.
    /// </summary>
    /// <param name="db">The unit of work whose connection is used. With a transaction open on it the statements join that
    /// transaction and the caller commits (or rolls back after an exception); otherwise they run in one of their own.</param>
    /// <param name="requestId">The request.</param>
    /// <param name="version">The request's row version as the caller last saw it.</param>
    /// <param name="updatedAt">The request's new <c>updated_at</c> (its lease).</param>
    /// <param name="documents">The signed documents.</param>
    /// <param name="events">Their audit events (not staged on <paramref name="db"/>).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <param name="status">The request's new status, set by the same UPDATE with no status reason (the caller has checked the
    /// transition); null leaves it as it is.</param>
    /// <exception cref="DbUpdateConcurrencyException">The request moved on, or a document was already signed; nothing was written.</exception>
    public static async Task<uint> StoreAsync(
        SignatureServiceDbContext db, Guid requestId, uint version, DateTimeOffset updatedAt,
        IReadOnlyList<SignedDocumentRow> documents, IReadOnlyList<AuditEventRecord> events, CancellationToken cancellationToken,
        string? status = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(events);
        var ambient = db.Database.CurrentTransaction;
        await using var own = ambient is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var transaction = ambient ?? own!;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection, (NpgsqlTransaction)transaction.GetDbTransaction());

        var request = new NpgsqlBatchCommand(status is null ? UpdateRequest : UpdateRequestStatus);
        request.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = requestId });
        request.Parameters.Add(new NpgsqlParameter<uint> { TypedValue = version, NpgsqlDbType = NpgsqlDbType.Xid });
        request.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = updatedAt.ToUniversalTime() });
        if (status is not null)
        {
            request.Parameters.Add(new NpgsqlParameter<string> { TypedValue = status });
        }

        batch.BatchCommands.Add(request);

        var update = new NpgsqlBatchCommand(UpdateDocuments);
        update.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = requestId });
        update.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. documents.Select(d => d.DocumentId)] });
        update.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. documents.Select(d => d.Content)] });
        update.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. documents.Select(d => d.Level)] });
        update.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. documents.Select(d => d.SignedAt.ToUniversalTime())] });
        batch.BatchCommands.Add(update);

        if (events.Count > 0)
        {
            var insert = new NpgsqlBatchCommand(InsertEvents);
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. events.Select(e => e.OccurredAt.ToUniversalTime())] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. events.Select(e => e.ActorType)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. events.Select(e => e.ActorId)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. events.Select(e => e.Action)] });
            insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. events.Select(e => e.TargetType)] });
            insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. events.Select(e => e.TargetId)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. events.Select(e => e.Outcome)] });
            insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. events.Select(e => e.TraceId)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]>
            {
                TypedValue = [.. events.Select(e => e.Details.RootElement.GetRawText())],
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
            });
            batch.BatchCommands.Add(insert);
        }

        uint? newVersion = null;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                newVersion = reader.GetFieldValue<uint>(0);
            }
        }

        if (newVersion is null || update.RecordsAffected != documents.Count)
        {
            if (own is not null)
            {
                await own.RollbackAsync(CancellationToken.None);
            }

            throw new DbUpdateConcurrencyException(
                $"Request {requestId} moved on (another worker took it over) or one of its documents was already signed; nothing was stored.");
        }

        if (own is not null)
        {
            await own.CommitAsync(cancellationToken);
        }

        return newVersion.Value;
    }
}
