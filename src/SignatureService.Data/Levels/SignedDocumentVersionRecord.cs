using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SignatureService.Data.Signing;

namespace SignatureService.Data.Levels;

/// <summary>Signed bytes that an upgrade (e.g. ES-T → ES-A) replaced, kept with their level so the earlier form stays available.</summary>
public sealed class SignedDocumentVersionRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>The document (<c>signature_request_documents.id</c>).</summary>
    public Guid DocumentId { get; set; }

    /// <summary>The level the replaced bytes were at: ES-T, ES-XL or ES-A.</summary>
    public required string SignatureLevel { get; set; }

    /// <summary>The replaced signed document.</summary>
    public required byte[] SignedContent { get; set; }

    /// <summary>When the upgrade replaced them (UTC).</summary>
    public DateTimeOffset ReplacedAt { get; set; }
}

internal sealed class SignedDocumentVersionRecordConfiguration : IEntityTypeConfiguration<SignedDocumentVersionRecord>
{
    public void Configure(EntityTypeBuilder<SignedDocumentVersionRecord> builder)
    {
        builder.ToTable("signed_document_versions");
        builder.HasKey(v => v.Id);
        builder.HasOne<SignatureRequestDocumentRecord>().WithMany().HasForeignKey(v => v.DocumentId).OnDelete(DeleteBehavior.Cascade);
    }
}
