using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SignatureService.Data.Audit;

/// <summary>One row of the append-only audit trail. Written in the same transaction as the change it describes.</summary>
public sealed class AuditEventRecord
{
    /// <summary>Database-assigned, strictly increasing id.</summary>
    public long Id { get; set; }

    /// <summary>When the event happened (UTC, from the injected clock).</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Who acted: <c>system</c>, <c>operator</c>, <c>signer</c>, <c>client</c>, <c>cli</c> (1–32 chars).</summary>
    public required string ActorType { get; set; }

    /// <summary>The actor's id (1–128 chars).</summary>
    public required string ActorId { get; set; }

    /// <summary>The action, e.g. <c>hsm.key-generated</c> (1–64 chars).</summary>
    public required string Action { get; set; }

    /// <summary>Kind of object acted on (≤ 64 chars).</summary>
    public string? TargetType { get; set; }

    /// <summary>Id of the object acted on (≤ 128 chars).</summary>
    public string? TargetId { get; set; }

    /// <summary><c>success</c> or <c>failure</c>.</summary>
    public required string Outcome { get; set; }

    /// <summary>The W3C trace id of the request that caused the event, if any.</summary>
    public string? TraceId { get; set; }

    /// <summary>Event-specific facts; never secrets, documents or personal data beyond ids.</summary>
    public JsonDocument Details { get; set; } = JsonDocument.Parse("{}");
}

internal sealed class AuditEventRecordConfiguration : IEntityTypeConfiguration<AuditEventRecord>
{
    public void Configure(EntityTypeBuilder<AuditEventRecord> builder)
    {
        builder.ToTable("audit_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).UseIdentityAlwaysColumn();
        builder.Property(e => e.Details).HasColumnType("jsonb");
    }
}
