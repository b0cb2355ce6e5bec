using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SignatureService.Data.Keys;

namespace SignatureService.Data.Pki;

/// <summary>A CA of the service's HPKI hierarchy: its certificate and the HSM key that signs its certificates and CRLs.</summary>
public sealed class CertificateAuthorityRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>Short name used in URLs (<c>/pki/ca/{name}.cer</c>): lower-case letters, digits and '-', 1–32 chars.</summary>
    public required string Name { get; set; }

    /// <summary><c>root</c>, <c>signing</c> (…forNonRepudiation) or <c>authentication</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>The issuing CA; null only for the root.</summary>
    public Guid? ParentId { get; set; }

    /// <summary>Subject distinguished name (RFC 4514 text) for display and search.</summary>
    public required string Subject { get; set; }

    /// <summary>Certificate serial number, big-endian as encoded (1–20 bytes).</summary>
    public required byte[] SerialNumber { get; set; }

    /// <summary>The DER certificate.</summary>
    public required byte[] CertificateDer { get; set; }

    /// <summary>The CA's key in <c>hsm_keys</c>; it signs certificates and CRLs (the CRL issuer is the certificate issuer).</summary>
    public Guid KeyId { get; set; }

    /// <summary>Start of validity (UTC).</summary>
    public DateTimeOffset NotBefore { get; set; }

    /// <summary>End of validity (UTC, inclusive).</summary>
    public DateTimeOffset NotAfter { get; set; }

    /// <summary>The last CRL number issued (0 before the first CRL); only ever incremented.</summary>
    public long CrlNumber { get; set; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class CertificateAuthorityRecordConfiguration : IEntityTypeConfiguration<CertificateAuthorityRecord>
{
    public void Configure(EntityTypeBuilder<CertificateAuthorityRecord> builder)
    {
        builder.ToTable("certificate_authorities");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => c.Name).IsUnique();
        builder.HasOne<HsmKeyRecord>().WithMany().HasForeignKey(c => c.KeyId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<CertificateAuthorityRecord>().WithMany().HasForeignKey(c => c.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}
