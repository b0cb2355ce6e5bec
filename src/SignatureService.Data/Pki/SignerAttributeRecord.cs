using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SignatureService.Data.Users;

namespace SignatureService.Data.Pki;

/// <summary>A signer's verified qualification: the hcRole derived from a license found in the registry.</summary>
public sealed class SignerAttributeRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>The signer (<c>users(id)</c>).</summary>
    public Guid UserId { get; set; }

    /// <summary>The registry entry the attribute was verified against.</summary>
    public Guid LicenseId { get; set; }

    /// <summary><c>doctor</c>, <c>dentist</c> or <c>pharmacist</c>.</summary>
    public required string Profession { get; set; }

    /// <summary>The license number.</summary>
    public required string LicenseNumber { get; set; }

    /// <summary>The hcRole text (e.g. <c>Medical Doctor</c>).</summary>
    public required string HcRole { get; set; }

    /// <summary>When the license was verified (UTC).</summary>
    public DateTimeOffset VerifiedAt { get; set; }

    /// <summary>Who verified it (audit actor <c>type:id</c>).</summary>
    public required string VerifiedBy { get; set; }
}

internal sealed class SignerAttributeRecordConfiguration : IEntityTypeConfiguration<SignerAttributeRecord>
{
    public void Configure(EntityTypeBuilder<SignerAttributeRecord> builder)
    {
        builder.ToTable("signer_attributes");
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => new { a.UserId, a.Profession }).IsUnique();
        builder.HasOne<UserRecord>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<LicenseRecord>().WithMany().HasForeignKey(a => a.LicenseId).OnDelete(DeleteBehavior.Restrict);
    }
}
