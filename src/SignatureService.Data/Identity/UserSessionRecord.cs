using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SignatureService.Data.Users;

namespace SignatureService.Data.Identity;

/// <summary>A server-side login session (AAL3). The cookie carries a random token; only its SHA-256 is stored.</summary>
public sealed class UserSessionRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>SHA-256 of the session token (32 bytes).</summary>
    public required byte[] TokenHash { get; set; }

    /// <summary>The logged-in user.</summary>
    public Guid UserId { get; set; }

    /// <summary>The credential (row id) the login was made with; suspending or revoking it ends the session.</summary>
    public Guid CredentialId { get; set; }

    /// <summary>Authentication context class: always <c>aal3</c>.</summary>
    public required string Acr { get; set; }

    /// <summary>Login time (UTC): the authentication time.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last authenticated request (UTC), for the idle timeout.</summary>
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>Absolute end (UTC, exclusive).</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When it was ended early.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Why it was ended early: <c>logout</c>, <c>user-suspended</c>, <c>credential-suspended</c>, <c>credential-revoked</c>.</summary>
    public string? EndReason { get; set; }
}

internal sealed class UserSessionRecordConfiguration : IEntityTypeConfiguration<UserSessionRecord>
{
    public void Configure(EntityTypeBuilder<UserSessionRecord> builder)
    {
        builder.ToTable("user_sessions");
        builder.HasKey(s => s.Id);
        builder.HasOne<UserRecord>().WithMany().HasForeignKey(s => s.UserId);
        builder.HasOne<WebAuthnCredentialRecord>().WithMany().HasForeignKey(s => s.CredentialId);
    }
}
