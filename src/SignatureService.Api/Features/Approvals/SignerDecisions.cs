using System.Buffers.Text;
using Microsoft.EntityFrameworkCore;
using SignatureService.Api.Features.SignatureRequests;
using SignatureService.Core.Errors;
using SignatureService.Core.Signing;
using SignatureService.Data;
using SignatureService.Data.Approvals;
using SignatureService.Data.Audit;

namespace SignatureService.Api.Features.Approvals;

/// <summary>The signer's refusal of a pending request (rejected, with an optional reason the EHR receives).</summary>
public sealed class RejectSignatureRequest(SignatureServiceDbContext db, SignatureRequestWorkflows workflows, AuditTrail audit)
{
    /// <summary>Largest body.</summary>
    public const int MaxBodyBytes = 4 * 1024;

    /// <summary>Rejects request <paramref name="requestId"/> of signer <paramref name="signerId"/>.</summary>
    /// <exception cref="ServiceException">request.validation-failed, resource.not-found (also another signer's request),
    /// resource.state-conflict (not pending).</exception>
    public async Task<RejectionResult> RejectAsync(Guid signerId, Guid requestId, string? reason, CancellationToken cancellationToken)
    {
        if (reason is { Length: > 500 } || (reason is not null && reason.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'))))
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "reason: at most 500 printable characters.",
                new Dictionary<string, string[]> { ["reason"] = ["At most 500 printable characters."] });
        }

        var request = await db.SignatureRequests.SingleOrDefaultAsync(r => r.Id == requestId && r.SignerUserId == signerId, cancellationToken)
                      ?? throw new ServiceException(ErrorCatalogue.NotFound);
        workflows.Transition(request, SignatureRequestStatus.Rejected, reason);
        audit.Record(db, new AuditActor("signer", signerId.ToString()), "signature-request.rejected", "signature-request", requestId.ToString(),
            new { hasReason = reason is not null });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ServiceException(ErrorCatalogue.StateConflict, "The request changed meanwhile.");
        }

        return new RejectionResult(request.Id, request.Status, request.StatusReason);
    }
}

/// <summary>
/// Read-only views of approval transactions and their activation evidence, for the signer who approved (own only) and for
/// auditors (any). Note: EHR clients never see the raw assertion: it proves activation to an auditor or a court, and the
/// client needs nothing from it to use the signed result (the request's status says it was approved).
/// </summary>
public sealed class ApprovalQueries(SignatureServiceDbContext db, TimeProvider time)
{
    /// <summary>The transaction, or null when it does not exist or (for a signer) is not theirs.</summary>
    public async Task<ApprovalView?> FindAsync(Guid approvalId, Guid callerId, bool isAuditor, CancellationToken cancellationToken)
    {
        var approval = await db.ApprovalTransactions.AsNoTracking().Include(a => a.Documents)
            .SingleOrDefaultAsync(a => a.Id == approvalId && (isAuditor || a.SignerUserId == callerId), cancellationToken);
        return approval is null ? null : await ViewAsync(approval, cancellationToken);
    }

    /// <summary>The transaction that approved request <paramref name="requestId"/>, or null (none yet, or not the signer's).</summary>
    public async Task<ApprovalView?> FindByRequestAsync(Guid requestId, Guid callerId, bool isAuditor, CancellationToken cancellationToken)
    {
        var approvalId = await db.SignatureRequests.AsNoTracking()
            .Where(r => r.Id == requestId && (isAuditor || r.SignerUserId == callerId))
            .Select(r => r.ApprovalId).SingleOrDefaultAsync(cancellationToken);
        return approvalId is null ? null : await FindAsync(approvalId.Value, callerId, isAuditor, cancellationToken);
    }

    private async Task<ApprovalView> ViewAsync(ApprovalTransactionRecord a, CancellationToken cancellationToken)
    {
        var documentIds = a.Documents.Select(d => d.DocumentId).ToArray();
        var facts = await db.SignatureRequestDocuments.AsNoTracking().Where(d => documentIds.Contains(d.Id))
            .Select(d => new { d.Id, d.DocumentId, d.Summary }).ToDictionaryAsync(d => d.Id, cancellationToken);
        var status = a.ConsumedAt is not null ? "approved" : a.ExpiresAt <= time.GetUtcNow() ? "expired" : "pending";
        var evidence = a.ConsumedAt is null ? null : new ActivationEvidenceView(
            Base64Url.EncodeToString(a.CredentialId), a.Aaguid!.Value, Base64Url.EncodeToString(a.AuthenticatorData),
            Base64Url.EncodeToString(a.ClientDataJson), Base64Url.EncodeToString(a.Signature),
            a.UserHandle is null ? null : Base64Url.EncodeToString(a.UserHandle), a.SignCount!.Value);
        return new ApprovalView(a.Id, a.SignerUserId, status, a.CreatedAt, a.ExpiresAt, a.ConsumedAt,
            Base64Url.EncodeToString(a.Encoding), Base64Url.EncodeToString(a.Challenge),
            [.. a.Documents.OrderBy(d => d.RequestId).ThenBy(d => d.Ordinal).Select(d => new ApprovalDocumentView(
                d.RequestId, d.Ordinal, d.DocumentType, facts[d.DocumentId].DocumentId, facts[d.DocumentId].Summary, Convert.ToHexStringLower(d.Sha256)))],
            evidence);
    }
}
