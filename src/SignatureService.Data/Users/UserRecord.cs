using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SignatureService.Data.Users;

/// <summary>A person who uses the service: a signer or an operator. Feature tables (credentials, signers, certificates) reference it.</summary>
public sealed class UserRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>Name shown in pages and audit views (1–200 chars).</summary>
    public required string DisplayName { get; set; }

    /// <summary><c>pending</c> (enrolment not finished), <c>active</c> or <c>suspended</c> (sessions end, nothing is signed).</summary>
    public required string Status { get; set; }

    /// <summary>Any of <see cref="UserRoles"/>.</summary>
    public string[] Roles { get; set; } = [];

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last change (UTC).</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The role vocabulary, in one place.</summary>
public static class UserRoles
{
    /// <summary>Physician, dentist or pharmacist who approves signatures.</summary>
    public const string Signer = "signer";

    /// <summary>Registration-authority operator: records and verifies identity proofing; a second one approves.</summary>
    public const string RaOperator = "ra-operator";

    /// <summary>Certificate-authority operator: CA set-up, certificates, license registry, EHR clients.</summary>
    public const string CaOperator = "ca-operator";

    /// <summary>Reads and verifies the audit trail.</summary>
    public const string Auditor = "auditor";

    /// <summary>Every role.</summary>
    public static IReadOnlyList<string> All { get; } = [Signer, RaOperator, CaOperator, Auditor];
}

internal sealed class UserRecordConfiguration : IEntityTypeConfiguration<UserRecord>
{
    public void Configure(EntityTypeBuilder<UserRecord> builder)
    {
        builder.ToTable("users");
        builder.HasKey(u => u.Id);
    }
}
