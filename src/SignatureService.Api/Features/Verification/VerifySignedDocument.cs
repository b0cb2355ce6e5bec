using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using SignatureService.Api.Features.Pki;
using SignatureService.Core.Documents;
using SignatureService.Core.Qualification;
using SignatureService.Data;
using SignatureService.Data.Pki;
using SignatureService.Pki.Errors;
using SignatureService.Pki.HealthcareRoles;
using SignatureService.Pki.Ocsp;
using SignatureService.Pki.Revocation;
using SignatureService.Pki.XAdES;

namespace SignatureService.Api.Features.Verification;

/// <summary>One check of a verification report.</summary>
public sealed record VerificationCheck(string Check, string Status, string Code, string Detail, string? Target);

/// <summary>One signature of a verified document.</summary>
public sealed record SignatureVerification(
    string? SignatureId, string? DocumentType, string Level, string Outcome, DateTimeOffset? SigningTime, DateTimeOffset? SignatureTimestampTime,
    string? SignerSubject, string? SignerSerialNumber, IReadOnlyList<string> HcRoles, IReadOnlyList<VerificationCheck> Checks);

/// <summary>The answer of <c>POST /v1/verifications</c>: one entry per signature, one result per check.</summary>
public sealed record VerificationReport(bool Valid, string? ErrorCode, IReadOnlyList<SignatureVerification> Signatures);

/// <summary>
/// Verifies a signed document for anyone (a pharmacy, a city office): the XAdES checks (structure, references, signature value,
/// signing certificate, timestamps), then the service's own: path to the trust anchors (our root CA and any configured in
/// <see cref="VerificationOptions"/>, e.g. the MHLW HPKI root), revocation at signing time (our certificate store for our
/// certificates; for others the CRLs and OCSP responses embedded in the signature (ES-XL RevocationValues) and the configured CRL files, up the
/// path to the anchor), and hcRole versus the document type.
/// </summary>
public sealed class VerifySignedDocument(SignatureServiceDbContext db, CertificateAuthorities authorities, VerificationMaterial material)
{
    /// <summary>Longest certificate path walked for revocation (signer, intermediates).</summary>
    private const int MaxPathLength = 6;

    /// <summary>Largest document accepted (a dispensing record embeds a signed prescription): 4 MiB.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>Verifies <paramref name="document"/>; never throws for hostile input.</summary>
    public async Task<VerificationReport> VerifyAsync(ReadOnlyMemory<byte> document, CancellationToken cancellationToken)
    {
        var hierarchy = await authorities.TryGetAsync(cancellationToken);
        var anchors = Anchors(hierarchy);
        var report = new XadesVerifier(checks: [new TrustChainCheck(anchors), new HcRoleCheck()]).Verify(document.Span);
        return await ReportAsync(report, cancellationToken);
    }

    /// <summary>
    /// Verifies a detached CAdES signature (CMS SignedData) over <paramref name="content"/>: signature value, signing-certificate-v2,
    /// signing time, nonRepudiation, the signature time-stamp (B-T), path to our trust anchors, revocation, and that the
    /// certificate's hcRole is one allowed to sign attachments. Never throws for hostile input.
    /// </summary>
    public async Task<VerificationReport> VerifyCadesAsync(ReadOnlyMemory<byte> cms, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var hierarchy = await authorities.TryGetAsync(cancellationToken);
        var anchors = Anchors(hierarchy);
        var report = new SignatureService.Pki.XAdES.Cades.CadesVerifier(MaxBytes, [new TrustChainCheck(anchors), new AttachmentRoleCheck()])
            .Verify(cms.Span, content);
        return await ReportAsync(report, cancellationToken);
    }

    private List<X509Certificate2> Anchors(PkiHierarchy? hierarchy) =>
        [.. hierarchy?.Authorities.Values.Select(a => a.Certificate) ?? [], .. material.Roots, .. material.Intermediates];

    private async Task<VerificationReport> ReportAsync(XadesVerificationReport report, CancellationToken cancellationToken)
    {
        var signatures = new List<SignatureVerification>();
        foreach (var signature in report.Signatures)
        {
            var checks = signature.Checks.Select(c => new VerificationCheck(c.Check, c.Status.ToString().ToLowerInvariant(), c.Code, c.Detail, c.Target)).ToList();
            checks.Add(await RevocationAsync(signature, cancellationToken));
            var failed = checks.Any(c => c.Status == "failed");
            var passed = checks.All(c => c.Status is "passed" or "notapplicable");
            signatures.Add(new SignatureVerification(
                signature.SignatureId, signature.DocumentType?.ToString(), signature.Level.ToString(),
                failed ? "failed" : passed ? "passed" : "indeterminate",
                signature.SigningTime, signature.SignatureTimestampTime,
                signature.SigningCertificate?.Subject, signature.SigningCertificate?.SerialNumber,
                signature.SigningCertificate is null ? [] : HcRoleExtension.ReadRoles(signature.SigningCertificate).Select(r => r.Text).ToList(),
                checks));
        }

        var valid = report.ErrorCode is null && signatures.Count > 0 && signatures.All(s => s.Outcome == "passed");
        return new VerificationReport(valid, report.ErrorCode, signatures);
    }

    private async Task<VerificationCheck> RevocationAsync(XadesSignatureReport signature, CancellationToken cancellationToken)
    {
        if (signature.SigningCertificate is not { } certificate)
        {
            return new VerificationCheck(XadesCheckNames.Revocation, "indeterminate", "verification.no-certificate", "No signing certificate.", null);
        }

        var serial = certificate.SerialNumberBytes.ToArray();
        var issuer = certificate.Issuer;
        var record = await db.Certificates.AsNoTracking().Where(c => c.SerialNumber == serial && c.Issuer == issuer)
            .Select(c => new { c.Id, c.Status }).SingleOrDefaultAsync(cancellationToken);
        if (record is null)
        {
            return ForeignRevocation(signature, certificate);
        }

        var at = signature.SignatureTimestampTime ?? signature.SigningTime;
        var revocation = await db.Revocations.AsNoTracking()
            .Where(r => r.CertificateId == record.Id && r.RevokedAt <= at && (r.LiftedAt == null || r.LiftedAt > at))
            .OrderBy(r => r.RevokedAt).FirstOrDefaultAsync(cancellationToken);
        return revocation is null
            ? new VerificationCheck(XadesCheckNames.Revocation, "passed", "verification.not-revoked", $"Not revoked or suspended at {at:O}.", null)
            : new VerificationCheck(XadesCheckNames.Revocation, "failed", "verification.revoked",
                $"Revoked or suspended since {revocation.RevokedAt:O} (reason {revocation.Reason}).", null);
    }

    /// <summary>
    /// Revocation of a certificate we did not issue, at the signature time-stamp's time (else the claimed signing time), from the
    /// signature's embedded CRLs and the configured CRL files, for the signer and each CA above it up to a self-signed anchor.
    /// </summary>
    private VerificationCheck ForeignRevocation(XadesSignatureReport signature, X509Certificate2 certificate)
    {
        if ((signature.SignatureTimestampTime ?? signature.SigningTime) is not { } at)
        {
            return new VerificationCheck(XadesCheckNames.Revocation, "indeterminate", "verification.revocation-unknown", "No signing time to check revocation at.", null);
        }

        var crls = new List<CertificateRevocationList>(material.Crls());
        foreach (var der in signature.EmbeddedCrls)
        {
            try
            {
                crls.Add(CertificateRevocationList.Parse(der));
            }
            catch (PkiException)
            {
                // An unusable embedded CRL is not evidence; the check says unknown if nothing else covers the certificate.
            }
        }

        var ocsp = new List<OcspResponseReader>();
        foreach (var der in signature.EmbeddedOcspResponses)
        {
            try
            {
                ocsp.Add(OcspResponseReader.Parse(der));
            }
            catch (PkiException)
            {
                // As for CRLs: an unusable response is no evidence either way.
            }
        }

        List<X509Certificate2> issuers = [.. signature.EmbeddedCertificates, .. material.Roots, .. material.Intermediates];
        var details = new List<string>();
        var current = certificate;
        for (var depth = 0; depth < MaxPathLength; depth++)
        {
            var status = RevocationCheck.Evaluate(current, at, crls, ocsp, issuers);
            var who = depth == 0 ? "Signer" : $"CA {current.Subject}";
            details.Add($"{who}: {status.Detail}");
            switch (status.Outcome)
            {
                case RevocationOutcome.Revoked:
                    return new VerificationCheck(XadesCheckNames.Revocation, "failed", "verification.revoked", string.Join(" ", details), null);
                case RevocationOutcome.Unknown:
                    return new VerificationCheck(XadesCheckNames.Revocation, "indeterminate",
                        depth == 0 && crls.Count + ocsp.Count == 0 ? "verification.foreign-certificate" : "verification.revocation-unknown",
                        depth == 0 && crls.Count + ocsp.Count == 0
                            ? "The certificate was not issued by this service and no CRL of its issuer is embedded or configured."
                            : string.Join(" ", details), null);
            }

            current = status.Issuer!;
            if (current.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData))
            {
                return new VerificationCheck(XadesCheckNames.Revocation, "passed", "verification.not-revoked", string.Join(" ", details), null);
            }
        }

        return new VerificationCheck(XadesCheckNames.Revocation, "indeterminate", "verification.revocation-unknown",
            $"The path is longer than {MaxPathLength} certificates.", null);
    }

    /// <summary>The signing certificate chains to one of our CA certificates (revocation is checked separately).</summary>
    private sealed class TrustChainCheck(IReadOnlyList<X509Certificate2> anchors) : IXadesSignatureCheck
    {
        public XadesCheckResult Evaluate(XadesSignatureReport report)
        {
            if (report.SigningCertificate is not { } certificate)
            {
                return XadesCheckResult.Fail(XadesCheckNames.TrustChain, "verification.no-certificate", "No signing certificate.");
            }

            var roots = anchors.Where(a => a.SubjectName.RawData.AsSpan().SequenceEqual(a.IssuerName.RawData)).ToList();
            if (roots.Count == 0)
            {
                return new XadesCheckResult(XadesCheckNames.TrustChain, XadesCheckStatus.Indeterminate, "verification.no-trust-anchor",
                    "No trust anchor is configured.");
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
            chain.ChainPolicy.ExtraStore.AddRange(anchors.Concat(report.EmbeddedCertificates).ToArray());
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = (report.SignatureTimestampTime ?? report.SigningTime ?? DateTimeOffset.UtcNow).UtcDateTime;
            chain.ChainPolicy.VerificationTimeIgnored = false;
            return chain.Build(certificate)
                ? XadesCheckResult.Pass(XadesCheckNames.TrustChain, $"Chains to {chain.ChainElements[^1].Certificate.Subject}.")
                : XadesCheckResult.Fail(XadesCheckNames.TrustChain, "verification.untrusted-chain",
                    string.Join("; ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct()));
        }
    }

    /// <summary>An attachment may be signed by any qualified signer: the certificate carries an hcRole allowed for attachments.</summary>
    private sealed class AttachmentRoleCheck : IXadesSignatureCheck
    {
        public XadesCheckResult Evaluate(XadesSignatureReport report)
        {
            if (report.SigningCertificate is not { } certificate)
            {
                return XadesCheckResult.NotApplicable(XadesCheckNames.HcRole, "No certificate.");
            }

            IReadOnlyList<HcRole> roles;
            try
            {
                roles = HcRoleExtension.ReadRoles(certificate);
            }
            catch (SignatureService.Pki.Errors.PkiException)
            {
                return XadesCheckResult.Fail(XadesCheckNames.HcRole, "verification.hcrole-malformed", "The hcRole extension is malformed.");
            }

            return QualificationPolicy.Statutory.PermitsAny(DocumentType.Attachment, roles)
                ? XadesCheckResult.Pass(XadesCheckNames.HcRole, $"hcRole {string.Join(", ", roles.Select(r => r.Text))} may sign attachments.")
                : XadesCheckResult.Fail(XadesCheckNames.HcRole, "verification.hcrole-not-permitted", "The certificate carries no hcRole of a qualified signer.");
        }
    }

    /// <summary>The certificate's hcRole permits the document type (DOMAIN.md §1).</summary>
    private sealed class HcRoleCheck : IXadesSignatureCheck
    {
        public XadesCheckResult Evaluate(XadesSignatureReport report)
        {
            if (report.SigningCertificate is not { } certificate || report.DocumentType is not { } type)
            {
                return XadesCheckResult.NotApplicable(XadesCheckNames.HcRole, "No certificate or unknown document type.");
            }

            IReadOnlyList<HcRole> roles;
            try
            {
                roles = HcRoleExtension.ReadRoles(certificate);
            }
            catch (SignatureService.Pki.Errors.PkiException)
            {
                return XadesCheckResult.Fail(XadesCheckNames.HcRole, "verification.hcrole-malformed", "The hcRole extension is malformed.");
            }

            var documentTypes = type switch
            {
                XadesDocumentType.Prescription => new[] { DocumentType.Prescription },
                XadesDocumentType.Dispensing => [DocumentType.DispensingRecord],
                _ => [DocumentType.DeathCertificate, DocumentType.PostmortemCertificate],
            };
            return documentTypes.Any(t => QualificationPolicy.Statutory.PermitsAny(t, roles))
                ? XadesCheckResult.Pass(XadesCheckNames.HcRole, $"hcRole {string.Join(", ", roles.Select(r => r.Text))} may sign {type}.")
                : XadesCheckResult.Fail(XadesCheckNames.HcRole, "verification.hcrole-not-permitted",
                    $"hcRole {string.Join(", ", roles.Select(r => r.Text))} may not sign {type}.");
        }
    }
}
