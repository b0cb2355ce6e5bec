using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Features.SignatureRequests;
using SignatureService.Core.Documents;
using SignatureService.Core.Errors;
using SignatureService.Core.Signing;
using SignatureService.Data;
using SignatureService.Data.Approvals;
using SignatureService.Data.Audit;
using SignatureService.Data.Identity;
using SignatureService.Data.Signing;
using SignatureService.WebAuthn.Authentication;

namespace SignatureService.Api.Features.Approvals;

/// <summary>
/// Step one of signature activation: checks the signer's pending requests, stores an approval transaction (the Signature
/// Activation Data) and returns WebAuthn request options whose challenge is SHA-256 of the transaction's canonical encoding.
/// </summary>
public sealed class IssueApprovalTransaction(
    SignatureServiceDbContext db,
    SignerQualification qualification,
    RelyingParty relyingParty,
    AuditTrail audit,
    IOptions<ApprovalOptions> options,
    TimeProvider time)
{
    /// <summary>Most requests, and most documents, one approval covers (inclusive).</summary>
    public const int MaxDocuments = 100;

    /// <summary>Largest body of <c>POST /v1/approvals</c>: 100 ids with room to spare.</summary>
    public const int MaxBodyBytes = 8 * 1024;

    /// <summary>Issues a transaction for <paramref name="requestIds"/> of signer <paramref name="signerId"/>.</summary>
    /// <exception cref="ServiceException">approval.batch-too-large, approval.request-unknown, approval.request-not-pending,
    /// signing.signer-without-valid-certificate, signing.signer-not-qualified, request.validation-failed.</exception>
    public async Task<ApprovalOptionsResponse> IssueAsync(Guid signerId, IReadOnlyList<Guid>? requestIds, CancellationToken cancellationToken)
    {
        if (requestIds is null || requestIds.Count is 0 or > MaxDocuments)
        {
            throw new ServiceException(ErrorCatalogue.ApprovalBatchTooLarge, $"requestIds: 1–{MaxDocuments} request ids.");
        }

        if (requestIds.Distinct().Count() != requestIds.Count)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "requestIds: each id at most once.",
                new Dictionary<string, string[]> { ["requestIds"] = ["Duplicate ids."] });
        }

        var ids = requestIds.ToArray();
        await using var connection = await HeldConnection.OpenAsync(db.Database, cancellationToken);
        // Note: the requests and what the transaction and the summary need of each of their documents (not its bytes, up to
        //       100 × 1 MiB) in one query. Every request is stored with its documents (one to 100) in one transaction, so the
        //       requests found are those the rows name.
        var now = time.GetUtcNow();
        var documents = await (
                from r in db.SignatureRequests.AsNoTracking()
                where ids.Contains(r.Id) && r.SignerUserId == signerId
                join d in db.SignatureRequestDocuments.AsNoTracking() on r.Id equals d.RequestId
                select new DocumentHead(d.RequestId, d.Ordinal, d.DocumentType, d.DocumentId, d.Summary, d.Id, d.Sha256, r.Status, r.ExpiresAt))
            .ToListAsync(cancellationToken);
        var found = documents.Select(d => d.RequestId).ToHashSet();
        if (found.Count != ids.Length)
        {
            throw new ServiceException(ErrorCatalogue.ApprovalRequestUnknown,
                $"Not your request: {string.Join(", ", ids.Where(id => !found.Contains(id)))}.");
        }

        if (documents.FirstOrDefault(d => d.Status != SignatureRequestStatus.PendingApproval || d.ExpiresAt <= now) is { } notPending)
        {
            throw new ServiceException(ErrorCatalogue.ApprovalRequestNotPending,
                $"Request {notPending.RequestId} is {(notPending.Status == SignatureRequestStatus.PendingApproval ? "expired" : notPending.Status)}.");
        }

        documents = [.. documents.OrderBy(d => d.RequestId).ThenBy(d => d.Ordinal)];
        var documentCount = documents.Count;
        if (documentCount > MaxDocuments)
        {
            throw new ServiceException(ErrorCatalogue.ApprovalBatchTooLarge, $"The requests hold {documentCount} documents; at most {MaxDocuments}.");
        }

        // Note: checked here so the signer is not asked to touch the key for something that cannot succeed; checked again at the assertion.
        await qualification.RequireQualifiedAsync(signerId, TypesOf(documents.Select(d => d.DocumentType)), cancellationToken);

        var credentials = await db.WebAuthnCredentials.AsNoTracking()
            .Where(c => c.UserId == signerId && c.Status == CredentialStatus.Active)
            .OrderBy(c => c.CreatedAt).Select(c => c.CredentialId).Take(64).ToListAsync(cancellationToken);
        if (credentials.Count == 0)
        {
            throw new ServiceException(ErrorCatalogue.CredentialNotUsable, "The signer has no active security key.");
        }

        // Note: millisecond precision, so the expiry in the encoding and in the database (microseconds) are the same instant.
        var createdAt = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        var record = new ApprovalTransactionRecord
        {
            Id = Guid.CreateVersion7(),
            SignerUserId = signerId,
            Nonce = RandomNumberGenerator.GetBytes(32),
            Encoding = [],
            Challenge = [],
            AllowedCredentialIds = [.. credentials],
            DocumentCount = documentCount,
            CreatedAt = createdAt,
            ExpiresAt = createdAt + options.Value.TransactionLifetime,
        };
        foreach (var document in documents)
        {
            record.Documents.Add(new ApprovalTransactionDocumentRecord
            {
                ApprovalId = record.Id,
                DocumentId = document.Id,
                RequestId = document.RequestId,
                Ordinal = document.Ordinal,
                DocumentType = document.DocumentType,
                Sha256 = document.Sha256,
            });
        }

        record.Encoding = ActivationDataOf(record).Encode();
        record.Challenge = SHA256.HashData(record.Encoding);
        // Note: the document rows are written by one INSERT of their own (ApprovalTransactionStore), not through the change tracker.
        var rows = record.Documents.ToList();
        record.Documents.Clear();
        audit.Record(db, new AuditActor("signer", signerId.ToString()), "approval.issued", "approval", record.Id.ToString(),
            new { requests = ids, documents = documentCount, expiresAt = record.ExpiresAt, challenge = Convert.ToHexStringLower(record.Challenge) });
        await ApprovalTransactionStore.AddAsync(db, record, rows, cancellationToken);

        var publicKey = PublicKeyCredentialRequestOptionsJson.Create(relyingParty.Options, record.Challenge,
            options.Value.TransactionLifetime, credentials.Select(c => (ReadOnlyMemory<byte>)c));
        return new ApprovalOptionsResponse(record.Id, record.ExpiresAt, publicKey, Base64Url.EncodeToString(record.Encoding),
            Summarize(found.Count, documents));
    }

    /// <summary>The Signature Activation Data of a stored transaction, rebuilt from its columns.</summary>
    internal static SignatureActivationData ActivationDataOf(ApprovalTransactionRecord record) => new(
        record.Id,
        record.SignerUserId,
        record.Nonce,
        record.ExpiresAt,
        [.. record.AllowedCredentialIds.Select(c => (ReadOnlyMemory<byte>)c)],
        [.. record.Documents.Select(d => new ActivationDocument(d.RequestId, d.Ordinal, d.DocumentType, d.Sha256))]);

    internal static DocumentType[] TypesOf(IEnumerable<string> wireTypes) =>
        [.. wireTypes.Distinct(StringComparer.Ordinal).Select(t => DocumentTypeNames.TryParse(t, out var type)
            ? type : throw new InvalidOperationException($"Unknown stored document type '{t}'."))];

    private static ApprovalSummary Summarize(int requestCount, List<DocumentHead> heads)
    {
        var documents = heads
            .Select(d => new ApprovalDocumentView(d.RequestId, d.Ordinal, d.DocumentType, d.DocumentId, d.Summary, Convert.ToHexStringLower(d.Sha256)))
            .ToList();
        var byType = documents.GroupBy(d => d.Type, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ApprovalTypeCount(g.Key, g.Count())).ToList();
        return new ApprovalSummary(documents.Count, requestCount, byType, documents);
    }

    private sealed record DocumentHead(
        Guid RequestId, int Ordinal, string DocumentType, string DocumentId, string Summary, Guid Id, byte[] Sha256, string Status, DateTimeOffset ExpiresAt);
}
