using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SignatureService.Data.Pki;

/// <summary>A revocation or suspension of a certificate (RFC 5280 §5.3). A suspension lifted by resumption has <see cref="LiftedAt"/>.</summary>
public sealed class RevocationRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>The certificate.</summary>
    public Guid CertificateId { get; set; }

    /// <summary>CRLReason code (RFC 5280 §5.3.1); 6 = certificateHold (suspension).</summary>
    public short Reason { get; set; }

    /// <summary>When the CA revoked or suspended the certificate (UTC).</summary>
    public DateTimeOffset RevokedAt { get; set; }

    /// <summary>When the key is known or suspected to have been compromised (RFC 5280 §5.3.2), if given.</summary>
    public DateTimeOffset? InvalidityDate { get; set; }

    /// <summary>When a suspension was lifted (resumption); null while in force.</summary>
    public DateTimeOffset? LiftedAt { get; set; }
}

internal sealed class RevocationRecordConfiguration : IEntityTypeConfiguration<RevocationRecord>
{
    public void Configure(EntityTypeBuilder<RevocationRecord> builder)
    {
        builder.ToTable("revocations");
        builder.HasKey(r => r.Id);
        builder.HasOne<CertificateRecord>().WithMany().HasForeignKey(r => r.CertificateId).OnDelete(DeleteBehavior.Restrict);
    }
}
