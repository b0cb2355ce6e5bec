using Microsoft.EntityFrameworkCore;
using SignatureService.Data.Approvals;
using SignatureService.Data.Audit;
using SignatureService.Data.Clients;
using SignatureService.Data.Identity;
using SignatureService.Data.Keys;
using SignatureService.Data.Pki;
using SignatureService.Data.Proofing;
using SignatureService.Data.Signing;
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

    /// <summary>EHR signature requests.</summary>
    public DbSet<SignatureRequestRecord> SignatureRequests => Set<SignatureRequestRecord>();

    /// <summary>Documents of signature requests.</summary>
    public DbSet<SignatureRequestDocumentRecord> SignatureRequestDocuments => Set<SignatureRequestDocumentRecord>();

    /// <summary>Callbacks to deliver.</summary>
    public DbSet<CallbackOutboxRecord> CallbackOutbox => Set<CallbackOutboxRecord>();

    /// <summary>Callback delivery attempts.</summary>
    public DbSet<CallbackDeliveryRecord> CallbackDeliveries => Set<CallbackDeliveryRecord>();

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
    /// <summary>The service's CAs (root, signing and authentication sub-CAs).</summary>
    public DbSet<CertificateAuthorityRecord> CertificateAuthorities => Set<CertificateAuthorityRecord>();

    /// <summary>Certificates issued by the service's CAs.</summary>
    public DbSet<CertificateRecord> Certificates => Set<CertificateRecord>();

    /// <summary>Revocations and suspensions.</summary>
    public DbSet<RevocationRecord> Revocations => Set<RevocationRecord>();

    /// <summary>Published CRLs.</summary>
    public DbSet<CrlRecord> Crls => Set<CrlRecord>();

    /// <summary>The imported license registry.</summary>
    public DbSet<LicenseRecord> Licenses => Set<LicenseRecord>();

    /// <summary>Signers' verified attributes (hcRole from a verified license).</summary>
    public DbSet<SignerAttributeRecord> SignerAttributes => Set<SignerAttributeRecord>();

    /// <summary>Approval transactions (Signature Activation Data) and their assertions.</summary>
    public DbSet<ApprovalTransactionRecord> ApprovalTransactions => Set<ApprovalTransactionRecord>();

    /// <summary>The documents each approval transaction covers.</summary>
    public DbSet<ApprovalTransactionDocumentRecord> ApprovalTransactionDocuments => Set<ApprovalTransactionDocumentRecord>();

    /// <summary>Signed bytes replaced by a level upgrade.</summary>
    public DbSet<Levels.SignedDocumentVersionRecord> SignedDocumentVersions => Set<Levels.SignedDocumentVersionRecord>();

    /// <summary>Identity-proofing applications.</summary>
    public DbSet<ProofingApplicationRecord> ProofingApplications => Set<ProofingApplicationRecord>();

    /// <summary>Evidence items of proofing applications.</summary>
    public DbSet<ProofingEvidenceRecord> ProofingEvidence => Set<ProofingEvidenceRecord>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(SignatureServiceDbContext).Assembly);
        SnakeCaseNames.Apply(modelBuilder);
    }
}
