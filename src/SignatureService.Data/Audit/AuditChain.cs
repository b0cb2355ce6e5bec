using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SignatureService.Data.Audit;

/// <summary>One audit event as the chain hashes it: the columns of <c>audit_events</c>, with <c>details</c> as PostgreSQL's jsonb text.</summary>
/// <param name="Id">The event id.</param>
/// <param name="OccurredAt">When it happened (microsecond precision, as stored).</param>
/// <param name="ActorType">The actor type.</param>
/// <param name="ActorId">The actor id.</param>
/// <param name="Action">The action.</param>
/// <param name="TargetType">The target type, if any.</param>
/// <param name="TargetId">The target id, if any.</param>
/// <param name="Outcome"><c>success</c> or <c>failure</c>.</param>
/// <param name="TraceId">The trace id, if any.</param>
/// <param name="Details">The <c>details::text</c> of the jsonb column: jsonb output is normalised (key order, spacing), so it is canonical.</param>
public sealed record AuditChainEvent(
    long Id,
    DateTimeOffset OccurredAt,
    string ActorType,
    string ActorId,
    string Action,
    string? TargetType,
    string? TargetId,
    string Outcome,
    string? TraceId,
    string Details);

/// <summary>
/// The hash chain and checkpoint formats (version 1). Pure functions, thread-safe.
/// <list type="bullet">
/// <item>event hash = SHA-256(<c>"signsvc-audit-v1\0"</c> ‖ position ‖ previous hash ‖ canonical event), the previous hash of position 1 being 32 zero bytes;</item>
/// <item>canonical event = id ‖ occurred_at (µs since the Unix epoch) ‖ each text column as a 4-byte length (−1 for null) and its UTF-8 bytes;</item>
/// <item>checkpoint message = <c>"signsvc-audit-checkpoint-v1\0"</c> ‖ position ‖ head hash ‖ created_at (µs); signed ES256 (SHA-256, P1363 r‖s).</item>
/// </list>
/// Integers are 8-byte big-endian. An independent verifier needs nothing else.
/// </summary>
public static class AuditChain
{
    /// <summary>Length of every chain hash in bytes (SHA-256).</summary>
    public const int HashLength = 32;

    private static readonly byte[] EventDomain = "signsvc-audit-v1\0"u8.ToArray();
    private static readonly byte[] CheckpointDomain = "signsvc-audit-checkpoint-v1\0"u8.ToArray();

    /// <summary>The previous hash of position 1.</summary>
    public static ReadOnlySpan<byte> GenesisHash => new byte[HashLength];

    /// <summary>The hash of <paramref name="auditEvent"/> at <paramref name="position"/> (≥ 1) after <paramref name="previousHash"/> (32 bytes).</summary>
    public static byte[] HashEvent(long position, ReadOnlySpan<byte> previousHash, AuditChainEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        ArgumentOutOfRangeException.ThrowIfLessThan(position, 1);
        if (previousHash.Length != HashLength)
        {
            throw new ArgumentException("The previous hash must be 32 bytes.", nameof(previousHash));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(EventDomain);
        AppendInt64(hash, position);
        hash.AppendData(previousHash);
        AppendInt64(hash, auditEvent.Id);
        AppendInt64(hash, ToMicroseconds(auditEvent.OccurredAt));
        AppendText(hash, auditEvent.ActorType);
        AppendText(hash, auditEvent.ActorId);
        AppendText(hash, auditEvent.Action);
        AppendText(hash, auditEvent.TargetType);
        AppendText(hash, auditEvent.TargetId);
        AppendText(hash, auditEvent.Outcome);
        AppendText(hash, auditEvent.TraceId);
        AppendText(hash, auditEvent.Details);
        return hash.GetHashAndReset();
    }

    /// <summary>The SHA-256 digest a checkpoint signature covers.</summary>
    public static byte[] CheckpointDigest(long position, ReadOnlySpan<byte> headHash, DateTimeOffset createdAt)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(CheckpointDomain);
        AppendInt64(hash, position);
        hash.AppendData(headHash);
        AppendInt64(hash, ToMicroseconds(createdAt));
        return hash.GetHashAndReset();
    }

    /// <summary>Truncates to the microsecond PostgreSQL stores, so hashes made before and after a round trip agree.</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero);

    private static long ToMicroseconds(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static void AppendInt64(IncrementalHash hash, long value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(buffer, value);
        hash.AppendData(buffer);
    }

    private static void AppendText(IncrementalHash hash, string? value)
    {
        Span<byte> length = stackalloc byte[4];
        if (value is null)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, -1);
            hash.AppendData(length);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
