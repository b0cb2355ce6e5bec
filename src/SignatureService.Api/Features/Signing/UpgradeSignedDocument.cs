using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Features.SignatureRequests;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Levels;
using SignatureService.Pki.Timestamping;
using SignatureService.Pki.XAdES;

namespace SignatureService.Api.Features.Signing;

/// <summary>
/// Upgrades a stored XAdES signature (ES-T → ES-XL or ES-A, ES-XL → ES-A) for the EHR client that owns the request.
/// Idempotent: a document already at or above the target is returned unchanged. The upgraded bytes are verified before
/// they replace the stored ones; the replaced bytes are kept with their level in <c>signed_document_versions</c>, and the
/// replacement (a conditional update on the previous level), the kept version and the audit event commit together.
/// </summary>
public sealed class UpgradeSignedDocument(
    SignatureServiceDbContext db,
    CollectValidationMaterial validationMaterial,
    SignatureTimestamps signatureTimestamps,
    AuditTrail audit,
    TimeProvider time)
{
    /// <summary>Upgrades document <paramref name="index"/> of request <paramref name="requestId"/> to <paramref name="targetLevel"/>.</summary>
    /// <exception cref="ServiceException">400 bad target; 404 unknown (or another client's) request or document; 409 not signed yet or not upgradable.</exception>
    public async Task<UpgradedSignedDocument> UpgradeAsync(
        Guid clientRowId, string clientId, Guid requestId, int index, string? targetLevel, CancellationToken cancellationToken)
    {
        if (targetLevel is not (SignatureLevels.EsXl or SignatureLevels.EsA))
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "targetLevel must be ES-XL or ES-A.",
                new Dictionary<string, string[]> { ["targetLevel"] = ["ES-XL or ES-A."] });
        }

        var document = await (
                from d in db.SignatureRequestDocuments
                join r in db.SignatureRequests on d.RequestId equals r.Id
                where r.Id == requestId && r.ClientId == clientRowId && d.Ordinal == index
                select d)
            .AsNoTracking().SingleOrDefaultAsync(cancellationToken)
            ?? throw new ServiceException(ErrorCatalogue.NotFound);
        if (document.SignedContent is null)
        {
            throw new ServiceException(ErrorCatalogue.StateConflict, "The document is not signed yet.");
        }

        var current = document.SignatureLevel ?? SignatureLevels.EsT;
        if (!SignatureLevels.IsRequestable(current))
        {
            throw new ServiceException(ErrorCatalogue.SignatureLevelNotUpgradable, $"A {current} signature has no XAdES upgrade.");
        }

        if (SignatureLevels.ToXades(current) >= SignatureLevels.ToXades(targetLevel))
        {
            return new UpgradedSignedDocument(index, current, current, Upgraded: false);
        }

        var profile = XadesDocumentProfile.For(SignApprovedRequest.XadesTypeOf(document.DocumentType));
        var before = new XadesVerifier().Verify(document.SignedContent).Signature(profile.SignatureId);
        if (before?.SigningCertificate is not X509Certificate2 signer)
        {
            throw new ServiceException(ErrorCatalogue.SignatureLevelNotUpgradable, "The stored signature has no signing certificate.");
        }

        var material = await validationMaterial.ForAsync(signer, cancellationToken);
        var tsa = await signatureTimestamps.AuthorityAsync(cancellationToken);
        var upgraded = await new XadesUpgrader(new SignApprovedRequest.TimestampSource(tsa))
            .UpgradeAsync(document.SignedContent, profile.SignatureId, SignatureLevels.ToXades(targetLevel), material, cancellationToken);

        // Note: the stored document is replaced only by one that verifies at the target level.
        var after = new XadesVerifier().Verify(upgraded).Signature(profile.SignatureId);
        if (after is null || after.Level != SignatureLevels.ToXades(targetLevel) || after.Checks.Any(c => c.Status == XadesCheckStatus.Failed))
        {
            throw new InvalidOperationException($"The upgraded signature does not verify at {targetLevel}.");
        }

        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var updated = await db.SignatureRequestDocuments
            .Where(d => d.Id == document.Id && d.SignatureLevel == document.SignatureLevel)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.SignedContent, upgraded).SetProperty(d => d.SignatureLevel, targetLevel), cancellationToken);
        if (updated == 0)
        {
            // Note: another call upgraded it meanwhile; answer with what is stored now (the call is idempotent).
            await transaction.RollbackAsync(cancellationToken);
            var stored = await db.SignatureRequestDocuments.AsNoTracking().Where(d => d.Id == document.Id).Select(d => d.SignatureLevel)
                .SingleAsync(cancellationToken) ?? SignatureLevels.EsT;
            return SignatureLevels.IsRequestable(stored) && SignatureLevels.ToXades(stored) >= SignatureLevels.ToXades(targetLevel)
                ? new UpgradedSignedDocument(index, stored, current, Upgraded: false)
                : throw new ServiceException(ErrorCatalogue.StateConflict, "The document changed meanwhile; try again.");
        }

        db.SignedDocumentVersions.Add(new SignedDocumentVersionRecord
        {
            Id = Guid.CreateVersion7(),
            DocumentId = document.Id,
            SignatureLevel = current,
            SignedContent = document.SignedContent,
            ReplacedAt = now,
        });
        audit.Record(db, new AuditActor("client", clientId), "document.upgraded", "signature-request", requestId.ToString(),
            new { ordinal = index, from = current, to = targetLevel });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new UpgradedSignedDocument(index, targetLevel, current, Upgraded: true);
    }
}
