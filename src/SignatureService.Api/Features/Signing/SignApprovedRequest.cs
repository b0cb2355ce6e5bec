using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Hsm;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Features.SignatureRequests;
using SignatureService.Api.Features.Telemetry;
using SignatureService.Api.Hosting;
using SignatureService.Core.Documents;
using SignatureService.Core.Signing;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Pki;
using SignatureService.Data.Signing;
using SignatureService.Hsm;
using SignatureService.Pki.Errors;
using SignatureService.Pki.Timestamping;
using SignatureService.Pki.XAdES;
using SignatureService.Pki.XAdES.Cades;

namespace SignatureService.Api.Features.Signing;

/// <summary>
/// Signs the documents of an approved request with the signer's own key in the HSM, in the national XAdES profile at the
/// request's level: ES-T (SignatureTimeStamp from the service's TSA), ES-XL or ES-A (see <see cref="SignatureLevels"/>). Persisted step by step: the request moves approved → signing, each document's
/// signed bytes are stored as soon as they exist, then signing → signed. A crash resumes where it stopped (documents already
/// stored are never signed again) and never loses the request. Concurrent workers are kept apart by the request's row version.
/// </summary>
public sealed class SignApprovedRequest(
    SignatureServiceDbContext db,
    SignatureRequestWorkflows workflows,
    CertificateAuthorities authorities,
    SigningKeys signingKeys,
    SignerCertificates signerCertificates,
    XadesSigner xades,
    CollectValidationMaterial validationMaterial,
    AuditTrail audit,
    IOptions<SigningOptions> options,
    ServiceMetrics metrics,
    SignatureTimestamps signatureTimestamps,
    TimeProvider time)
{
    /// <summary>How long a request may stay in <c>signing</c> without progress before another worker resumes it.</summary>
    public static readonly TimeSpan SigningLease = TimeSpan.FromMinutes(2);

    /// <summary>Signs request <paramref name="requestId"/> if it is approved (or a stale signing); false when there was nothing to do.</summary>
    /// <param name="requestId">The request.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <param name="resumeOwnClaim">The caller claimed this request earlier and its round failed (the database or the HSM went
    /// away): resume without waiting out the lease. Another worker that took the request over meanwhile still wins by row version.</param>
    /// <param name="claimed">Told the request id once the claim is committed.</param>
    /// <param name="polled">The request's row as the caller read it just before (untracked, without documents) with its row
    /// version, or null to read it here. The version goes into the claim, so a row changed since then is not claimed (false,
    /// as if another worker had won) and is seen afresh by the next round.</param>
    public async Task<bool> SignAsync(
        Guid requestId, CancellationToken cancellationToken, bool resumeOwnClaim = false, Action<Guid>? claimed = null, PolledRequest? polled = null)
    {
        // Note: the request alone is tracked; its documents are read after the claim without tracking (they are stored by
        // SignedDocumentStore), so no SaveChanges here scans a batch of documents and their contents.
        await using var connection = await HeldConnection.OpenAsync(db.Database, cancellationToken);
        SignatureRequestRecord? request;
        if (polled is not null && polled.Request.Id == requestId && polled.Request.Documents.Count == 0)
        {
            // Note: the worker's poll already read the row; reading it again cost a round trip per request. The row version
            //       is a shadow property (xmin), so it is set on the attached entry from what the poll read.
            request = polled.Request;
            var version = db.SignatureRequests.Attach(request).Property<uint>(SignatureRequestRecord.VersionProperty);
            version.OriginalValue = version.CurrentValue = polled.Version;
        }
        else
        {
            request = await db.SignatureRequests.SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        }

        var now = time.GetUtcNow();
        if (request is null ||
            !(request.Status == SignatureRequestStatus.Approved ||
              (request.Status == SignatureRequestStatus.Signing && (resumeOwnClaim || request.UpdatedAt + SigningLease <= now))))
        {
            return false;
        }

        // 1. Claim the request (approved → signing, or take over a stale signing); the row version keeps others out.
        if (request.Status == SignatureRequestStatus.Approved)
        {
            workflows.Transition(request, SignatureRequestStatus.Signing);
        }
        else
        {
            request.UpdatedAt = now;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }

        claimed?.Invoke(request.Id);
        byte[]? keyId = null;
        try
        {
            // Note: each document with the digest its signer approved (null when no consumed approval of this signer covers it):
            //       the activation evidence below, read in the same query. Only the columns signing needs: not the display
            //       JSON (parsed into a JsonDocument per row) nor the signed bytes of documents already stored.
            var approvalId = request.ApprovalId;
            var documents = await db.SignatureRequestDocuments.AsNoTracking()
                .Where(d => d.RequestId == request.Id).OrderBy(d => d.Ordinal)
                .Select(d => new DocumentToSign(
                    d.Id, d.Ordinal, d.DocumentType, d.Content, d.Sha256, d.SignedContent != null,
                    db.ApprovalTransactionDocuments
                        .Where(a => a.ApprovalId == approvalId && a.DocumentId == d.Id && a.RequestId == d.RequestId &&
                                    db.ApprovalTransactions.Any(t => t.Id == approvalId && t.SignerUserId == request.SignerUserId && t.ConsumedAt != null))
                        .Select(a => a.Sha256)
                        .FirstOrDefault()))
                .ToListAsync(cancellationToken);

            // 2. The signer's valid signing certificate and its key in the HSM (the key's CKA_ID in the same query).
            var signing = await db.Certificates.AsNoTracking()
                .Where(c => c.UserId == request.SignerUserId && c.Kind == CertificateKinds.Signer && c.Status == CertificateStatuses.Good &&
                            c.NotBefore <= now && c.NotAfter > now && c.KeyId != null)
                .OrderByDescending(c => c.NotAfter)
                .Select(c => new { Certificate = c, CkId = db.HsmKeys.Where(k => k.Id == c.KeyId).Select(k => k.CkId).FirstOrDefault() })
                .FirstOrDefaultAsync(cancellationToken);
            if (signing is null)
            {
                workflows.Transition(request, SignatureRequestStatus.Failed, "The signer holds no valid signing certificate any more.");
                audit.Record(db, AuditActor.System, "signature-request.failed", "signature-request", request.Id.ToString(), new { reason = "no-valid-certificate" });
                await db.SaveChangesAsync(cancellationToken);
                return true;
            }

            // 2b. Activation evidence: a consumed approval transaction of this signer covering every document with its current digest.
            //     Note: the status column alone is not trusted as the door to the HSM; a row flipped to approved without an approval fails here.
            if (!HasActivationEvidence(approvalId, documents))
            {
                workflows.Transition(request, SignatureRequestStatus.Failed, "No signer approval covers the documents as they are now.");
                audit.Record(db, AuditActor.System, "signature-request.failed", "signature-request", request.Id.ToString(), new { reason = "no-activation-evidence" });
                await db.SaveChangesAsync(cancellationToken);
                return true;
            }

            var certificate = signing.Certificate;
            keyId = signing.CkId ?? throw new InvalidOperationException($"The key record of certificate {certificate.Id} is missing.");
            var key = signingKeys.Find(keyId)
                      ?? throw new InvalidOperationException($"The signing key of certificate {certificate.Id} is missing from the HSM.");
            var signerCertificate = signerCertificates.Get(certificate.Id, certificate.Der);
            using var rsa = key.AsRsa();
            var hierarchy = await authorities.RequireAsync(cancellationToken);
            var timestamps = new TimestampSource(await signatureTimestamps.AuthorityAsync(cancellationToken));
            var upgrader = new XadesUpgrader(timestamps);
            var level = request.SignatureLevel;
            var pending = documents.Where(d => !d.Signed).ToList();
            var material = options.Value.SignatureTimestamp && level != SignatureLevels.EsT && pending.Any(d => d.DocumentType != DocumentTypeNames.Attachment)
                ? await validationMaterial.ForAsync(signerCertificate, cancellationToken)
                : null;

            // 3. Each document not yet signed: one HSM signature (and a time-stamp), stored with its audit event.
            async Task<SignedDocument> SignOneAsync(DocumentToSign document, CancellationToken token)
            {
                if (document.DocumentType == DocumentTypeNames.Attachment)
                {
                    // Note: attachments are opaque bytes: a detached CAdES B-T signature (with the issuing CA) whatever XAdES level was asked.
                    var issuers = hierarchy.Authorities.Values.Select(a => a.Certificate)
                        .Where(c => c.SubjectName.RawData.AsSpan().SequenceEqual(signerCertificate.IssuerName.RawData));
                    return new SignedDocument(document, await new CadesSigner(time, timestamps).SignAsync(
                        document.Content, detached: true, rsa, signerCertificate, issuers, withTimestamp: true, token), SignatureLevels.CadesBT);
                }

                var profile = XadesDocumentProfile.For(XadesTypeOf(document.DocumentType));
                var bes = xades.Sign(document.Content, profile.DocumentType, rsa, signerCertificate);
                if (!options.Value.SignatureTimestamp)
                {
                    // Note: benchmarks only (refused in Production): XAdES-BES, one HSM operation per document.
                    return new SignedDocument(document, bes, "ES-B");
                }

                var signed = await upgrader.AddSignatureTimestampAsync(bes, profile.SignatureId, token);
                if (level != SignatureLevels.EsT)
                {
                    signed = await upgrader.UpgradeAsync(signed, profile.SignatureId, SignatureLevels.ToXades(level), material!, token);
                }

                return new SignedDocument(document, signed, level);
            }

            var actor = new AuditActor("signer", request.SignerUserId.ToString());
            var serial = Convert.ToHexString(certificate.SerialNumber);
            var unstored = pending.Count;
            await SignAndStoreAsync(pending, SignOneAsync, async group =>
            {
                // Note: signatures that exist are stored even when the service is stopping: a group is a few statements,
                // and cancelling it midway threw the HSM's work away (signed again after the restart) and left the commit's
                // outcome unknown to this process (logged as an EF Core transaction error at shutdown). The signing threads
                // still stop at cancellation, so no new signature starts.
                var storing = CancellationToken.None;
                var signedAt = time.GetUtcNow();
                var rows = group.Select(g => new SignedDocumentRow(g.Document.Id, g.Content, g.Level, signedAt)).ToList();
                var events = group.Select(g => audit.Create(actor, "document.signed", "signature-request", request.Id.ToString(),
                    new { ordinal = g.Document.Ordinal, sha256 = Convert.ToHexStringLower(g.Document.Sha256), certificate = serial, level = g.Level })).ToList();
                unstored -= group.Count;
                if (unstored > 0)
                {
                    await StoreSignedAsync(request, rows, events, signedAt, storing);
                }
                else
                {
                    // Note: the last group and the request's move to signed commit together, and in the same batch: the
                    // request's UPDATE sets its status and the signed event joins the documents' events. SaveChanges runs
                    // only for what the transition staged besides (the EHR callback, when the request has one).
                    // A failure abandons the whole transaction, so EF Core's savepoint around SaveChanges would buy nothing.
                    db.Database.AutoSavepointsEnabled = false;
                    await using var transaction = await db.Database.BeginTransactionAsync(storing);
                    workflows.Transition(request, SignatureRequestStatus.Signed);
                    events.Add(SignedEvent(request));
                    await StoreSignedAsync(request, rows, events, signedAt, storing, SignatureRequestStatus.Signed);
                    if (db.ChangeTracker.HasChanges())
                    {
                        await db.SaveChangesAsync(storing);
                    }

                    await transaction.CommitAsync(storing);
                }

                foreach (var signedDocument in group)
                {
                    metrics.SignatureCreated(signedDocument.Document.DocumentType);
                }
            }, cancellationToken);
        }
        catch (Exception ex) when (IsDependencyOutage(ex) && !cancellationToken.IsCancellationRequested)
        {
            if (keyId is not null && ex.Contains(e => e is HsmException { Code: HsmErrorCode.KeyNotFound }))
            {
                // Note: the cached key was destroyed behind the cache; the next round looks for it again (and finds it missing).
                signingKeys.Forget(keyId);
            }

            // Note: the HSM or the TSA is away. Give the claim back at once (as if its lease had run out) so the next round, on
            // any replica, resumes the request as soon as they answer again instead of waiting out the lease.
            request.UpdatedAt = time.GetUtcNow() - SigningLease;
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }

        // 4. Done (already, when the last document was stored here; not when a resumed request had none left to sign).
        if (request.Status != SignatureRequestStatus.Signed)
        {
            MarkSigned(request);
            await db.SaveChangesAsync(cancellationToken);
        }

        return true;
    }

    /// <summary>A request row as the signing worker's poll read it, with its row version (xmin).</summary>
    /// <param name="Request">The row, untracked and without documents.</param>
    /// <param name="Version">Its row version when read.</param>
    public sealed record PolledRequest(SignatureRequestRecord Request, uint Version);

    private void MarkSigned(SignatureRequestRecord request)
    {
        workflows.Transition(request, SignatureRequestStatus.Signed);
        db.AuditEvents.Add(SignedEvent(request));
    }

    private AuditEventRecord SignedEvent(SignatureRequestRecord request) =>
        audit.Create(AuditActor.System, "signature-request.signed", "signature-request", request.Id.ToString(), new { documents = request.DocumentCount });

    /// <summary>
    /// Signs <paramref name="pending"/> on up to <see cref="SigningOptions.Parallelism"/> threads of their own (see
    /// <see cref="StartSigningThread"/>; each HSM operation on its own pooled session, so one thread's XML and time-stamp work
    /// overlaps another's HSM signature) while this caller commits what is done, in order of completion: each commit stores
    /// <see cref="MaxUnstored"/> documents (the last one what remains) with their audit events (<paramref name="store"/>, one
    /// transaction), and the signing threads go on meanwhile. At most twice <see cref="MaxUnstored"/> signed documents wait
    /// for their commit (a group being committed and a full queue behind it), so a crash loses (and the resumed request signs
    /// again) no more than those plus the ones in the HSM; a stored document is never signed again. The first failure stops
    /// the other threads; what finished before it is still stored, then the failure is rethrown.
    /// </summary>
    private async Task SignAndStoreAsync(
        List<DocumentToSign> pending,
        Func<DocumentToSign, CancellationToken, Task<SignedDocument>> sign,
        Func<IReadOnlyList<SignedDocument>, Task> store,
        CancellationToken cancellationToken)
    {
        var done = Channel.CreateBounded<SignedDocument>(new BoundedChannelOptions(MaxUnstored) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var next = -1;
        Exception? failure = null;
        var threads = Enumerable.Range(0, Math.Clamp(options.Value.Parallelism, 1, Math.Max(1, pending.Count))).Select(_ => StartSigningThread(() =>
        {
            try
            {
                for (var i = Interlocked.Increment(ref next); i < pending.Count && !stop.IsCancellationRequested; i = Interlocked.Increment(ref next))
                {
                    // Note: blocking on purpose; this is a dedicated thread (see StartSigningThread).
                    var signed = sign(pending[i], stop.Token).GetAwaiter().GetResult();
                    done.Writer.WriteAsync(signed, stop.Token).AsTask().GetAwaiter().GetResult();
                }
            }
            catch (Exception ex)
            {
                // Note: the first real failure wins; the others' cancellations that it caused are not failures of their own.
                if (!(ex is OperationCanceledException && stop.IsCancellationRequested))
                {
                    Interlocked.CompareExchange(ref failure, ex, null);
                }

                stop.Cancel();
            }
        })).ToArray();
        _ = Task.WhenAll(threads).ContinueWith(_ => done.Writer.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        try
        {
            // Note: a group is committed when it is full or nothing more will come. Committing whatever was done made groups
            //       of three or four (a commit takes about as long as two or three signatures): the statement log counted 2.9
            //       commit groups per ten-document request, each a transaction and a WAL flush. With groups of 16, a request
            //       of up to 16 documents commits once, together with its move to signed.
            var group = new List<SignedDocument>();
            while (true)
            {
                while (group.Count < MaxUnstored)
                {
                    if (done.Reader.TryRead(out var signed))
                    {
                        group.Add(signed);
                    }
                    else if (!await done.Reader.WaitToReadAsync(CancellationToken.None))
                    {
                        break;
                    }
                }

                if (group.Count == 0)
                {
                    break;
                }

                await store(group);
                group.Clear();
            }
        }
        catch
        {
            await stop.CancelAsync();
            await Task.WhenAll(threads);
            throw;
        }

        await Task.WhenAll(threads);
        cancellationToken.ThrowIfCancellationRequested();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a thread of its own. HSM calls block in native code for the length of an RSA signature
    /// and the XAdES work around them is CPU-bound: on thread-pool threads such loops held every worker the pool had (as many
    /// as processors), so the commits, the database's replies and the HTTP calls queued behind them, and the measured commit
    /// of 8 documents took 6–10 ms of which PostgreSQL spent about 1. On their own threads the pool stays free for the rest.
    /// </summary>
    private static Task StartSigningThread(Action body)
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                body();
                finished.SetResult();
            }
            catch (Exception ex)
            {
                finished.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "signing",
        };
        thread.Start();
        return finished.Task;
    }

    /// <summary>
    /// Most signed documents waiting for their commit (and most stored in one commit). Note: 16 rather than 8, so a request of
    /// ten documents commits once instead of twice (each commit a non-HOT UPDATE of the request, three more statements and a
    /// WAL flush); a crash may now make the resumed request sign up to 32 documents again whose signatures never left the process.
    /// </summary>
    internal const int MaxUnstored = 16;

    private sealed record SignedDocument(DocumentToSign Document, byte[] Content, string Level);

    /// <summary>
    /// Commits a group of signed documents with their audit events and the request's progress (one transaction, one round trip,
    /// see <see cref="SignedDocumentStore"/>), then tells the change tracker the request's new row version and lease, so the
    /// request's later state changes through EF Core still carry the right concurrency token.
    /// </summary>
    private async Task StoreSignedAsync(
        SignatureRequestRecord request, IReadOnlyList<SignedDocumentRow> rows, IReadOnlyList<AuditEventRecord> events, DateTimeOffset signedAt,
        CancellationToken cancellationToken, string? status = null)
    {
        var entry = db.Entry(request);
        var version = entry.Property<uint>(SignatureRequestRecord.VersionProperty);
        var updated = await SignedDocumentStore.StoreAsync(db, request.Id, version.CurrentValue, signedAt, rows, events, cancellationToken, status);
        request.UpdatedAt = signedAt;
        version.CurrentValue = updated;
        // Note: what the batch wrote (lease, status, no reason) is now the row as stored: nothing of the request is left to
        // save. The original values are set first because setting a modified entry Unchanged puts the original values back.
        entry.OriginalValues.SetValues(entry.CurrentValues);
        entry.State = EntityState.Unchanged;
    }

    /// <summary>
    /// True when a consumed approval of the request's signer (<paramref name="approvalId"/>) covers every document with the
    /// SHA-256 of its bytes as they are now. <paramref name="documents"/> pairs each document with the digest that approval
    /// holds for it (null when none).
    /// </summary>
    private static bool HasActivationEvidence(Guid? approvalId, List<DocumentToSign> documents) =>
        approvalId is not null && documents.Count > 0 && documents.All(d =>
            d.Approved is { } digest && CryptographicOperations.FixedTimeEquals(digest, SHA256.HashData(d.Content)));

    /// <summary>
    /// What signing needs of a document of the request: its bytes, whether they are already signed and stored, and the SHA-256
    /// its signer's consumed approval holds for it (null when none).
    /// </summary>
    private sealed record DocumentToSign(Guid Id, int Ordinal, string DocumentType, byte[] Content, byte[] Sha256, bool Signed, byte[]? Approved);

    internal static XadesDocumentType XadesTypeOf(string wireType) => wireType switch
    {
        "prescription" => XadesDocumentType.Prescription,
        "dispensing-record" => XadesDocumentType.Dispensing,
        "death-certificate" or "postmortem-certificate" => XadesDocumentType.DeathCertificate,
        _ => throw new InvalidOperationException($"No XAdES profile for document type '{wireType}'."),
    };

    /// <summary>
    /// True when signing failed because the HSM or the TSA is away (also when the XAdES or CAdES layer wrapped that failure),
    /// as opposed to a fault of the request itself.
    /// </summary>
    internal static bool IsDependencyOutage(Exception exception) =>
        exception.Contains(e => e is HsmException or PkiException { Code: PkiErrorCodes.TimestampRejected });

    internal sealed class TimestampSource(ITimestampAuthority tsa) : IXadesTimestampSource
    {
        public Task<byte[]> GetTimestampTokenAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            tsa.TimestampAsync(data, HashAlgorithmName.SHA256, cancellationToken);
    }
}
