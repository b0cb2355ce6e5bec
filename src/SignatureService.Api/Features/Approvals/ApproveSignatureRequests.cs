using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Features.SignatureRequests;
using SignatureService.Api.Features.Signing;
using SignatureService.Core.Errors;
using SignatureService.Core.Signing;
using SignatureService.Data;
using SignatureService.Data.Approvals;
using SignatureService.Data.Audit;
using SignatureService.Data.Identity;
using SignatureService.WebAuthn.Authentication;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.Api.Features.Approvals;

/// <summary>
/// Step two of signature activation: the signer's WebAuthn assertion over the Signature Activation Data. Checks, in order:
/// the transaction is the caller's, unused and unexpired; the key is one the transaction allows, still active and the
/// signer's own; the stored encoding equals the one recomputed from the stored columns; the assertion verifies (W3C WebAuthn
/// L3 §7.2 with the AAL3 policy: UV=1, no synced keys, counter increasing). Then, in ONE database transaction: consumes the
/// transaction (conditional UPDATE), stores the assertion as evidence, moves the counter, re-checks every document's SHA-256
/// and the signer's qualification now, moves each request to <c>approved</c> (row version: a concurrent approval of the same
/// request loses with 409) and writes the audit events. Then wakes the signing worker. A refusal writes nothing but its audit event.
/// </summary>
public sealed partial class ApproveSignatureRequests(
    SignatureServiceDbContext db,
    SignerQualification qualification,
    SignatureRequestWorkflows workflows,
    RelyingParty relyingParty,
    SigningSignal signingSignal,
    AuditTrail audit,
    TimeProvider time,
    ILogger<ApproveSignatureRequests> logger)
{
    /// <summary>Largest body of the assertion call.</summary>
    public const int MaxBodyBytes = 32 * 1024;

    /// <summary>Approves the requests of transaction <paramref name="approvalId"/> with the signer's assertion.</summary>
    /// <exception cref="ServiceException">resource.not-found, approval.consumed, approval.expired, approval.credential-not-allowed,
    /// webauthn.*, approval.document-changed, approval.request-not-pending, signing.signer-without-valid-certificate,
    /// signing.signer-not-qualified.</exception>
    public async Task<ApprovalResult> ApproveAsync(Guid signerId, Guid approvalId, AssertionCredentialJson credential, CancellationToken cancellationToken)
    {
        var actor = new AuditActor("signer", signerId.ToString());
        await using var connection = await HeldConnection.OpenAsync(db.Database, cancellationToken);
        try
        {
            return await ApproveCoreAsync(signerId, approvalId, credential, actor, cancellationToken);
        }
        catch (ServiceException ex) when (ex.Error != ErrorCatalogue.NotFound)
        {
            // Note: the refusal is audited on its own, after everything the attempt staged was rolled back.
            db.ChangeTracker.Clear();
            audit.Record(db, actor, "approval.refused", "approval", approvalId.ToString(), new { code = ex.Error.Code }, success: false);
            await db.SaveChangesAsync(CancellationToken.None);
            LogRefused(logger, approvalId, ex.Error.Code);
            throw;
        }
    }

    private async Task<ApprovalResult> ApproveCoreAsync(
        Guid signerId, Guid approvalId, AssertionCredentialJson credential, AuditActor actor, CancellationToken cancellationToken)
    {
        var assertion = IdentityCeremonies.DecodeAssertion(credential);
        var approval = await db.ApprovalTransactions.AsNoTracking().Include(a => a.Documents)
                           .SingleOrDefaultAsync(a => a.Id == approvalId && a.SignerUserId == signerId, cancellationToken)
                       ?? throw new ServiceException(ErrorCatalogue.NotFound, "No such approval of yours.");

        // 1. Unused and unexpired (checked before the signature, so a replay never reaches the counter check and suspends the key).
        var now = time.GetUtcNow();
        ThrowIfUnusable(approval, now);

        // 2. The key: listed in the transaction, still active, the signer's own.
        if (!approval.AllowedCredentialIds.Any(id => id.AsSpan().SequenceEqual(assertion.CredentialId)))
        {
            throw new ServiceException(ErrorCatalogue.ApprovalCredentialNotAllowed, "The key is not one this approval allows.");
        }

        var key = await db.WebAuthnCredentials.AsNoTracking().SingleOrDefaultAsync(c => c.CredentialId == assertion.CredentialId, cancellationToken);
        if (key is null || key.UserId != signerId || key.Status != CredentialStatus.Active)
        {
            throw new ServiceException(ErrorCatalogue.ApprovalCredentialNotAllowed, "The key is no longer active.");
        }

        // 3. The SAD recomputed from stored state must be the stored encoding; the challenge is its hash.
        var encoding = IssueApprovalTransaction.ActivationDataOf(approval).Encode();
        if (!CryptographicOperations.FixedTimeEquals(encoding, approval.Encoding) ||
            !CryptographicOperations.FixedTimeEquals(SHA256.HashData(encoding), approval.Challenge))
        {
            throw new InvalidOperationException($"Approval {approval.Id}: the stored encoding does not match its columns.");
        }

        // 4. The assertion (W3C WebAuthn L3 §7.2, AAL3 policy).
        AssertionResult verified;
        try
        {
            verified = new AssertionVerifier(relyingParty.Options).Verify(
                new AssertionRequest(assertion.CredentialId, assertion.ClientDataJson, assertion.AuthenticatorData, assertion.Signature,
                    assertion.UserHandle, approval.Challenge, UserIdentifiedBeforehand: true),
                new StoredCredential(key.CredentialId, key.PublicKey, (uint)key.SignCount, IdentityCeremonies.UserHandle(signerId), key.BackupEligible));
        }
        catch (WebAuthnException ex) when (ex.Code == WebAuthnErrorCodes.SignCountRegressed)
        {
            await SuspendForCounterAsync(key, actor, cancellationToken);
            throw new ServiceException(ErrorCatalogue.WebAuthnSignCountRegressed);
        }
        catch (WebAuthnException ex)
        {
            throw new ServiceException(IdentityCeremonies.Map(ex), ex.Message);
        }

        // 5. One database transaction for every state change and its audit events. Note: a failure anywhere in it abandons the
        //    whole transaction, so EF Core's savepoint around SaveChanges (two more round trips) would buy nothing.
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        now = time.GetUtcNow();
        // Note: both conditional UPDATEs in one round trip (ApprovalConsumption); either refused rolls the transaction back.
        var (consumed, counted) = await ApprovalConsumption.ConsumeAsync(db, new ApprovalAssertion(
            approval.Id, now, key.Id, assertion.CredentialId, key.Aaguid, assertion.AuthenticatorData, assertion.ClientDataJson,
            assertion.Signature, assertion.UserHandle.Length == 0 ? null : assertion.UserHandle, verified.SignCount, key.SignCount), cancellationToken);
        if (!consumed)
        {
            ThrowIfUnusable(await db.ApprovalTransactions.AsNoTracking().SingleAsync(a => a.Id == approval.Id, cancellationToken), now);
            throw new ServiceException(ErrorCatalogue.ApprovalConsumed);
        }

        // Note: conditional on the counter just verified against, so two assertions of one key cannot both move it.
        if (!counted)
        {
            throw new ServiceException(ErrorCatalogue.StateConflict, "The security key was used concurrently; approve again.");
        }

        // 6. Every document unchanged since the options were issued, every request still pending and unexpired.
        var requestIds = approval.Documents.Select(d => d.RequestId).Distinct().ToArray();
        // Note: the requests are tracked (they change state here); their documents are only read, so they are projected, not
        // tracked: tracking snapshots every document's bytes and SaveChanges compares them all again (a third of this call at
        // 100 documents). Only the columns the check needs are read: not the display JSON, which EF Core would parse into a
        // JsonDocument per row. Both in one query (one round trip): EF Core gives every row of a request the same tracked
        // instance, and every request is stored with its documents (one to 100) in one transaction.
        var rows = await (
                from r in db.SignatureRequests
                where requestIds.Contains(r.Id)
                join d in db.SignatureRequestDocuments on r.Id equals d.RequestId
                select new { Request = r, Document = new CurrentDocument(d.Id, d.DocumentType, d.Sha256, d.Content) })
            .ToListAsync(cancellationToken);
        var requests = rows.Select(row => row.Request).Distinct().ToList();
        var current = rows.ToDictionary(row => row.Document.Id, row => row.Document);
        foreach (var approved in approval.Documents)
        {
            if (!current.TryGetValue(approved.DocumentId, out var document) ||
                !CryptographicOperations.FixedTimeEquals(document.Sha256, approved.Sha256) ||
                !CryptographicOperations.FixedTimeEquals(SHA256.HashData(document.Content), approved.Sha256) ||
                document.DocumentType != approved.DocumentType)
            {
                throw new ServiceException(ErrorCatalogue.ApprovalDocumentChanged,
                    $"Document {approved.Ordinal} of request {approved.RequestId} changed after the approval was issued.");
            }
        }

        if (requests.Count != requestIds.Length ||
            requests.FirstOrDefault(r => r.SignerUserId != signerId || r.Status != SignatureRequestStatus.PendingApproval || r.ExpiresAt <= now) is not null)
        {
            throw new ServiceException(ErrorCatalogue.ApprovalRequestNotPending, "A request is no longer pending approval.");
        }

        // 7. The signer's qualification now: valid signing certificate (in date, not revoked or suspended), hcRole per document type.
        await qualification.RequireQualifiedAsync(signerId, IssueApprovalTransaction.TypesOf(approval.Documents.Select(d => d.DocumentType)), cancellationToken);

        // 8. Approve; the row version refuses a request another approval moved meanwhile.
        foreach (var request in requests)
        {
            workflows.Transition(request, SignatureRequestStatus.Approved);
            request.ApprovalId = approval.Id;
            audit.Record(db, actor, "signature-request.approved", "signature-request", request.Id.ToString(),
                new { approval = approval.Id, documents = request.DocumentCount });
        }

        audit.Record(db, actor, "approval.approved", "approval", approval.Id.ToString(), new
        {
            requests = requestIds,
            documents = approval.DocumentCount,
            credential = key.Id,
            aaguid = key.Aaguid,
            signCount = verified.SignCount,
            challenge = Convert.ToHexStringLower(approval.Challenge),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ServiceException(ErrorCatalogue.ApprovalRequestNotPending, "Another approval of the same request won.");
        }

        await transaction.CommitAsync(cancellationToken);
        signingSignal.Notify();
        LogApproved(logger, approval.Id, requestIds.Length, approval.DocumentCount);
        return new ApprovalResult(approval.Id, now, requestIds, approval.DocumentCount);
    }

    /// <summary>A document of an approved request as it is stored now.</summary>
    private sealed record CurrentDocument(Guid Id, string DocumentType, byte[] Sha256, byte[] Content);

    private static void ThrowIfUnusable(ApprovalTransactionRecord approval, DateTimeOffset now)
    {
        if (approval.ConsumedAt is not null)
        {
            throw new ServiceException(ErrorCatalogue.ApprovalConsumed);
        }

        if (approval.ExpiresAt <= now)
        {
            throw new ServiceException(ErrorCatalogue.ApprovalExpired);
        }
    }

    private async Task SuspendForCounterAsync(WebAuthnCredentialRecord key, AuditActor actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.WebAuthnCredentials.Where(c => c.Id == key.Id && c.Status == CredentialStatus.Active)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CredentialStatus.Suspended).SetProperty(c => c.StatusChangedAt, now), cancellationToken);
        await db.UserSessions.Where(s => s.CredentialId == key.Id && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndReason, "credential-suspended"), cancellationToken);
        audit.Record(db, actor, "identity.key-suspended", "webauthn-credential", key.Id.ToString(),
            new { user = key.UserId, reason = ErrorCatalogue.WebAuthnSignCountRegressed.Code, storedSignCount = key.SignCount }, success: false);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "Approval {ApprovalId} approved {Requests} request(s), {Documents} document(s)")]
    private static partial void LogApproved(ILogger logger, Guid approvalId, int requests, int documents);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Warning, Message = "Approval {ApprovalId} refused: {Code}")]
    private static partial void LogRefused(ILogger logger, Guid approvalId, string code);

}
