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
    HsmConnection hsm,
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
    public async Task<bool> SignAsync(Guid requestId, CancellationToken cancellationToken, bool resumeOwnClaim = false, Action<Guid>? claimed = null)
    {
        var request = await db.SignatureRequests.Include(r => r.Documents).SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken);
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
        try
        {
            // 2. The signer's valid signing certificate and its key in the HSM.
            var certificate = await db.Certificates.AsNoTracking()
                .Where(c => c.UserId == request.SignerUserId && c.Kind == CertificateKinds.Signer && c.Status == CertificateStatuses.Good &&
                            c.NotBefore <= now && c.NotAfter > now && c.KeyId != null)
                .OrderByDescending(c => c.NotAfter)
                .FirstOrDefaultAsync(cancellationToken);
            if (certificate is null)
            {
                workflows.Transition(request, SignatureRequestStatus.Failed, "The signer holds no valid signing certificate any more.");
                audit.Record(db, AuditActor.System, "signature-request.failed", "signature-request", request.Id.ToString(), new { reason = "no-valid-certificate" });
                await db.SaveChangesAsync(cancellationToken);
                return true;
            }

            // 2b. Activation evidence: a consumed approval transaction of this signer covering every document with its current digest.
            //     Note: the status column alone is not trusted as the door to the HSM; a row flipped to approved without an approval fails here.
            if (!await HasActivationEvidenceAsync(request, cancellationToken))
            {
                workflows.Transition(request, SignatureRequestStatus.Failed, "No signer approval covers the documents as they are now.");
                audit.Record(db, AuditActor.System, "signature-request.failed", "signature-request", request.Id.ToString(), new { reason = "no-activation-evidence" });
                await db.SaveChangesAsync(cancellationToken);
                return true;
            }

            var keyRecord = await db.HsmKeys.AsNoTracking().SingleAsync(k => k.Id == certificate.KeyId, cancellationToken);
            var key = hsm.RequireToken().FindKey(keyRecord.CkId)
                      ?? throw new InvalidOperationException($"The signing key of certificate {certificate.Id} is missing from the HSM.");
            using var signerCertificate = X509CertificateLoader.LoadCertificate(certificate.Der);
            using var rsa = key.AsRsa();
            var hierarchy = await authorities.RequireAsync(cancellationToken);
            var timestamps = new TimestampSource(await signatureTimestamps.AuthorityAsync(cancellationToken));
            var signer = new XadesSigner(time);
            var upgrader = new XadesUpgrader(timestamps);
            var level = request.SignatureLevel;
            var pending = request.Documents.Where(d => d.SignedContent is null).OrderBy(d => d.Ordinal).ToList();
            var material = options.Value.SignatureTimestamp && level != SignatureLevels.EsT && pending.Any(d => d.DocumentType != DocumentTypeNames.Attachment)
                ? await validationMaterial.ForAsync(signerCertificate, cancellationToken)
                : null;

            // 3. Each document not yet signed: one HSM signature (and a time-stamp), stored with its audit event.
            async Task<SignedDocument> SignOneAsync(SignatureRequestDocumentRecord document, CancellationToken token)
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
                var bes = signer.Sign(document.Content, profile.DocumentType, rsa, signerCertificate);
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
            await SignAndStoreAsync(pending, SignOneAsync, async group =>
            {
                foreach (var (document, content, documentLevel) in group)
                {
                    document.SignedContent = content;
                    document.SignatureLevel = documentLevel;
                    document.SignedAt = time.GetUtcNow();
                    request.UpdatedAt = document.SignedAt.Value;
                    audit.Record(db, actor, "document.signed", "signature-request", request.Id.ToString(),
                        new { ordinal = document.Ordinal, sha256 = Convert.ToHexStringLower(document.Sha256), certificate = Convert.ToHexString(certificate.SerialNumber), level = document.SignatureLevel });
                }

                await SaveSignedAsync(request, group.Select(g => g.Document), cancellationToken);
                foreach (var signedDocument in group)
                {
                    metrics.SignatureCreated(signedDocument.Document.DocumentType);
                }
            }, cancellationToken);
        }
        catch (Exception ex) when (IsDependencyOutage(ex) && !cancellationToken.IsCancellationRequested)
        {
            // Note: the HSM or the TSA is away. Give the claim back at once (as if its lease had run out) so the next round, on
            // any replica, resumes the request as soon as they answer again instead of waiting out the lease.
            request.UpdatedAt = time.GetUtcNow() - SigningLease;
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }

        // 4. Done.
        workflows.Transition(request, SignatureRequestStatus.Signed);
        audit.Record(db, AuditActor.System, "signature-request.signed", "signature-request", request.Id.ToString(), new { documents = request.DocumentCount });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Signs <paramref name="pending"/> on up to <see cref="SigningOptions.Parallelism"/> threads (each HSM operation on its own
    /// pooled session, so one thread's XML and time-stamp work overlaps another's HSM signature) while this caller commits
    /// what is done, in order of completion: each commit stores every document finished since the last one with its audit
    /// event (<paramref name="store"/>, one transaction). At most <see cref="MaxUnstored"/> signed documents wait for their
    /// commit, so a crash loses (and the resumed request signs again) no more than those plus the ones in the HSM; a stored
    /// document is never signed again. The first failure stops the other threads; what finished before it is still stored,
    /// then the failure is rethrown.
    /// </summary>
    private async Task SignAndStoreAsync(
        List<SignatureRequestDocumentRecord> pending,
        Func<SignatureRequestDocumentRecord, CancellationToken, Task<SignedDocument>> sign,
        Func<IReadOnlyList<SignedDocument>, Task> store,
        CancellationToken cancellationToken)
    {
        var done = Channel.CreateBounded<SignedDocument>(new BoundedChannelOptions(MaxUnstored) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var next = -1;
        Exception? failure = null;
        var threads = Enumerable.Range(0, Math.Clamp(options.Value.Parallelism, 1, Math.Max(1, pending.Count))).Select(_ => Task.Run(async () =>
        {
            try
            {
                for (var i = Interlocked.Increment(ref next); i < pending.Count && !stop.IsCancellationRequested; i = Interlocked.Increment(ref next))
                {
                    var signed = await sign(pending[i], stop.Token);
                    await done.Writer.WriteAsync(signed, stop.Token);
                }
            }
            catch (Exception ex)
            {
                // Note: the first real failure wins; the others' cancellations that it caused are not failures of their own.
                if (!(ex is OperationCanceledException && stop.IsCancellationRequested))
                {
                    Interlocked.CompareExchange(ref failure, ex, null);
                }

                await stop.CancelAsync();
            }
        }, CancellationToken.None)).ToArray();
        _ = Task.WhenAll(threads).ContinueWith(_ => done.Writer.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        try
        {
            var group = new List<SignedDocument>();
            while (await done.Reader.WaitToReadAsync(CancellationToken.None))
            {
                group.Clear();
                while (group.Count < MaxUnstored && done.Reader.TryRead(out var signed))
                {
                    group.Add(signed);
                }

                await store(group);
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

    /// <summary>Most signed documents waiting for their commit (and most stored in one commit).</summary>
    internal const int MaxUnstored = 8;

    private sealed record SignedDocument(SignatureRequestDocumentRecord Document, byte[] Content, string Level);

    /// <summary>
    /// Commits the signed <paramref name="documents"/>, the request's progress and the staged audit events. Note: only the
    /// properties the loop sets are marked modified: SaveChanges' automatic scan of every tracked document (a batch of 100 with their
    /// contents) on every commit made a batch quadratic, 28 % of the worker's time at 100 documents in the profile.
    /// </summary>
    private async Task SaveSignedAsync(SignatureRequestRecord request, IEnumerable<SignatureRequestDocumentRecord> documents, CancellationToken cancellationToken)
    {
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            // Note: the properties the signing loop sets, marked directly (a scan of the request would walk its documents).
            db.Entry(request).Property(r => r.UpdatedAt).IsModified = true;
            foreach (var document in documents)
            {
                var entry = db.Entry(document);
                entry.Property(d => d.SignedContent).IsModified = true;
                entry.Property(d => d.SignatureLevel).IsModified = true;
                entry.Property(d => d.SignedAt).IsModified = true;
            }

            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = true;
        }
    }

    private async Task<bool> HasActivationEvidenceAsync(SignatureRequestRecord request, CancellationToken cancellationToken)
    {
        if (request.ApprovalId is not { } approvalId)
        {
            return false;
        }

        var approved = await db.ApprovalTransactionDocuments.AsNoTracking()
            .Where(d => d.ApprovalId == approvalId && d.RequestId == request.Id &&
                        db.ApprovalTransactions.Any(a => a.Id == approvalId && a.SignerUserId == request.SignerUserId && a.ConsumedAt != null))
            .ToDictionaryAsync(d => d.DocumentId, d => d.Sha256, cancellationToken);
        return request.Documents.Count > 0 && request.Documents.All(d =>
            approved.TryGetValue(d.Id, out var digest) && CryptographicOperations.FixedTimeEquals(digest, SHA256.HashData(d.Content)));
    }

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
