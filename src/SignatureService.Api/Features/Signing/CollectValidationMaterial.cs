using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using SignatureService.Api.Features.Pki;
using SignatureService.Data;
using SignatureService.Pki.Ocsp;
using SignatureService.Pki.XAdES;

namespace SignatureService.Api.Features.Signing;

/// <summary>
/// Gathers what ES-XL and ES-A embed, from the service's own CA: the signer's path (issuing CA and root), the newest CRL
/// of each CA on it (the root's is the ARL), a fresh OCSP response for the signer certificate from our responder, and the
/// same for the TSA certificate (v1.4.1 TimeStampValidationData).
/// </summary>
public sealed class CollectValidationMaterial(SignatureServiceDbContext db, CertificateAuthorities authorities)
{
    private const string Sha1Oid = "1.3.14.3.2.26";

    /// <summary>Material for <paramref name="signer"/>, a certificate issued by one of our CAs.</summary>
    /// <exception cref="InvalidOperationException">The signer's issuer is not one of our CAs, a CRL is missing, or OCSP did not answer.</exception>
    public async Task<XadesUpgradeMaterial> ForAsync(X509Certificate2 signer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var hierarchy = await authorities.RequireAsync(cancellationToken);
        var signerValues = await ValuesAsync(hierarchy, signer, includeSelf: false, cancellationToken);
        var tsaValues = await ValuesAsync(hierarchy, hierarchy.Tsa.Certificate, includeSelf: true, cancellationToken);
        return new XadesUpgradeMaterial { SignerValues = signerValues, SignatureTimestampValues = tsaValues, ArchiveTimestampValues = tsaValues };
    }

    private async Task<XadesValidationValues> ValuesAsync(
        PkiHierarchy hierarchy, X509Certificate2 certificate, bool includeSelf, CancellationToken cancellationToken)
    {
        var path = PathOf(hierarchy, certificate);
        var certificates = new List<byte[]>();
        if (includeSelf)
        {
            certificates.Add(certificate.RawData);
        }

        var crls = new List<byte[]>();
        foreach (var authority in path)
        {
            certificates.Add(authority.Certificate.RawData);
            var crl = await db.Crls.AsNoTracking().Where(c => c.CaId == authority.Id).OrderByDescending(c => c.CrlNumber)
                          .Select(c => c.Der).FirstOrDefaultAsync(cancellationToken)
                      ?? throw new InvalidOperationException($"The CA {authority.Name} has issued no CRL yet.");
            crls.Add(crl);
        }

        var response = await hierarchy.Ocsp.RespondAsync(OcspRequestFor(certificate, path[0].Certificate), cancellationToken);
        if (response.Status != OcspResponseStatus.Successful)
        {
            throw new InvalidOperationException($"The OCSP responder answered {response.Status}.");
        }

        return new XadesValidationValues(certificates, crls, [response.Encoded]);
    }

    /// <summary>The CAs from the certificate's issuer up to the self-signed root.</summary>
    private static List<LoadedAuthority> PathOf(PkiHierarchy hierarchy, X509Certificate2 certificate)
    {
        var path = new List<LoadedAuthority>();
        var current = certificate;
        while (path.Count < 4)
        {
            var issuer = hierarchy.Authorities.Values.SingleOrDefault(a => a.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData))
                         ?? throw new InvalidOperationException("The certificate was not issued by this service's CAs.");
            path.Add(issuer);
            if (issuer.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(issuer.Certificate.IssuerName.RawData))
            {
                return path;
            }

            current = issuer.Certificate;
        }

        throw new InvalidOperationException("The CA path is longer than expected.");
    }

    /// <summary>An RFC 6960 OCSPRequest for one certificate (CertID with SHA-1, as most relying parties send it; no nonce).</summary>
    internal static byte[] OcspRequestFor(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Sha1Oid);
                writer.WriteNull();
            }

#pragma warning disable CA5350 // Note: SHA-1 is what RFC 6960 CertIDs commonly use; it identifies, it does not protect.
            writer.WriteOctetString(SHA1.HashData(issuer.SubjectName.RawData));
            writer.WriteOctetString(SHA1.HashData(issuer.PublicKey.EncodedKeyValue.RawData));
#pragma warning restore CA5350
            writer.WriteInteger(certificate.SerialNumberBytes.Span);
        }

        return writer.Encode();
    }
}
