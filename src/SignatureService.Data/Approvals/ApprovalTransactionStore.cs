using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace SignatureService.Data.Approvals;

/// <summary>
/// Stores a new approval transaction with its document rows: the transaction row and whatever else the caller staged on the
/// unit of work (its audit event) through SaveChanges, the up to 100 document rows with one INSERT over unnest, all in one
/// database transaction. Note: EF Core's per-entity insert machinery cost about 0.08 ms per document row, most of the
/// options call at 100 documents.
/// </summary>
public static class ApprovalTransactionStore
{
    private const string InsertDocuments = """
        INSERT INTO approval_transaction_documents (approval_id, document_id, request_id, ordinal, document_type, sha256)
        SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::integer[], $5::text[], $6::bytea[])
        """;

    /// <summary>
    /// Adds <paramref name="approval"/> (without its <see cref="ApprovalTransactionRecord.Documents"/>, which are written here from
    /// <paramref name="documents"/>) and commits it with the changes already staged on <paramref name="db"/>.
    /// </summary>
    /// <param name="db">The unit of work; it must have no transaction open.</param>
    /// <param name="approval">The new transaction; its <see cref="ApprovalTransactionRecord.Documents"/> must be empty.</param>
    /// <param name="documents">Its document rows.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public static async Task AddAsync(
        SignatureServiceDbContext db, ApprovalTransactionRecord approval, IReadOnlyList<ApprovalTransactionDocumentRecord> documents,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(approval);
        ArgumentNullException.ThrowIfNull(documents);
        if (approval.Documents.Count != 0 || documents.Any(d => d.ApprovalId != approval.Id))
        {
            throw new ArgumentException("The document rows are given apart from the approval and must name it.", nameof(documents));
        }

        // Note: a failure abandons the whole transaction, so EF Core's savepoint around SaveChanges (two round trips) would buy
        // nothing. A pooled context gets its default back when it returns to the pool.
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.ApprovalTransactions.Add(approval);
        await db.SaveChangesAsync(cancellationToken);

        await using var command = new NpgsqlCommand(InsertDocuments, (NpgsqlConnection)db.Database.GetDbConnection(),
            (NpgsqlTransaction)transaction.GetDbTransaction());
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = approval.Id });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. documents.Select(d => d.DocumentId)] });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. documents.Select(d => d.RequestId)] });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. documents.Select(d => d.Ordinal)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. documents.Select(d => d.DocumentType)] });
        command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. documents.Select(d => d.Sha256)] });
        var inserted = await command.ExecuteNonQueryAsync(cancellationToken);
        if (inserted != documents.Count)
        {
            throw new InvalidOperationException($"Approval {approval.Id}: {inserted} of {documents.Count} document rows were written.");
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
