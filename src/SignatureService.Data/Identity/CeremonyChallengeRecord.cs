using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SignatureService.Data.Users;

namespace SignatureService.Data.Identity;

/// <summary>
/// Server-side state of one WebAuthn ceremony: the SHA-256 of a ≥ 32-byte random challenge, its purpose, the user it is bound
/// to (none for a username-less login), a payload the purpose defines, a 5-minute expiry, and single use.
/// </summary>
public sealed class CeremonyChallengeRecord
{
    /// <summary>Row id (the ceremony id).</summary>
    public Guid Id { get; set; }

    /// <summary>SHA-256 of the challenge bytes (32 bytes).</summary>
    public required byte[] ChallengeHash { get; set; }

    /// <summary>One of <see cref="CeremonyPurpose"/>.</summary>
    public required string Purpose { get; set; }

    /// <summary>The user the ceremony is for, or <c>null</c> for a login where the key names the user.</summary>
    public Guid? UserId { get; set; }

    /// <summary>Purpose-specific data (e.g. the enrollment id; later the signature activation inputs).</summary>
    public required JsonDocument Payload { get; set; }

    /// <summary>Issue time (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>End of validity (UTC, exclusive).</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When it was used; set once by a conditional UPDATE.</summary>
    public DateTimeOffset? ConsumedAt { get; set; }
}

/// <summary>Ceremony purposes: a challenge issued for one is never accepted for another.</summary>
public static class CeremonyPurpose
{
    /// <summary>Registering a security key.</summary>
    public const string Registration = "registration";

    /// <summary>Logging in.</summary>
    public const string Login = "login";

    /// <summary>Approving signatures (the challenge is the Signature Activation Data).</summary>
    public const string SignatureApproval = "signature-approval";
}

internal sealed class CeremonyChallengeRecordConfiguration : IEntityTypeConfiguration<CeremonyChallengeRecord>
{
    public void Configure(EntityTypeBuilder<CeremonyChallengeRecord> builder)
    {
        builder.ToTable("webauthn_challenges");
        builder.HasKey(c => c.Id);
        builder.HasOne<UserRecord>().WithMany().HasForeignKey(c => c.UserId);
        builder.Property(c => c.Payload).HasColumnType("jsonb");
    }
}
