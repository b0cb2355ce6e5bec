using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SignatureService.Data.Clients;

/// <summary>An EHR system registered to call the signing API.</summary>
public sealed class EhrClientRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>The client's public identifier, used as the JWT <c>iss</c> and <c>sub</c> (3–64 chars of <c>[A-Za-z0-9._-]</c>).</summary>
    public required string ClientId { get; set; }

    /// <summary>Display name (1–200 chars).</summary>
    public required string Name { get; set; }

    /// <summary><c>active</c> or <c>disabled</c>; a disabled client's tokens are refused.</summary>
    public required string Status { get; set; }

    /// <summary>Origins (scheme://host[:port]) its callback URLs may use.</summary>
    public string[] AllowedCallbackOrigins { get; set; } = [];

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last change (UTC).</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The client's keys, current and retired.</summary>
    public List<EhrClientKeyRecord> Keys { get; } = [];
}

/// <summary>A public key an EHR client signs its tokens with, selected by <c>kid</c>.</summary>
public sealed class EhrClientKeyRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>The owning client's row id.</summary>
    public Guid ClientId { get; set; }

    /// <summary>Key id, unique per client (1–128 chars).</summary>
    public required string Kid { get; set; }

    /// <summary>The only JWS algorithm this key may be used with: ES256, PS256 or RS256.</summary>
    public required string Algorithm { get; set; }

    /// <summary>The public JWK (no private members; checked at registration).</summary>
    public required JsonDocument PublicJwk { get; set; }

    /// <summary><c>active</c> or <c>retired</c>.</summary>
    public required string Status { get; set; }

    /// <summary>Registration time (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the key was retired (UTC), if it was.</summary>
    public DateTimeOffset? RetiredAt { get; set; }
}

/// <summary>An accepted token id, kept until shortly after the token expires so a replay is refused.</summary>
public sealed class JwtReplayRecord
{
    /// <summary>The token's issuer.</summary>
    public required string Issuer { get; set; }

    /// <summary>The token's <c>jti</c>.</summary>
    public required string Jti { get; set; }

    /// <summary>When the row may be purged (UTC).</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}

internal sealed class EhrClientConfiguration :
    IEntityTypeConfiguration<EhrClientRecord>, IEntityTypeConfiguration<EhrClientKeyRecord>, IEntityTypeConfiguration<JwtReplayRecord>
{
    public void Configure(EntityTypeBuilder<EhrClientRecord> builder)
    {
        builder.ToTable("ehr_clients");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => c.ClientId).IsUnique();
        builder.HasMany(c => c.Keys).WithOne().HasForeignKey(k => k.ClientId);
    }

    public void Configure(EntityTypeBuilder<EhrClientKeyRecord> builder)
    {
        builder.ToTable("ehr_client_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.PublicJwk).HasColumnType("jsonb");
        builder.HasIndex(k => new { k.ClientId, k.Kid }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<JwtReplayRecord> builder)
    {
        builder.ToTable("jwt_replay");
        builder.HasKey(r => new { r.Issuer, r.Jti });
    }
}
