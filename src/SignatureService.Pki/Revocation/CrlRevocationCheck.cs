using System.Security.Cryptography.X509Certificates;

namespace SignatureService.Pki.Revocation;

/// <summary>Result of a revocation check at a point in time.</summary>
public enum RevocationOutcome
{
    /// <summary>Not revoked or on hold at that time, by a CRL that covers it.</summary>
    Good,

    /// <summary>Revoked, or on hold, at or before that time.</summary>
    Revoked,

    /// <summary>No usable CRL covers that time.</summary>
    Unknown,
}

/// <summary>What <see cref="CrlRevocationCheck.Evaluate"/> found.</summary>
/// <param name="Outcome">Good, revoked or unknown.</param>
/// <param name="Detail">A sentence for a report: which CRL decided, or why none could.</param>
/// <param name="Entry">The CRL entry, when the certificate is listed.</param>
/// <param name="Issuer">The issuer certificate whose CRL decided, when one did (the next link to check up the path).</param>
public sealed record RevocationStatus(RevocationOutcome Outcome, string Detail, CrlEntry? Entry, X509Certificate2? Issuer);

/// <summary>
/// The status of a certificate at a time T (the signing time) from CRLs (RFC 5280 §6.3, simplified to complete CRLs): only CRLs
/// that name the certificate's issuer, are complete for it (scope) and are signed by an issuer certificate matching its
/// authorityKeyIdentifier count. A permanent revocation dated at or before T on any of them decides "revoked". Otherwise the CRL
/// that decides is the first issued at or after T (it knows every revocation up to T), else the one current at T
/// (thisUpdate ≤ T &lt; nextUpdate: what the issuer published at that moment); with neither, the status is unknown.
/// </summary>
public static class CrlRevocationCheck
{
    /// <summary>Evaluates <paramref name="certificate"/> at <paramref name="at"/>.</summary>
    public static RevocationStatus Evaluate(
        X509Certificate2 certificate, DateTimeOffset at, IEnumerable<CertificateRevocationList> crls, IEnumerable<X509Certificate2> issuerCandidates)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(crls);
        ArgumentNullException.ThrowIfNull(issuerCandidates);
        var authorityKeyId = certificate.Extensions["2.5.29.35"] is X509AuthorityKeyIdentifierExtension aki ? aki.KeyIdentifier : null;
        var issuers = issuerCandidates
            .Where(c => CertificateRevocationList.SameName(c.SubjectName, certificate.IssuerName))
            .Where(c => authorityKeyId is null || c.Extensions["2.5.29.14"] is not X509SubjectKeyIdentifierExtension ski ||
                        ski.SubjectKeyIdentifierBytes.Span.SequenceEqual(authorityKeyId.Value.Span))
            .ToList();
        var usable = new List<(CertificateRevocationList Crl, X509Certificate2 Issuer)>();
        foreach (var crl in crls.Where(c => c.Covers(certificate)))
        {
            var signer = issuers.FirstOrDefault(crl.IsSignedBy);
            if (signer is not null)
            {
                usable.Add((crl, signer));
            }
        }

        if (usable.Count == 0)
        {
            return new RevocationStatus(RevocationOutcome.Unknown,
                $"No CRL of {certificate.Issuer} signed by a known issuer certificate and complete for this certificate.", null, null);
        }

        var permanent = usable
            .Select(u => (u.Crl, u.Issuer, Entry: u.Crl.Find(certificate)))
            .Where(u => u.Entry is { } e && e.RevocationDate <= at && e.Reason is not (RevocationReason.CertificateHold or RevocationReason.RemoveFromCrl))
            .OrderBy(u => u.Entry!.RevocationDate)
            .FirstOrDefault();
        if (permanent.Entry is { } revoked)
        {
            return new RevocationStatus(RevocationOutcome.Revoked,
                $"Revoked at {revoked.RevocationDate:O} ({revoked.Reason}), listed by the CRL issued {permanent.Crl.ThisUpdate:O}.", revoked, permanent.Issuer);
        }

        var after = usable.Where(u => u.Crl.ThisUpdate >= at).OrderBy(u => u.Crl.ThisUpdate).FirstOrDefault();
        var current = usable.Where(u => u.Crl.ThisUpdate <= at && (u.Crl.NextUpdate is null || at < u.Crl.NextUpdate))
            .OrderByDescending(u => u.Crl.ThisUpdate).FirstOrDefault();
        var (deciding, issuer) = after.Crl is not null ? after : current;
        if (deciding is null)
        {
            return new RevocationStatus(RevocationOutcome.Unknown,
                $"No CRL of {certificate.Issuer} was issued after {at:O} or current at it.", null, null);
        }

        var how = after.Crl is not null
            ? $"the CRL issued {deciding.ThisUpdate:O}, after {at:O}"
            : $"the CRL current at {at:O} (issued {deciding.ThisUpdate:O}, next update {deciding.NextUpdate:O})";
        var entry = deciding.Find(certificate);
        if (entry is { Reason: not RevocationReason.RemoveFromCrl } && entry.RevocationDate <= at)
        {
            return new RevocationStatus(RevocationOutcome.Revoked,
                $"On hold since {entry.RevocationDate:O}, according to {how}.", entry, issuer);
        }

        return entry is null
            ? new RevocationStatus(RevocationOutcome.Good, $"Not listed by {how}.", null, issuer)
            : new RevocationStatus(RevocationOutcome.Good, $"Revoked only at {entry.RevocationDate:O}, after {at:O}, according to {how}.", entry, issuer);
    }
}
