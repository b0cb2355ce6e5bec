using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using SignatureService.Data;
using SignatureService.Data.Pki;
using SignatureService.Pki.Ocsp;
using SignatureService.Pki.Revocation;

namespace SignatureService.Api.Features.Pki;

/// <summary>OCSP status from the certificate store: good, revoked or on hold (revoked with certificateHold), or unknown.</summary>
internal sealed class DbCertificateStatusLookup(IServiceScopeFactory scopes, IEnumerable<LoadedAuthority> authorities) : ICertificateStatusLookup
{
    private readonly Dictionary<string, Guid> _caIds = authorities.ToDictionary(a => a.Certificate.Thumbprint, a => a.Id, StringComparer.Ordinal);

    public async ValueTask<CertificateStatus> GetStatusAsync(X509Certificate2 issuer, ReadOnlyMemory<byte> serialNumber, CancellationToken cancellationToken)
    {
        if (!_caIds.TryGetValue(issuer.Thumbprint, out var caId))
        {
            return CertificateStatus.Unknown;
        }

        var serial = serialNumber.ToArray();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SignatureServiceDbContext>();
        var certificate = await db.Certificates.AsNoTracking()
            .Where(c => c.CaId == caId && c.SerialNumber == serial)
            .Select(c => new { c.Id, c.Status })
            .SingleOrDefaultAsync(cancellationToken);
        if (certificate is null)
        {
            return CertificateStatus.Unknown;
        }

        if (certificate.Status == CertificateStatuses.Good)
        {
            return CertificateStatus.Good;
        }

        var revocation = await db.Revocations.AsNoTracking()
            .SingleOrDefaultAsync(r => r.CertificateId == certificate.Id && r.LiftedAt == null, cancellationToken);

        // Note: null only when a resumption committed between the two reads; the certificate is good again.
        return revocation is null
            ? CertificateStatus.Good
            : CertificateStatus.Revoked(revocation.RevokedAt, (RevocationReason)revocation.Reason);
    }
}
