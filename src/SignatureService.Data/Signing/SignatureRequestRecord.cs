using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SignatureService.Data.Signing;

/// <summary>A request by an EHR client that a named signer sign one to 100 documents.</summary>
public sealed class SignatureRequestRecord
{
    /// <summary>The shadow property of the row version (PostgreSQL's xmin), the concurrency token of every state change.</summary>
    public const string VersionProperty = "Version";

    /// <summary>Row id, also the public request id.</summary>
    public Guid Id { get; set; }

    /// <summary>The requesting client's row id (<c>ehr_clients.id</c>).</summary>
    public Guid ClientId { get; set; }

    /// <summary>The signer's user id.</summary>
    public Guid SignerUserId { get; set; }

    /// <summary>One of the <c>SignatureRequestStatus</c> wire names.</summary>
    public required string Status { get; set; }

    /// <summary>How many documents the request holds (1–100).</summary>
    public int DocumentCount { get; set; }

    /// <summary>Where state changes are announced, if anywhere.</summary>
    public string? CallbackUrl { get; set; }

    /// <summary>The client's Idempotency-Key, if it sent one.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>SHA-256 of the request body sent with <see cref="IdempotencyKey"/>.</summary>
    public byte[]? RequestHash { get; set; }

    /// <summary>Why the request was rejected, cancelled or failed (≤ 500 chars; never personal data).</summary>
    public string? StatusReason { get; set; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last state change (UTC).</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When a still-pending request expires (UTC).</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>The approval transaction that approved the request (set with the move to approved), the activation evidence.</summary>
    public Guid? ApprovalId { get; set; }

    /// <summary>The level the documents are signed at: ES-T (default), ES-XL or ES-A.</summary>
    public string SignatureLevel { get; set; } = "ES-T";

    /// <summary>The documents, in order.</summary>
    public List<SignatureRequestDocumentRecord> Documents { get; } = [];
}

/// <summary>One document of a request: the exact bytes that are shown to the signer and signed.</summary>
public sealed class SignatureRequestDocumentRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>The request's id.</summary>
    public Guid RequestId { get; set; }

    /// <summary>Position in the request, from 1.</summary>
    public int Ordinal { get; set; }

    /// <summary>Wire name of the document type.</summary>
    public required string DocumentType { get; set; }

    /// <summary>The document's own id (e.g. the PrescriptionId).</summary>
    public required string DocumentId { get; set; }

    /// <summary>Media type of <see cref="Content"/>.</summary>
    public required string MediaType { get; set; }

    /// <summary>The validated canonical bytes (≤ 1 MiB).</summary>
    public required byte[] Content { get; set; }

    /// <summary>SHA-256 of <see cref="Content"/>.</summary>
    public required byte[] Sha256 { get; set; }

    /// <summary>A one-line summary without patient names.</summary>
    public required string Summary { get; set; }

    /// <summary>The display model for the signer's review page.</summary>
    public required JsonDocument Display { get; set; }

    /// <summary>The signed document, once signed.</summary>
    public byte[]? SignedContent { get; set; }

    /// <summary>When it was signed (UTC).</summary>
    public DateTimeOffset? SignedAt { get; set; }

    /// <summary>The level of <see cref="SignedContent"/> (ES-T, ES-XL, ES-A or CAdES-B-T); null while unsigned.</summary>
    public string? SignatureLevel { get; set; }
}

/// <summary>A callback waiting to be delivered (or delivered, or given up).</summary>
public sealed class CallbackOutboxRecord
{
    /// <summary>Database-assigned id.</summary>
    public long Id { get; set; }

    /// <summary>The request the callback is about.</summary>
    public Guid RequestId { get; set; }

    /// <summary>Target URL.</summary>
    public required string Url { get; set; }

    /// <summary>Event name, e.g. <c>signature-request.cancelled</c>.</summary>
    public required string Event { get; set; }

    /// <summary>The JSON payload (signed as a JWS at delivery).</summary>
    public required JsonDocument Payload { get; set; }

    /// <summary><c>pending</c>, <c>delivered</c> or <c>abandoned</c>.</summary>
    public required string Status { get; set; }

    /// <summary>Delivery attempts so far.</summary>
    public int Attempts { get; set; }

    /// <summary>When the next attempt is due (UTC).</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>The last failure, short.</summary>
    public string? LastError { get; set; }

    /// <summary>When the callback was queued (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it was delivered (UTC).</summary>
    public DateTimeOffset? DeliveredAt { get; set; }
}

/// <summary>One delivery attempt of a callback.</summary>
public sealed class CallbackDeliveryRecord
{
    /// <summary>Database-assigned id.</summary>
    public long Id { get; set; }

    /// <summary>The outbox row.</summary>
    public long OutboxId { get; set; }

    /// <summary>When the attempt started (UTC).</summary>
    public DateTimeOffset AttemptedAt { get; set; }

    /// <summary>The HTTP status received, if any.</summary>
    public int? HttpStatus { get; set; }

    /// <summary>The transport error, if any (short).</summary>
    public string? Error { get; set; }

    /// <summary>How long the attempt took, in milliseconds.</summary>
    public int DurationMs { get; set; }
}

internal sealed class SigningConfiguration :
    IEntityTypeConfiguration<SignatureRequestRecord>, IEntityTypeConfiguration<SignatureRequestDocumentRecord>,
    IEntityTypeConfiguration<CallbackOutboxRecord>, IEntityTypeConfiguration<CallbackDeliveryRecord>
{
    public void Configure(EntityTypeBuilder<SignatureRequestRecord> builder)
    {
        builder.ToTable("signature_requests");
        builder.HasKey(r => r.Id);
        builder.HasMany(r => r.Documents).WithOne().HasForeignKey(d => d.RequestId);
        // Note: xmin makes concurrent state changes of one request fail instead of overwriting each other.
        builder.Property<uint>(SignatureRequestRecord.VersionProperty).HasColumnName("xmin").HasColumnType("xid").IsRowVersion();
    }

    public void Configure(EntityTypeBuilder<SignatureRequestDocumentRecord> builder)
    {
        builder.ToTable("signature_request_documents");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Sha256).HasColumnName("sha256");
        builder.Property(d => d.Display).HasColumnType("jsonb");
    }

    public void Configure(EntityTypeBuilder<CallbackOutboxRecord> builder)
    {
        builder.ToTable("callback_outbox");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).UseIdentityAlwaysColumn();
        builder.Property(c => c.Payload).HasColumnType("jsonb");
    }

    public void Configure(EntityTypeBuilder<CallbackDeliveryRecord> builder)
    {
        builder.ToTable("callback_deliveries");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).UseIdentityAlwaysColumn();
    }
}
