using System.Security.Cryptography.X509Certificates;
using SignatureService.Pki.Ocsp;

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

/// <summary>What <see cref="RevocationCheck"/> found.</summary>
/// <param name="Outcome">Good, revoked or unknown.</param>
/// <param name="Detail">A sentence for a report: which CRL decided, or why none could.</param>
/// <param name="Entry">The CRL entry, when the certificate is listed.</param>
/// <param name="Issuer">The issuer certificate whose CRL decided, when one did (the next link to check up the path).</param>
/// <param name="IssuedAfter">The deciding CRL or OCSP response was issued at or after the time checked (the strongest evidence).</param>
public sealed record RevocationStatus(RevocationOutcome Outcome, string Detail, CrlEntry? Entry, X509Certificate2? Issuer, bool IssuedAfter = false);

/// <summary>
/// The status of a certificate at a time T (the signing time) from CRLs and OCSP responses. CRLs (RFC 5280 §6.3, simplified to complete CRLs): only CRLs
/// that name the certificate's issuer, are complete for it (scope) and are signed by an issuer certificate matching its
/// authorityKeyIdentifier count. A permanent revocation dated at or before T on any of them decides "revoked". Otherwise the CRL
/// that decides is the first issued at or after T (it knows every revocation up to T), else the one current at T
/// (thisUpdate ≤ T &lt; nextUpdate: what the issuer published at that moment); with neither, the status is unknown.
/// OCSP responses (RFC 6960) signed by the issuer or its delegated responder count the same way, by their thisUpdate and
/// nextUpdate. Any source that shows a revocation at or before T decides "revoked"; otherwise any that shows "good" decides.
/// </summary>
public static class RevocationCheck
{
    /// <summary>Evaluates <paramref name="certificate"/> at <paramref name="at"/> from CRLs and OCSP responses.</summary>
    public static RevocationStatus Evaluate(
        X509Certificate2 certificate, DateTimeOffset at, IEnumerable<CertificateRevocationList> crls, IEnumerable<OcspResponseReader> ocspResponses,
        IEnumerable<X509Certificate2> issuerCandidates)
    {
        ArgumentNullException.ThrowIfNull(ocspResponses);
        var candidates = issuerCandidates.ToList();
        var byCrl = Evaluate(certificate, at, crls, candidates);
        var byOcsp = EvaluateOcsp(certificate, at, ocspResponses, candidates);
        return byCrl.Outcome == RevocationOutcome.Revoked ? byCrl
            : byOcsp.Outcome == RevocationOutcome.Revoked ? byOcsp
            : byCrl.Outcome == RevocationOutcome.Good && (byCrl.IssuedAfter || byOcsp.Outcome != RevocationOutcome.Good || !byOcsp.IssuedAfter) ? byCrl
            : byOcsp.Outcome == RevocationOutcome.Good ? byOcsp
            : byCrl with { Detail = $"{byCrl.Detail} {byOcsp.Detail}" };
    }

    /// <summary>Evaluates <paramref name="certificate"/> at <paramref name="at"/> from CRLs only.</summary>
    public static RevocationStatus Evaluate(
        X509Certificate2 certificate, DateTimeOffset at, IEnumerable<CertificateRevocationList> crls, IEnumerable<X509Certificate2> issuerCandidates)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(crls);
        ArgumentNullException.ThrowIfNull(issuerCandidates);
        var issuers = IssuersOf(certificate, issuerCandidates);
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
            ? new RevocationStatus(RevocationOutcome.Good, $"Not listed by {how}.", null, issuer, after.Crl is not null)
            : new RevocationStatus(RevocationOutcome.Good, $"Revoked only at {entry.RevocationDate:O}, after {at:O}, according to {how}.", entry, issuer, after.Crl is not null);
    }

    private static RevocationStatus EvaluateOcsp(
        X509Certificate2 certificate, DateTimeOffset at, IEnumerable<OcspResponseReader> responses, List<X509Certificate2> candidates)
    {
        var issuers = IssuersOf(certificate, candidates);
        var usable = new List<(OcspSingleResponse Single, X509Certificate2 Issuer)>();
        foreach (var response in responses)
        {
            foreach (var issuer in issuers)
            {
                var single = response.Responses.FirstOrDefault(s => s.IsFor(certificate, issuer));
                if (single is not null && response.IsSignedFor(issuer, candidates))
                {
                    usable.Add((single, issuer));
                    break;
                }
            }
        }

        var revoked = usable.Where(u => u.Single is { Status: OcspCertStatus.Revoked } s && s.RevocationTime <= at &&
                                        (s.Reason != RevocationReason.CertificateHold || s.ThisUpdate >= at))
            .OrderBy(u => u.Single.RevocationTime).FirstOrDefault();
        if (revoked.Single is { } r)
        {
            return new RevocationStatus(RevocationOutcome.Revoked,
                $"Revoked at {r.RevocationTime:O} ({r.Reason}), according to the OCSP response of {r.ThisUpdate:O}.", null, revoked.Issuer);
        }

        var good = usable.Where(u => u.Single.Status != OcspCertStatus.Unknown &&
                                     (u.Single.ThisUpdate >= at || (u.Single.NextUpdate is { } next && u.Single.ThisUpdate <= at && at < next)))
            .OrderBy(u => u.Single.ThisUpdate >= at ? 0 : 1).FirstOrDefault();
        if (good.Single is { } g)
        {
            var how = g.ThisUpdate >= at ? $"the OCSP response of {g.ThisUpdate:O}, after {at:O}" : $"the OCSP response current at {at:O} (of {g.ThisUpdate:O})";
            return new RevocationStatus(RevocationOutcome.Good,
                g.Status == OcspCertStatus.Good ? $"Good according to {how}." : $"Revoked only at {g.RevocationTime:O}, after {at:O}, according to {how}.",
                null, good.Issuer, g.ThisUpdate >= at);
        }

        return new RevocationStatus(RevocationOutcome.Unknown,
            usable.Count == 0 ? "No OCSP response signed for this certificate's issuer." : $"No OCSP response covers {at:O}.", null, null);
    }

    private static List<X509Certificate2> IssuersOf(X509Certificate2 certificate, IEnumerable<X509Certificate2> candidates)
    {
        ReadOnlyMemory<byte>? authorityKeyId;
        try
        {
            authorityKeyId = certificate.Extensions["2.5.29.35"] is X509AuthorityKeyIdentifierExtension aki ? aki.KeyIdentifier : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return []; // A malformed authorityKeyIdentifier: no issuer can be matched safely.
        }

        return candidates.Where(c => MatchesIssuer(c, certificate, authorityKeyId)).ToList();
    }

    private static bool MatchesIssuer(X509Certificate2 candidate, X509Certificate2 certificate, ReadOnlyMemory<byte>? authorityKeyId)
    {
        try
        {
            return CertificateRevocationList.SameName(candidate.SubjectName, certificate.IssuerName) &&
                   (authorityKeyId is null || candidate.Extensions["2.5.29.14"] is not X509SubjectKeyIdentifierExtension ski ||
                    ski.SubjectKeyIdentifierBytes.Span.SequenceEqual(authorityKeyId.Value.Span));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }
}
