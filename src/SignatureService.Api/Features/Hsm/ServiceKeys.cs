using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Keys;
using SignatureService.Hsm;

namespace SignatureService.Api.Features.Hsm;

/// <summary>
/// The service's own single-purpose keys (readiness probe, callback signing, ...): one per purpose and token, generated inside
/// the token on first use and recorded in <c>hsm_keys</c> with its audit event.
/// </summary>
public sealed class ServiceKeys(SignatureServiceDbContext db, AuditTrail audit, TimeProvider time)
{
    /// <summary>
    /// Finds the key of <paramref name="purpose"/> recorded for <paramref name="token"/>, or generates and records it. Replicas
    /// starting together may race: the loser's unique-label insert fails, it destroys its own new key and throws; a retry
    /// then finds the winner's key.
    /// </summary>
    public async Task<HsmKey> EnsureAsync(HsmToken token, string purpose, HsmKeyAlgorithm algorithm, CancellationToken cancellationToken)
    {
        var label = $"{purpose}/{token.TokenLabel}";
        var record = await db.HsmKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Label == label, cancellationToken);
        if (record is not null && token.FindKey(record.CkId) is { } existing)
        {
            return existing;
        }

        if (record is not null)
        {
            // Note: the row outlived its token (e.g. a re-initialised development token); replace it.
            await db.HsmKeys.Where(k => k.Id == record.Id).ExecuteDeleteAsync(cancellationToken);
        }

        var id = RandomNumberGenerator.GetBytes(16);
        var key = token.GenerateKeyPair(algorithm, label, id);
        db.HsmKeys.Add(new HsmKeyRecord
        {
            Id = Guid.CreateVersion7(),
            Purpose = purpose,
            Label = label,
            CkId = id,
            Algorithm = key.Algorithm.ToString(),
            PublicKeySpki = key.SubjectPublicKeyInfo,
            CreatedAt = time.GetUtcNow(),
        });
        audit.Record(db, AuditActor.System, "hsm.key-generated", "hsm-key", label,
            new { purpose, algorithm = key.Algorithm.ToString(), ckId = Convert.ToHexString(id) });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return key;
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            token.DestroyKey(id);
            throw;
        }
    }
}
