using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SignatureService.Data.Users;

namespace SignatureService.Data.Identity;

/// <summary>
/// A one-time enrollment code that lets a user register a security key. The enrollment id is the row id; the code
/// (≥ 128 bits) is shown once and only its SHA-256 is kept. Single use, expiring, locked after 5 wrong attempts.
/// </summary>
public sealed class EnrollmentCodeRecord
{
    /// <summary>Most wrong codes accepted before the enrollment locks.</summary>
    public const int MaxFailedAttempts = 5;

    /// <summary>The enrollment id (public, given with the code).</summary>
    public Guid Id { get; set; }

    /// <summary>The user who may enrol with it.</summary>
    public Guid UserId { get; set; }

    /// <summary>One of <see cref="EnrollmentPurpose"/>.</summary>
    public required string Purpose { get; set; }

    /// <summary>SHA-256 of the code text (32 bytes).</summary>
    public required byte[] CodeHash { get; set; }

    /// <summary>Issue time (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>End of validity (UTC, exclusive).</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When a key was registered with it.</summary>
    public DateTimeOffset? ConsumedAt { get; set; }

    /// <summary>Wrong codes presented so far.</summary>
    public int FailedAttempts { get; set; }

    /// <summary>When it locked after <see cref="MaxFailedAttempts"/> wrong codes.</summary>
    public DateTimeOffset? LockedAt { get; set; }

    /// <summary>Who issued it (audit actor, e.g. <c>cli:root</c>).</summary>
    public required string CreatedBy { get; set; }
}

/// <summary>What an enrollment code is for.</summary>
public static class EnrollmentPurpose
{
    /// <summary>An operator's first key (issued by the command line or another operator).</summary>
    public const string Operator = "operator-enrollment";

    /// <summary>A signer's first key (issued by identity proofing).</summary>
    public const string Signer = "signer-enrollment";
}

internal sealed class EnrollmentCodeRecordConfiguration : IEntityTypeConfiguration<EnrollmentCodeRecord>
{
    public void Configure(EntityTypeBuilder<EnrollmentCodeRecord> builder)
    {
        builder.ToTable("enrollment_codes");
        builder.HasKey(e => e.Id);
        builder.HasOne<UserRecord>().WithMany().HasForeignKey(e => e.UserId);
    }
}
