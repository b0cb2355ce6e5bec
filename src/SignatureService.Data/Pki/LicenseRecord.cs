using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SignatureService.Data.Pki;

/// <summary>One entry of the national license registry as imported by a CA operator (personal data: never logged).</summary>
public sealed class LicenseRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary><c>doctor</c>, <c>dentist</c> or <c>pharmacist</c>.</summary>
    public required string Profession { get; set; }

    /// <summary>License (registration) number, 1–20 of 0-9, A-Z, a-z, '-'; unique per profession.</summary>
    public required string LicenseNumber { get; set; }

    /// <summary>Date of registration.</summary>
    public DateOnly RegistrationDate { get; set; }

    /// <summary>The licensee's name as registered (1–100 chars).</summary>
    public required string Name { get; set; }

    /// <summary>The licensee's date of birth.</summary>
    public DateOnly DateOfBirth { get; set; }

    /// <summary><c>active</c> or <c>revoked</c>.</summary>
    public required string Status { get; set; }

    /// <summary>First import (UTC).</summary>
    public DateTimeOffset ImportedAt { get; set; }

    /// <summary>Last import that changed the row (UTC).</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class LicenseRecordConfiguration : IEntityTypeConfiguration<LicenseRecord>
{
    public void Configure(EntityTypeBuilder<LicenseRecord> builder)
    {
        builder.ToTable("license_registry");
        builder.HasKey(l => l.Id);
        builder.HasIndex(l => new { l.Profession, l.LicenseNumber }).IsUnique();
    }
}
