using Microsoft.EntityFrameworkCore;
using SignatureService.Core.Clients;

namespace SignatureService.Data.Clients;

/// <summary>Resolves EHR client keys from the store (no tracking; a fresh read each time, so disabling takes effect at once).</summary>
public sealed class DbClientKeyResolver(SignatureServiceDbContext db) : IClientKeyResolver
{
    /// <inheritdoc />
    public async ValueTask<ClientKeyLookup?> FindAsync(string clientId, string kid, CancellationToken cancellationToken)
    {
        var row = await db.EhrClients.AsNoTracking()
            .Where(c => c.ClientId == clientId)
            .SelectMany(c => c.Keys.Where(k => k.Kid == kid && k.Status == "active"), (c, k) => new { c.Status, k.Algorithm, k.PublicJwk })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }

        ClientPublicKey key;
        try
        {
            key = ClientPublicKey.Parse(row.PublicJwk.RootElement, row.Algorithm);
        }
        catch (FormatException)
        {
            return null;
        }

        return new ClientKeyLookup(row.Status == "active", key);
    }
}

/// <summary>Single-use token ids in PostgreSQL: an insert that conflicts is a replay. Safe across replicas.</summary>
public sealed class DbTokenReplayStore(SignatureServiceDbContext db) : ITokenReplayStore
{
    /// <inheritdoc />
    public async ValueTask<bool> TryConsumeAsync(string issuer, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO jwt_replay (issuer, jti, expires_at) VALUES ({issuer}, {jti}, {keepUntil}) ON CONFLICT DO NOTHING",
            cancellationToken);
        return inserted == 1;
    }

    /// <summary>Deletes rows whose tokens can no longer be accepted; returns how many.</summary>
    public Task<int> PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM jwt_replay WHERE expires_at < {now}", cancellationToken);
}
