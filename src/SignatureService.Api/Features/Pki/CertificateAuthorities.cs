using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Hsm;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Pki;
using SignatureService.Hsm;
using SignatureService.Pki.Certificates;
using SignatureService.Pki.Ocsp;
using SignatureService.Pki.Timestamping;

namespace SignatureService.Api.Features.Pki;

/// <summary>A CA of the hierarchy with its HSM-backed signing credential.</summary>
/// <param name="Id">Row id in <c>certificate_authorities</c>.</param>
/// <param name="Name">URL name (<c>root</c>, <c>signing</c>, <c>authentication</c>).</param>
/// <param name="Kind">root, signing or authentication.</param>
/// <param name="Credential">Certificate and HSM signer; signs certificates and CRLs.</param>
public sealed record LoadedAuthority(Guid Id, string Name, string Kind, IssuerCredential Credential)
{
    /// <summary>The CA certificate.</summary>
    public X509Certificate2 Certificate => Credential.Certificate;

    /// <summary>
    /// The credential for purpose <c>ca/NAME/crl-signing</c>: the CA's own key. Note: a separate CRL key would need its own
    /// CRL-issuer certificate and indirect CRLs, which <c>openssl verify -crl_check</c> does not follow.
    /// </summary>
    public IssuerCredential CrlSigningCredential => Credential;
}

/// <summary>The loaded hierarchy: CAs by name, the OCSP responder and the TSA, all signing in the HSM.</summary>
public sealed class PkiHierarchy
{
    internal PkiHierarchy(IReadOnlyDictionary<string, LoadedAuthority> authorities, OcspResponder ocsp, TimestampAuthority tsa)
    {
        Authorities = authorities;
        Ocsp = ocsp;
        Tsa = tsa;
    }

    /// <summary>CAs by URL name.</summary>
    public IReadOnlyDictionary<string, LoadedAuthority> Authorities { get; }

    /// <summary>The OCSP responder for every CA of the hierarchy.</summary>
    public OcspResponder Ocsp { get; }

    /// <summary>The RFC 3161 time-stamping authority (key in the HSM).</summary>
    public TimestampAuthority Tsa { get; }

    /// <summary>The CA with this name, or <see cref="ServiceException"/> (<see cref="ErrorCatalogue.NotFound"/>).</summary>
    public LoadedAuthority Get(string name) =>
        Authorities.TryGetValue(name, out var authority) ? authority : throw new ServiceException(ErrorCatalogue.NotFound, "No CA with this name.");

    /// <summary>
    /// The credential for a key purpose: <c>ca/NAME/cert-signing</c> or <c>ca/NAME/crl-signing</c> (both the CA's key);
    /// <see cref="ServiceException"/> (<see cref="ErrorCatalogue.NotFound"/>) for others.
    /// </summary>
    public IssuerCredential CredentialFor(string purpose) => purpose?.Split('/') switch
    {
        ["ca", var name, "cert-signing"] => Get(name).Credential,
        ["ca", var name, "crl-signing"] => Get(name).CrlSigningCredential,
        _ => throw new ServiceException(ErrorCatalogue.NotFound, "No CA key has this purpose."),
    };

    /// <summary>The CA with this row id.</summary>
    public LoadedAuthority Get(Guid id) => Authorities.Values.Single(a => a.Id == id);
}

/// <summary>
/// Loads the CA hierarchy from the store and its keys from the HSM once it exists, and keeps it (it never changes after
/// <c>ca init</c>). Until then every call looks again, so a hierarchy created by the command line is picked up. Thread-safe.
/// </summary>
public sealed class CertificateAuthorities(
    HsmConnection hsm,
    IServiceScopeFactory scopes,
    IOptions<PkiOptions> options,
    TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile PkiHierarchy? _hierarchy;

    /// <summary>The hierarchy, or null while not initialised.</summary>
    public async Task<PkiHierarchy?> TryGetAsync(CancellationToken cancellationToken)
    {
        if (_hierarchy is { } loaded)
        {
            return loaded;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_hierarchy is null)
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<SignatureServiceDbContext>();
                _hierarchy = await LoadAsync(db, cancellationToken);
            }

            return _hierarchy;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The hierarchy, or <see cref="ServiceException"/> (<see cref="ErrorCatalogue.CaNotInitialized"/>).</summary>
    public async Task<PkiHierarchy> RequireAsync(CancellationToken cancellationToken) =>
        await TryGetAsync(cancellationToken) ?? throw new ServiceException(ErrorCatalogue.CaNotInitialized);

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    /// <summary>Finds an HSM key recorded in <c>hsm_keys</c>.</summary>
    internal static async Task<HsmKey> FindKeyAsync(SignatureServiceDbContext db, HsmToken token, Guid keyId, CancellationToken cancellationToken)
    {
        var record = await db.HsmKeys.AsNoTracking().SingleAsync(k => k.Id == keyId, cancellationToken);
        return token.FindKey(record.CkId)
               ?? throw new InvalidOperationException($"The HSM key {record.Label} recorded in the store is missing from the token.");
    }

    internal static IssuerCredential Credential(X509Certificate2 certificate, HsmKey key) => key.IsRsa
        ? IssuerCredential.FromRsa(certificate, key.AsRsa())
        : IssuerCredential.FromECDsa(certificate, key.AsECDsa());

    private async Task<PkiHierarchy?> LoadAsync(SignatureServiceDbContext db, CancellationToken cancellationToken)
    {
        var records = await db.CertificateAuthorities.AsNoTracking().ToListAsync(cancellationToken);
        var responder = await db.Certificates.AsNoTracking()
            .Where(c => c.Kind == CertificateKinds.OcspResponder && c.Status == CertificateStatuses.Good)
            .OrderByDescending(c => c.NotAfter).FirstOrDefaultAsync(cancellationToken);
        var tsa = await db.Certificates.AsNoTracking()
            .Where(c => c.Kind == CertificateKinds.Timestamping && c.Status == CertificateStatuses.Good)
            .OrderByDescending(c => c.NotAfter).FirstOrDefaultAsync(cancellationToken);
        if (records.Count == 0 || responder is null || tsa is null)
        {
            return null;
        }

        var token = hsm.RequireToken();
        var authorities = new Dictionary<string, LoadedAuthority>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var key = await FindKeyAsync(db, token, record.KeyId, cancellationToken);
            authorities[record.Name] = new LoadedAuthority(record.Id, record.Name, record.Kind,
                Credential(X509CertificateLoader.LoadCertificate(record.CertificateDer), key));
        }

        var responderCredential = Credential(X509CertificateLoader.LoadCertificate(responder.Der),
            await FindKeyAsync(db, token, responder.KeyId!.Value, cancellationToken));
        var responderIssuer = authorities.Values.Single(a => a.Id == responder.CaId);

        // Note: the delegated responder answers for the CA that issued it; the other CAs sign their own responses (RFC 6960 §4.2.2.2).
        var ocspAuthorities = authorities.Values.Select(a => new OcspAuthority(a.Certificate, a.Id == responderIssuer.Id ? responderCredential : a.Credential));
        var ocsp = new OcspResponder(ocspAuthorities, new DbCertificateStatusLookup(scopes, authorities.Values), time,
            new OcspResponderOptions { ResponseValidity = options.Value.OcspResponseValidity });

        var tsaKey = await FindKeyAsync(db, token, tsa.KeyId!.Value, cancellationToken);
        var timestamping = new TimestampAuthority(X509CertificateLoader.LoadCertificate(tsa.Der),
            tsaKey.IsRsa ? tsaKey.AsRsa() : tsaKey.AsECDsa(), new RandomTimestampSerialNumberGenerator(), time,
            new TimestampAuthorityOptions { DefaultPolicy = options.Value.TimestampPolicyOid });
        return new PkiHierarchy(authorities, ocsp, timestamping);
    }
}
