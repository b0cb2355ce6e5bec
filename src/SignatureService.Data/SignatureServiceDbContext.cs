using Microsoft.EntityFrameworkCore;
using SignatureService.Data.Audit;
using SignatureService.Data.Clients;
using SignatureService.Data.Identity;
using SignatureService.Data.Keys;
using SignatureService.Data.Users;

namespace SignatureService.Data;

/// <summary>
/// The service's PostgreSQL store. The schema itself is owned by the SQL files in <c>Migrations/</c>; this model maps onto it
/// (snake_case names, set once in <see cref="SnakeCaseNames"/>) and a test checks that every entity round-trips.
/// </summary>
public sealed class SignatureServiceDbContext(DbContextOptions<SignatureServiceDbContext> options) : DbContext(options)
{
    /// <summary>Keys the service generated in the HSM, addressed by purpose.</summary>
    public DbSet<HsmKeyRecord> HsmKeys => Set<HsmKeyRecord>();

    /// <summary>Signers and operators.</summary>
    public DbSet<UserRecord> Users => Set<UserRecord>();

    /// <summary>Registered EHR systems.</summary>
    public DbSet<EhrClientRecord> EhrClients => Set<EhrClientRecord>();

    /// <summary>EHR systems' public keys.</summary>
    public DbSet<EhrClientKeyRecord> EhrClientKeys => Set<EhrClientKeyRecord>();

    /// <summary>Token ids already accepted.</summary>
    public DbSet<JwtReplayRecord> JwtReplay => Set<JwtReplayRecord>();

    /// <summary>The audit trail (append-only).</summary>
    public DbSet<AuditEventRecord> AuditEvents => Set<AuditEventRecord>();

    /// <summary>Users' WebAuthn security keys.</summary>
    public DbSet<WebAuthnCredentialRecord> WebAuthnCredentials => Set<WebAuthnCredentialRecord>();

    /// <summary>WebAuthn ceremony challenges (hashed, single use).</summary>
    public DbSet<CeremonyChallengeRecord> CeremonyChallenges => Set<CeremonyChallengeRecord>();

    /// <summary>Server-side login sessions.</summary>
    public DbSet<UserSessionRecord> UserSessions => Set<UserSessionRecord>();

    /// <summary>One-time enrollment codes (hashed).</summary>
    public DbSet<EnrollmentCodeRecord> EnrollmentCodes => Set<EnrollmentCodeRecord>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(SignatureServiceDbContext).Assembly);
        SnakeCaseNames.Apply(modelBuilder);
    }
}
