using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SignatureService.Data.Proofing;

/// <summary>
/// One evidence item of an application: the document number only masked plus an HMAC, the scan only as its SHA-256
/// (raw scans are not stored in the database). Deleted by the retention purge.
/// </summary>
public sealed class ProofingEvidenceRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>The application.</summary>
    public Guid ApplicationId { get; set; }

    /// <summary>Evidence kind (my-number-card, passport, resident-record, ...).</summary>
    public required string Kind { get; set; }

    /// <summary>superior, strong or fair.</summary>
    public required string Strength { get; set; }

    /// <summary>The issuing authority.</summary>
    public required string Issuer { get; set; }

    /// <summary>The document number with all but the last four characters masked.</summary>
    public string? NumberMasked { get; set; }

    /// <summary>HMAC-SHA-256 of the normalised number under the deployment's evidence key.</summary>
    public byte[]? NumberHash { get; set; }

    /// <summary>Expiry date of the document.</summary>
    public DateOnly? ExpiresOn { get; set; }

    /// <summary>SHA-256 of the scan.</summary>
    public byte[]? ScanSha256 { get; set; }

    /// <summary>visual-inspection, ic-chip-read, signature-verification or issuer-confirmation.</summary>
    public required string ValidationMethod { get; set; }

    /// <summary>The RA operator who validated it.</summary>
    public Guid ValidatedBy { get; set; }

    /// <summary>Validation time.</summary>
    public DateTimeOffset ValidatedAt { get; set; }
}

internal sealed class ProofingEvidenceRecordConfiguration : IEntityTypeConfiguration<ProofingEvidenceRecord>
{
    public void Configure(EntityTypeBuilder<ProofingEvidenceRecord> builder)
    {
        builder.ToTable("proofing_evidence");
        builder.HasKey(e => e.Id);
        builder.HasOne<ProofingApplicationRecord>().WithMany().HasForeignKey(e => e.ApplicationId);
    }
}
