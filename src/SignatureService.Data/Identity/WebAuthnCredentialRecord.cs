using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SignatureService.Data.Users;

namespace SignatureService.Data.Identity;

/// <summary>A WebAuthn security key registered to a user (several per user: a backup key is allowed).</summary>
public sealed class WebAuthnCredentialRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>The owner (<c>users.id</c>).</summary>
    public Guid UserId { get; set; }

    /// <summary>The authenticator's credential ID (1–1023 bytes, unique across the service).</summary>
    public required byte[] CredentialId { get; set; }

    /// <summary>The credential public key, COSE_Key encoded as the authenticator sent it.</summary>
    public required byte[] PublicKey { get; set; }

    /// <summary>COSE algorithm identifier (e.g. -7 for ES256).</summary>
    public int Algorithm { get; set; }

    /// <summary>Last accepted signature counter (0–2^32−1).</summary>
    public long SignCount { get; set; }

    /// <summary>The authenticator model's AAGUID.</summary>
    public Guid Aaguid { get; set; }

    /// <summary>Attestation statement format at registration (<c>packed</c>, <c>tpm</c>...).</summary>
    public required string AttestationFormat { get; set; }

    /// <summary>The BE flag at registration (always false under the AAL3 policy).</summary>
    public bool BackupEligible { get; set; }

    /// <summary>One of <see cref="CredentialStatus"/>.</summary>
    public required string Status { get; set; }

    /// <summary>The owner's name for the key (1–100 chars).</summary>
    public required string Nickname { get; set; }

    /// <summary>Registration time (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last successful assertion (UTC).</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>When the status last changed (suspension, revocation).</summary>
    public DateTimeOffset? StatusChangedAt { get; set; }
}

/// <summary>Credential statuses.</summary>
public static class CredentialStatus
{
    /// <summary>Usable for login and approvals.</summary>
    public const string Active = "active";

    /// <summary>Blocked by the service (e.g. a signature counter regressed: possible clone).</summary>
    public const string Suspended = "suspended";

    /// <summary>Revoked by its owner or an operator; final.</summary>
    public const string Revoked = "revoked";
}

internal sealed class WebAuthnCredentialRecordConfiguration : IEntityTypeConfiguration<WebAuthnCredentialRecord>
{
    public void Configure(EntityTypeBuilder<WebAuthnCredentialRecord> builder)
    {
        builder.ToTable("webauthn_credentials");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => c.CredentialId).IsUnique();
        builder.HasOne<UserRecord>().WithMany().HasForeignKey(c => c.UserId);
    }
}
