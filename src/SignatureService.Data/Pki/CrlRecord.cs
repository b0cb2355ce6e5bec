using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SignatureService.Data.Pki;

/// <summary>A full CRL (an ARL for the root) as published; the newest per CA is served.</summary>
public sealed class CrlRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>The issuing CA.</summary>
    public Guid CaId { get; set; }

    /// <summary>The CRL number (RFC 5280 §5.2.3), strictly increasing per CA from 1.</summary>
    public long CrlNumber { get; set; }

    /// <summary>thisUpdate (UTC).</summary>
    public DateTimeOffset ThisUpdate { get; set; }

    /// <summary>nextUpdate (UTC).</summary>
    public DateTimeOffset NextUpdate { get; set; }

    /// <summary>Number of revoked or suspended entries listed.</summary>
    public int Entries { get; set; }

    /// <summary>The DER CertificateList.</summary>
    public required byte[] Der { get; set; }
}

internal sealed class CrlRecordConfiguration : IEntityTypeConfiguration<CrlRecord>
{
    public void Configure(EntityTypeBuilder<CrlRecord> builder)
    {
        builder.ToTable("crls");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => new { c.CaId, c.CrlNumber }).IsUnique();
        builder.HasOne<CertificateAuthorityRecord>().WithMany().HasForeignKey(c => c.CaId).OnDelete(DeleteBehavior.Restrict);
    }
}
