using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SignatureService.Data.Keys;
using SignatureService.Data.Users;

namespace SignatureService.Data.Pki;

/// <summary>A certificate issued by one of the service's CAs, with the indexed fields relying-party lookups need.</summary>
public sealed class CertificateRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>The issuing CA.</summary>
    public Guid CaId { get; set; }

    /// <summary>One of <see cref="CertificateKinds"/>.</summary>
    public required string Kind { get; set; }

    /// <summary>Serial number, big-endian as encoded (1–20 bytes), unique per CA.</summary>
    public required byte[] SerialNumber { get; set; }

    /// <summary>Subject distinguished name (RFC 4514 text).</summary>
    public required string Subject { get; set; }

    /// <summary>Issuer distinguished name (RFC 4514 text).</summary>
    public required string Issuer { get; set; }

    /// <summary>The signer (for signer certificates); references <c>users(id)</c>.</summary>
    public Guid? UserId { get; set; }

    /// <summary>The hcRole text carried in the certificate (signer certificates).</summary>
    public string? HcRole { get; set; }

    /// <summary>The subject's key in <c>hsm_keys</c> when the service holds it (signers, OCSP responder, TSA).</summary>
    public Guid? KeyId { get; set; }

    /// <summary>Start of validity (UTC).</summary>
    public DateTimeOffset NotBefore { get; set; }

    /// <summary>End of validity (UTC, inclusive).</summary>
    public DateTimeOffset NotAfter { get; set; }

    /// <summary>One of <see cref="CertificateStatuses"/>.</summary>
    public required string Status { get; set; }

    /// <summary>The DER certificate.</summary>
    public required byte[] Der { get; set; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last status change (UTC).</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The <c>certificates.kind</c> vocabulary.</summary>
public static class CertificateKinds
{
    /// <summary>A subordinate CA certificate (also listed in <c>certificate_authorities</c>).</summary>
    public const string Ca = "ca";

    /// <summary>An HPKI signing (署名用) certificate of a signer.</summary>
    public const string Signer = "signer";

    /// <summary>An HPKI authentication (認証用) certificate.</summary>
    public const string Authentication = "authentication";

    /// <summary>The delegated OCSP responder.</summary>
    public const string OcspResponder = "ocsp-responder";

    /// <summary>The RFC 3161 time-stamping unit.</summary>
    public const string Timestamping = "timestamping";
}

/// <summary>The <c>certificates.status</c> vocabulary.</summary>
public static class CertificateStatuses
{
    /// <summary>Not revoked and not suspended.</summary>
    public const string Good = "good";

    /// <summary>Permanently revoked.</summary>
    public const string Revoked = "revoked";

    /// <summary>Suspended (certificateHold); may be resumed.</summary>
    public const string OnHold = "on-hold";
}

internal sealed class CertificateRecordConfiguration : IEntityTypeConfiguration<CertificateRecord>
{
    public void Configure(EntityTypeBuilder<CertificateRecord> builder)
    {
        builder.ToTable("certificates");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => new { c.CaId, c.SerialNumber }).IsUnique();
        builder.HasOne<CertificateAuthorityRecord>().WithMany().HasForeignKey(c => c.CaId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<HsmKeyRecord>().WithMany().HasForeignKey(c => c.KeyId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<UserRecord>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}
