using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SignatureService.Data.Keys;

/// <summary>A key pair the service generated inside the HSM. The private key never leaves the token; this row only finds it.</summary>
public sealed class HsmKeyRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>What the key is for, e.g. <c>health-test</c>, <c>ca/root/cert-signing</c>, <c>signer</c> (1–64 chars).</summary>
    public required string Purpose { get; set; }

    /// <summary>The token object's <c>CKA_LABEL</c> (1–128 chars, unique).</summary>
    public required string Label { get; set; }

    /// <summary>The token object's <c>CKA_ID</c> (1–64 bytes, unique).</summary>
    public required byte[] CkId { get; set; }

    /// <summary>Key algorithm: <c>Rsa2048</c>, <c>Rsa3072</c> or <c>EcP256</c>.</summary>
    public required string Algorithm { get; set; }

    /// <summary>The public key as DER SubjectPublicKeyInfo.</summary>
    public required byte[] PublicKeySpki { get; set; }

    /// <summary>When the key was generated (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class HsmKeyRecordConfiguration : IEntityTypeConfiguration<HsmKeyRecord>
{
    public void Configure(EntityTypeBuilder<HsmKeyRecord> builder)
    {
        builder.ToTable("hsm_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.CkId).HasColumnName("ck_id");
        builder.Property(k => k.Purpose).HasMaxLength(64);
        builder.Property(k => k.Label).HasMaxLength(128);
        builder.HasIndex(k => k.Label).IsUnique();
        builder.HasIndex(k => k.CkId).IsUnique();
    }
}
