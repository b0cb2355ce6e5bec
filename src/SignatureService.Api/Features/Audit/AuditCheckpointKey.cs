using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Keys;
using SignatureService.Hsm;

namespace SignatureService.Api.Features.Audit;

/// <summary>Signs audit checkpoints with a P-256 key generated inside the HSM (purpose <c>audit-checkpoint</c>, recorded in <c>hsm_keys</c>).</summary>
internal sealed class HsmAuditCheckpointSigner(Guid keyId, HsmKey key) : IAuditCheckpointSigner
{
    /// <summary>The key purpose in <c>hsm_keys</c>.</summary>
    public const string Purpose = "audit-checkpoint";

    public Guid KeyId => keyId;

    public byte[] SignDigest(byte[] digest) => key.Sign(HsmSignatureMechanism.Ecdsa, digest);

    /// <summary>
    /// Finds the audit key recorded for this token, or generates one in the token and records it with its audit event (same
    /// transaction). Replicas racing: the loser's unique-label insert fails, it destroys its new key and the caller retries.
    /// </summary>
    public static async Task<HsmAuditCheckpointSigner> EnsureAsync(
        HsmToken token, SignatureServiceDbContext db, AuditTrail audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var label = $"{Purpose}/{token.TokenLabel}";
        var records = await db.HsmKeys.AsNoTracking()
            .Where(k => k.Purpose == Purpose && (k.Label == label || k.Label.StartsWith(label + "/")))
            .OrderByDescending(k => k.CreatedAt)
            .ToListAsync(cancellationToken);
        foreach (var record in records)
        {
            if (token.FindKey(record.CkId) is { } existing)
            {
                return new HsmAuditCheckpointSigner(record.Id, existing);
            }
        }

        if (records.Count > 0)
        {
            // Note: rows of keys the token lost are kept (the verifier needs their public keys for old checkpoints), so the
            // new key gets a label of its own.
            label = $"{label}/{Guid.CreateVersion7():N}";
        }

        var id = RandomNumberGenerator.GetBytes(16);
        var key = token.GenerateKeyPair(HsmKeyAlgorithm.EcP256, label, id);
        var row = new HsmKeyRecord
        {
            Id = Guid.CreateVersion7(),
            Purpose = Purpose,
            Label = label,
            CkId = id,
            Algorithm = key.Algorithm.ToString(),
            PublicKeySpki = key.SubjectPublicKeyInfo,
            CreatedAt = time.GetUtcNow(),
        };
        db.HsmKeys.Add(row);
        audit.Record(db, AuditActor.System, "audit.checkpoint-key-generated", "hsm-key", label,
            new { purpose = Purpose, algorithm = key.Algorithm.ToString(), ckId = Convert.ToHexString(id) });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return new HsmAuditCheckpointSigner(row.Id, key);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            token.DestroyKey(id);
            throw;
        }
    }
}
