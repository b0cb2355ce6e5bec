using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace SignatureService.Data.Approvals;

/// <summary>The assertion that consumes an approval transaction, as stored evidence, and the key's new signature counter.</summary>
/// <param name="ApprovalId">The approval transaction.</param>
/// <param name="At">When it is consumed.</param>
/// <param name="CredentialRowId">The key's row.</param>
/// <param name="CredentialId">The key's credential id.</param>
/// <param name="Aaguid">The key's AAGUID.</param>
/// <param name="AuthenticatorData">The assertion's authenticator data.</param>
/// <param name="ClientDataJson">The assertion's client data.</param>
/// <param name="Signature">The assertion's signature.</param>
/// <param name="UserHandle">The assertion's user handle, when it carried one.</param>
/// <param name="SignCount">The counter the assertion carried (stored on the approval and on the key).</param>
/// <param name="StoredSignCount">The key's counter the assertion was verified against.</param>
public sealed record ApprovalAssertion(
    Guid ApprovalId, DateTimeOffset At, Guid CredentialRowId, byte[] CredentialId, Guid Aaguid, byte[] AuthenticatorData,
    byte[] ClientDataJson, byte[] Signature, byte[]? UserHandle, long SignCount, long StoredSignCount);

/// <summary>
/// Consumes an approval transaction and moves its key's signature counter in one round trip (two conditional UPDATEs in one
/// batch) inside the caller's transaction. Each is conditional: the approval only while unused and unexpired, the counter
/// only from the value just verified against and while the key is active.
/// </summary>
public static class ApprovalConsumption
{
    private const string Consume = """
        UPDATE approval_transactions
        SET consumed_at = $1, credential_row_id = $2, credential_id = $3, aaguid = $4, authenticator_data = $5,
            client_data_json = $6, signature = $7, user_handle = $8, sign_count = $9
        WHERE id = $10 AND consumed_at IS NULL AND expires_at > $1
        """;

    private const string Count = """
        UPDATE webauthn_credentials SET sign_count = $1, last_used_at = $2 WHERE id = $3 AND sign_count = $4 AND status = 'active'
        """;

    /// <summary>Returns whether the approval was consumed and whether the counter moved (both, or the caller must roll back).</summary>
    /// <param name="db">The unit of work; it must have a transaction open.</param>
    /// <param name="assertion">What to store.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public static async Task<(bool Consumed, bool Counted)> ConsumeAsync(
        SignatureServiceDbContext db, ApprovalAssertion assertion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(assertion);
        var transaction = db.Database.CurrentTransaction
                          ?? throw new InvalidOperationException("The approval is consumed inside the caller's transaction.");
        await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction())
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(Consume)
                {
                    Parameters =
                    {
                        new NpgsqlParameter<DateTimeOffset> { TypedValue = assertion.At },
                        new NpgsqlParameter<Guid> { TypedValue = assertion.CredentialRowId },
                        new NpgsqlParameter<byte[]> { TypedValue = assertion.CredentialId },
                        new NpgsqlParameter<Guid> { TypedValue = assertion.Aaguid },
                        new NpgsqlParameter<byte[]> { TypedValue = assertion.AuthenticatorData },
                        new NpgsqlParameter<byte[]> { TypedValue = assertion.ClientDataJson },
                        new NpgsqlParameter<byte[]> { TypedValue = assertion.Signature },
                        new NpgsqlParameter { Value = (object?)assertion.UserHandle ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea },
                        new NpgsqlParameter<long> { TypedValue = assertion.SignCount },
                        new NpgsqlParameter<Guid> { TypedValue = assertion.ApprovalId },
                    },
                },
                new NpgsqlBatchCommand(Count)
                {
                    Parameters =
                    {
                        new NpgsqlParameter<long> { TypedValue = assertion.SignCount },
                        new NpgsqlParameter<DateTimeOffset> { TypedValue = assertion.At },
                        new NpgsqlParameter<Guid> { TypedValue = assertion.CredentialRowId },
                        new NpgsqlParameter<long> { TypedValue = assertion.StoredSignCount },
                    },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return (batch.BatchCommands[0].RecordsAffected == 1, batch.BatchCommands[1].RecordsAffected == 1);
    }
}
