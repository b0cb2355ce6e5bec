using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Features.Signing;
using SignatureService.Api.Tests.Approvals;
using SignatureService.Api.Tests.SignatureRequests;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Signing;

namespace SignatureService.Api.Tests.Signing;

/// <summary>
/// From approved to signed in the HSM, resumable, and verifiable by our endpoint and by xmlsec1. Requests are approved through
/// the real ceremony (the signer's WebAuthn assertion over the Signature Activation Data, see Approvals/); a request flipped to
/// <c>approved</c> in the store without an approval never reaches the HSM.
/// </summary>
public sealed class SigningPipelineTests(SigningFixture fixture) : IClassFixture<SigningFixture>
{
    private const string Path = "/v1/signature-requests";

    private async Task<(TestClient Client, Guid RequestId, SignerSession Signer)> CreateAsync(string profession, params object[] documents)
    {
        var signer = await fixture.CreateSignerSessionAsync(profession);
        var (client, id) = await fixture.SubmitAsync(signer.UserId, documents);
        return (client, id, signer);
    }

    private Task ApproveInStoreAsync(Guid id) =>
        fixture.Database.ExecuteAsync($"UPDATE signature_requests SET status = 'approved', updated_at = now() WHERE id = '{id}' AND status = 'pending-approval'");

    private static async Task<string> WaitForFinalStatusAsync(TestClient client, Guid id)
    {
        for (var i = 0; i < 300; i++)
        {
            var (_, body) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}");
            var status = body.GetProperty("status").GetString()!;
            if (status is "signed" or "failed")
            {
                return status;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The request did not reach a final state in 30 s.");
    }

    [Fact]
    public async Task ApprovedBatch_IsSignedOncePerDocument_AndVerifies()
    {
        var (client, id, signer) = await CreateAsync("doctor",
            TestClient.Document("prescription", SigningFixture.Prescription()),
            TestClient.Document("death-certificate", Encoding.UTF8.GetBytes(SigningFixture.DeathCertificateJson()), "application/json"));

        var (early, earlyBody) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}/documents/1/signed");
        await signer.ApproveAsync(id);
        var status = await WaitForFinalStatusAsync(client, id);

        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("resource.state-conflict", earlyBody.GetProperty("code").GetString());
        Assert.Equal("signed", status);
        Assert.Equal(2L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
        for (var n = 1; n <= 2; n++)
        {
            var (signed, _) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}/documents/{n}/signed");
            var xml = await signed.Content.ReadAsByteArrayAsync();
            var report = await VerifyAsync(xml);
            Assert.True(report.GetProperty("valid").GetBoolean(), report.ToString());
            var signature = report.GetProperty("signatures")[0];
            Assert.Equal("T", signature.GetProperty("level").GetString());
            Assert.Contains("Medical Doctor", signature.GetProperty("hcRoles").EnumerateArray().Select(r => r.GetString()));
            await XmlSecVerifyAsync(xml, n == 1 ? "PrescriptionDocument" : "DeathCertificateDocument", n == 1 ? "PrescriptionSign" : "DeathCertificateSign");
        }
    }

    [Fact]
    public async Task ApprovedBatchLargerThanOneCommitGroup_SignedInParallel_EachDocumentOnceWithItsAuditEvent()
    {
        // Note: more documents than signing threads and than one commit group (SignApprovedRequest.MaxUnstored), so documents
        // finish out of order on several threads and are stored over several commits.
        var count = SignApprovedRequest.MaxUnstored + 5;
        var (client, id, signer) = await CreateAsync("doctor",
            Enumerable.Range(0, count).Select(_ => TestClient.Document("prescription", SigningFixture.Prescription())).ToArray());

        await signer.ApproveAsync(id);
        var status = await WaitForFinalStatusAsync(client, id);

        Assert.Equal("signed", status);
        Assert.Equal((long)count, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
        Assert.Equal((long)count, await fixture.Database.ScalarAsync<long>(
            $"SELECT count(DISTINCT (details->>'ordinal')) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM signature_request_documents WHERE request_id = '{id}' AND (signed_content IS NULL OR signature_level <> 'ES-T')"));
        // Full groups only, then the rest: 16 + 5 documents in two commits (one signed_at each), not one per few documents done.
        Assert.Equal(2L, await fixture.Database.ScalarAsync<long>(
            $"SELECT count(DISTINCT signed_at) FROM signature_request_documents WHERE request_id = '{id}'"));
        for (var n = 1; n <= count; n++)
        {
            var (signed, _) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}/documents/{n}/signed");
            var xml = await signed.Content.ReadAsByteArrayAsync();
            Assert.True((await VerifyAsync(xml)).GetProperty("valid").GetBoolean(), $"document {n}");
            if (n == count)
            {
                await XmlSecVerifyAsync(xml, "PrescriptionDocument", "PrescriptionSign");
            }
        }
    }

    [Fact]
    public async Task SignedDocumentStore_WritesNothing_WhenTheRequestMovedOnOrTheDocumentIsAlreadySigned()
    {
        // Note: a pending request, so the worker leaves it alone; the store is driven directly, as the worker drives it.
        var (_, id, _) = await CreateAsync("doctor",
            TestClient.Document("prescription", SigningFixture.Prescription()), TestClient.Document("prescription", SigningFixture.Prescription()));
        var documentIds = (await fixture.WithScopeAsync(sp => sp.GetRequiredService<SignatureServiceDbContext>().SignatureRequestDocuments
            .Where(d => d.RequestId == id).OrderBy(d => d.Ordinal).Select(d => d.Id).ToListAsync())).ToArray();
        var version = (uint)await fixture.Database.ScalarAsync<long>($"SELECT xmin::text::bigint FROM signature_requests WHERE id = '{id}'");
        var signedAt = DateTimeOffset.UtcNow;
        SignedDocumentRow Row(int n, string text) => new(documentIds[n], Encoding.UTF8.GetBytes(text), "ES-T", signedAt);
        AuditEventRecord Event(int n) => new()
        {
            OccurredAt = signedAt, ActorType = "system", ActorId = "store-test", Action = "document.signed", TargetType = "signature-request",
            TargetId = id.ToString(), Outcome = "success", Details = JsonDocument.Parse($"{{\"ordinal\":{n + 1}}}"),
        };
        Task<uint> StoreAsync(uint at, params int[] ordinals) => StoreWithStatusAsync(at, null, ordinals);
        Task<uint> StoreWithStatusAsync(uint at, string? status, params int[] ordinals) => fixture.WithScopeAsync(sp => SignedDocumentStore.StoreAsync(
            sp.GetRequiredService<SignatureServiceDbContext>(), id, at, signedAt,
            [.. ordinals.Select(n => Row(n, $"<signed-{n}/>"))], [.. ordinals.Select(Event)], CancellationToken.None, status));
        Task<string?> StatusAsync() => fixture.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{id}'");
        async Task<(long Signed, long Events, uint Version)> StateAsync() => (
            await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM signature_request_documents WHERE request_id = '{id}' AND signed_content IS NOT NULL"),
            await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE actor_id = 'store-test' AND target_id = '{id}'"),
            (uint)await fixture.Database.ScalarAsync<long>($"SELECT xmin::text::bigint FROM signature_requests WHERE id = '{id}'"));

        // 1. A row version the request no longer has (another worker took it over): nothing is written.
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => StoreAsync(version - 1, 0));
        Assert.Equal((0L, 0L, version), await StateAsync());

        // 2. The right version: document 1 and its event, and the request's new version is returned.
        var next = await StoreAsync(version, 0);
        Assert.Equal((1L, 1L, next), await StateAsync());
        Assert.NotEqual(version, next);

        // 3. A group holding an already signed document: nothing of the group is written, not even the unsigned one.
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => StoreAsync(next, 0, 1));
        Assert.Equal((1L, 1L, next), await StateAsync());
        Assert.Equal("<signed-0/>", await fixture.Database.ScalarAsync<string>(
            $"SELECT convert_from(signed_content, 'UTF8') FROM signature_request_documents WHERE id = '{documentIds[0]}'"));

        // 4. The last group, which also sets the status: refused (an already signed document), the status is not written either.
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => StoreWithStatusAsync(next, "signed", 0, 1));
        Assert.Equal((1L, 1L, next), await StateAsync());
        Assert.Equal("pending-approval", await StatusAsync());

        // 5. Refused at a stale version: nothing written, the status unchanged.
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => StoreWithStatusAsync(version, "signed", 1));
        Assert.Equal((1L, 1L, next), await StateAsync());
        Assert.Equal("pending-approval", await StatusAsync());

        // 6. Accepted: the last document, its event and the status in the same commit.
        var last = await StoreWithStatusAsync(next, "signed", 1);
        Assert.Equal((2L, 2L, last), await StateAsync());
        Assert.Equal("signed", await StatusAsync());
    }

    [Fact]
    public async Task SigningKeys_FindsAKeyOnce_AndForgetsItWhenItIsGone()
    {
        await fixture.WithScopeAsync(sp =>
        {
            var keys = sp.GetRequiredService<SigningKeys>();
            var token = sp.GetRequiredService<SignatureService.Api.Features.Hsm.HsmConnection>().RequireToken();
            var id = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
            var generated = token.GenerateKeyPair(SignatureService.Hsm.HsmKeyAlgorithm.Rsa2048, "signing-keys-test", id);

            var first = keys.Find(id);
            var second = keys.Find(id);
            Assert.NotNull(first);
            Assert.Same(first, second);
            Assert.Equal(generated.SubjectPublicKeyInfo, first!.SubjectPublicKeyInfo);
            Assert.Equal(256, first.AsRsa().SignData("x"u8.ToArray(), System.Security.Cryptography.HashAlgorithmName.SHA256,
                System.Security.Cryptography.RSASignaturePadding.Pkcs1).Length);

            // Note: destroyed behind the cache: the cached key fails its next signature as "not found"; once forgotten the
            // search finds nothing, as without a cache.
            Assert.True(token.DestroyKey(id));
            Assert.Same(first, keys.Find(id));
            var gone = Assert.ThrowsAny<SignatureService.Hsm.HsmException>(() => first.AsRsa().SignData("x"u8.ToArray(),
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1));
            Assert.True(SignatureService.Api.Hosting.ExceptionChain.Contains(gone, e => e is SignatureService.Hsm.HsmException { Code: SignatureService.Hsm.HsmErrorCode.KeyNotFound }));
            keys.Forget(id);
            Assert.Null(keys.Find(id));
            return Task.FromResult(0);
        });
    }

    [Fact]
    public void SignerCertificates_ParsesACertificateOnce_AndAgainWhenItsRowHoldsOtherBytes()
    {
        static byte[] NewCertificate(string name)
        {
            using var key = System.Security.Cryptography.RSA.Create(2048);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
                name, key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            return certificate.RawData;
        }

        var certificates = new SignerCertificates();
        var id = Guid.NewGuid();
        var der = NewCertificate("CN=first");
        var other = NewCertificate("CN=second");

        var first = certificates.Get(id, der);
        Assert.Same(first, certificates.Get(id, [.. der]));
        Assert.Equal(der, first.RawData);

        var replaced = certificates.Get(id, other);
        Assert.NotSame(first, replaced);
        Assert.Equal(other, replaced.RawData);
        Assert.Equal("CN=first", certificates.Get(Guid.NewGuid(), der).Subject);
    }

    [Fact]
    public async Task PendingRequest_WithoutApproval_NeverReachesTheHsm()
    {
        var (client, id, _) = await CreateAsync("doctor", TestClient.Document("prescription", SigningFixture.Prescription()));

        // Note: several rounds of the signing worker (every 250 ms) and of the callback dispatcher run meanwhile.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var (_, body) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}");
        var (signed, signedBody) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}/documents/1/signed");

        Assert.Equal("pending-approval", body.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, signed.StatusCode);
        Assert.Equal("resource.state-conflict", signedBody.GetProperty("code").GetString());
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
    }

    [Fact]
    public async Task CrashAfterFirstDocument_ResumesWithoutSigningItAgain()
    {
        var (client, id, signer) = await CreateAsync("doctor",
            TestClient.Document("prescription", SigningFixture.Prescription()),
            TestClient.Document("prescription", SigningFixture.Prescription()));
        await signer.ApproveAsync(id);
        Assert.Equal("signed", await WaitForFinalStatusAsync(client, id));
        // Note: rewind to the state a worker leaves when it dies after storing document 1: signing, document 1 signed, lease stale.
        var marker = "<already-signed-before-the-crash/>"u8.ToArray();
        await fixture.Database.ExecuteAsync($"""
            UPDATE signature_request_documents SET signed_content = '\x{Convert.ToHexString(marker)}', signed_at = now() WHERE request_id = '{id}' AND ordinal = 1;
            UPDATE signature_request_documents SET signed_content = NULL, signed_at = NULL WHERE request_id = '{id}' AND ordinal = 2;
            UPDATE signature_requests SET status = 'signing', updated_at = now() - interval '10 minutes' WHERE id = '{id}';
            """);
        var before = await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'");

        var status = await WaitForFinalStatusAsync(client, id);
        var (first, _) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}/documents/1/signed");
        var (second, _) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}/documents/2/signed");

        Assert.Equal("signed", status);
        Assert.Equal(marker, await first.Content.ReadAsByteArrayAsync());
        Assert.True((await VerifyAsync(await second.Content.ReadAsByteArrayAsync())).GetProperty("valid").GetBoolean());
        Assert.Equal(before + 1, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
    }

    [Fact]
    public async Task SignedWithCallback_LastGroupCommitsStatusEventAndCallbackTogether()
    {
        // Note: the last commit group writes the move to signed in its own batch; the EHR callback it stages goes through
        // SaveChanges in the same transaction.
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var client = await fixture.CreateClientAsync("https://ehr.example.jp");
        var (_, created) = await client.SendAsync(HttpMethod.Post, Path, new
        {
            signer = new { userId = signer.UserId },
            documents = new[] { TestClient.Document("prescription", SigningFixture.Prescription()), TestClient.Document("prescription", SigningFixture.Prescription()) },
            callbackUrl = "https://ehr.example.jp/callbacks",
        });
        var id = created.GetProperty("id").GetGuid();

        await signer.ApproveAsync(id);

        Assert.Equal("signed", await WaitForFinalStatusAsync(client, id));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM signature_requests WHERE id = '{id}' AND (status <> 'signed' OR status_reason IS NOT NULL)"));
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'signature-request.signed' AND target_id = '{id}'"));
        Assert.Equal("signature-request.approved,signature-request.signing,signature-request.signed", await fixture.Database.ScalarAsync<string>(
            $"SELECT string_agg(event, ',' ORDER BY id) FROM callback_outbox WHERE request_id = '{id}'"));
        Assert.Equal("signed", await fixture.Database.ScalarAsync<string>(
            $"SELECT payload->>'status' FROM callback_outbox WHERE request_id = '{id}' AND event = 'signature-request.signed'"));
        // The signed event is the last of the request's events and shares the commit of the last documents.
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>(
            $"SELECT count(DISTINCT xact_id) FROM audit_events WHERE target_id = '{id}' AND action IN ('document.signed', 'signature-request.signed')"));
    }

    [Fact]
    public async Task CrashAfterLastDocumentStored_ResumeOnlyMarksTheRequestSigned()
    {
        var (client, id, signer) = await CreateAsync("doctor", TestClient.Document("prescription", SigningFixture.Prescription()));
        await signer.ApproveAsync(id);
        Assert.Equal("signed", await WaitForFinalStatusAsync(client, id));
        // Note: the last document and the move to signed commit together, so one signed event per request so far.
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'signature-request.signed' AND target_id = '{id}'"));
        // Note: the state of a request whose every document is stored but which is still signing (written by a version that
        // committed the move to signed on its own), with a stale lease.
        await fixture.Database.ExecuteAsync($"UPDATE signature_requests SET status = 'signing', updated_at = now() - interval '10 minutes' WHERE id = '{id}'");
        var (before, _) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}/documents/1/signed");
        var stored = await before.Content.ReadAsByteArrayAsync();

        var status = await WaitForFinalStatusAsync(client, id);
        var (after, _) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}/documents/1/signed");

        Assert.Equal("signed", status);
        Assert.Equal(stored, await after.Content.ReadAsByteArrayAsync());
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
        Assert.Equal(2L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'signature-request.signed' AND target_id = '{id}'"));
    }

    [Fact]
    public async Task ConcurrentWorkers_SignARequestExactlyOnce()
    {
        var (client, id, signer) = await CreateAsync("doctor", TestClient.Document("prescription", SigningFixture.Prescription()));
        await signer.ApproveAsync(id);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => fixture.WithScopeAsync(
            sp => sp.GetRequiredService<SignApprovedRequest>().SignAsync(id, CancellationToken.None))));
        var status = await WaitForFinalStatusAsync(client, id);

        Assert.Equal("signed", status);
        Assert.True(results.Count(r => r) <= 1);
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
    }

    [Fact]
    public async Task PolledRowChangedBeforeTheClaim_IsNotClaimed_TheNextPollSignsIt()
    {
        // Note: a service of its own without the background worker, so the test alone polls and claims.
        var own = new SigningFixture { Settings = new Dictionary<string, string?> { ["Signing:WorkerEnabled"] = "false" } };
        await own.InitializeAsync();
        try
        {
            var signer = await own.CreateSignerSessionAsync("doctor");
            var (_, id) = await own.SubmitAsync(signer.UserId, TestClient.Document("prescription", SigningFixture.Prescription()));
            await signer.ApproveAsync(id);
            Task<SignApprovedRequest.PolledRequest> PollAsync() => own.WithScopeAsync(sp =>
                sp.GetRequiredService<SignatureServiceDbContext>().SignatureRequests.AsNoTracking().Where(r => r.Id == id)
                    .Select(r => new SignApprovedRequest.PolledRequest(r, EF.Property<uint>(r, SignatureRequestRecord.VersionProperty))).SingleAsync());
            Task<bool> ClaimAsync(SignApprovedRequest.PolledRequest polled) => own.WithScopeAsync(sp =>
                sp.GetRequiredService<SignApprovedRequest>().SignAsync(id, CancellationToken.None, polled: polled));
            var polled = await PollAsync();

            // 1. The row changes after the poll (here only its row version, as a competing claim's commit would move it).
            await own.Database.ExecuteAsync($"UPDATE signature_requests SET updated_at = updated_at WHERE id = '{id}'");
            Assert.False(await ClaimAsync(polled));
            Assert.Equal("approved", await own.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{id}'"));
            Assert.Equal(0L, await own.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));

            // 2. Polled again, it is claimed and signed once.
            Assert.True(await ClaimAsync(await PollAsync()));
            Assert.Equal("signed", await own.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{id}'"));
            Assert.Equal(1L, await own.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    [Fact]
    public async Task StoppedWhileSigning_StoresEverySignatureAlreadyMade_TheResumeSignsOnlyTheRest()
    {
        // Note: the service stopping mid-request, its stopping token cancelled just after a commit group while more documents
        //       were signed and waiting for theirs. Signing stops, but the waiting signatures are still stored, with their audit
        //       events, in whole commits; the resumed request signs only the documents that had none. A service of its own
        //       without the background worker, so the test alone signs.
        var own = new SigningFixture { Settings = new Dictionary<string, string?> { ["Signing:WorkerEnabled"] = "false" } };
        await own.InitializeAsync();
        try
        {
            var count = 2 * SignApprovedRequest.MaxUnstored + 8;
            var signer = await own.CreateSignerSessionAsync("doctor");
            var (client, id) = await own.SubmitAsync(signer.UserId,
                Enumerable.Range(0, count).Select(_ => TestClient.Document("prescription", SigningFixture.Prescription())).ToArray());
            await signer.ApproveAsync(id);

            // The service adds to its signatures counter right after each commit. At the first commit, the stop waits until the
            // signing threads have filled the queue of signed documents (at most MaxUnstored wait for a commit), then comes.
            using var stopping = new CancellationTokenSource();
            var meters = own.Factory.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
            var stopped = 0;
            using var listener = new System.Diagnostics.Metrics.MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "signsvc.signatures" && ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, _, _, _) =>
            {
                if (Interlocked.Exchange(ref stopped, 1) == 0)
                {
                    Thread.Sleep(TimeSpan.FromSeconds(2));
                    stopping.Cancel();
                }
            });
            listener.Start();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => own.WithScopeAsync(sp =>
                sp.GetRequiredService<SignApprovedRequest>().SignAsync(id, stopping.Token)));
            listener.Dispose();

            var stored = await own.Database.ScalarAsync<long>(
                $"SELECT count(*) FROM signature_request_documents WHERE request_id = '{id}' AND signed_content IS NOT NULL");
            Assert.Equal(1, stopped);
            Assert.Equal("signing", await own.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{id}'"));
            // More than the first group: the signatures that were waiting when the stop came were stored after it. At most two
            // groups: no new signature started after the stop.
            Assert.InRange(stored, SignApprovedRequest.MaxUnstored + 1, 2 * SignApprovedRequest.MaxUnstored);
            Assert.Equal(stored, await own.Database.ScalarAsync<long>(
                $"SELECT count(DISTINCT (details->>'ordinal')) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
            Assert.Equal(stored, await own.Database.ScalarAsync<long>(
                $"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
            var storedOrdinals = await own.Database.ScalarAsync<string>(
                $"SELECT string_agg(ordinal::text, ',') FROM signature_request_documents WHERE request_id = '{id}' AND signed_content IS NOT NULL");
            var storedBytes = $"SELECT string_agg(ordinal || ':' || md5(signed_content), ',' ORDER BY ordinal) FROM signature_request_documents WHERE request_id = '{id}' AND ordinal IN ({storedOrdinals})";
            var before = await own.Database.ScalarAsync<string>(storedBytes);

            // The restarted worker resumes its own claim: the rest is signed once each; what was stored stays as it was.
            Assert.True(await own.WithScopeAsync(sp => sp.GetRequiredService<SignApprovedRequest>().SignAsync(id, CancellationToken.None, resumeOwnClaim: true)));
            Assert.Equal("signed", await own.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{id}'"));
            Assert.Equal((long)count, await own.Database.ScalarAsync<long>(
                $"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
            Assert.Equal((long)count, await own.Database.ScalarAsync<long>(
                $"SELECT count(DISTINCT (details->>'ordinal')) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
            Assert.Equal(before, await own.Database.ScalarAsync<string>(storedBytes));
            var (last, _) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}/documents/{count}/signed");
            var report = await VerifyAsync(await last.Content.ReadAsByteArrayAsync(), own.Http);
            Assert.True(report.GetProperty("valid").GetBoolean(), report.ToString());
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    [Fact]
    public async Task CertificateRevokedAfterApproval_RequestFailsAndNothingIsSigned()
    {
        var client = await fixture.CreateClientAsync();
        var (signer, _, certificate) = await fixture.CreateSignerAsync("doctor");
        var (_, created) = await client.SendAsync(HttpMethod.Post, Path,
            TestClient.Request(new { userId = signer }, TestClient.Document("prescription", SigningFixture.Prescription())));
        var id = created.GetProperty("id").GetGuid();
        await fixture.WithScopeAsync(sp => sp.GetRequiredService<CertificateStatusChanges>().SuspendAsync(
            certificate.SerialNumber, SigningFixture.Operator, CancellationToken.None));

        // Note: the signer could not approve with a suspended certificate (Approvals/ tests that); the store stands in for an
        //       approval that raced the suspension. The certificate check comes before the evidence check, so this tests the former.
        await ApproveInStoreAsync(id);
        var status = await WaitForFinalStatusAsync(client, id);

        Assert.Equal("failed", status);
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM signature_request_documents WHERE request_id = '{id}' AND signed_content IS NOT NULL"));
    }

    [Fact]
    public async Task CertificateSuspendedAfterItSigned_NextRequestFails_TheParsedCertificateKeptForItNotWithstanding()
    {
        // 1. The certificate signs once, so the worker keeps it parsed (SignerCertificates).
        var (client, first, signer) = await CreateAsync("doctor", TestClient.Document("prescription", SigningFixture.Prescription()));
        await signer.ApproveAsync(first);
        Assert.Equal("signed", await WaitForFinalStatusAsync(client, first));
        var serial = await fixture.Database.ScalarAsync<string>(
            $"SELECT encode(serial_number, 'hex') FROM certificates WHERE user_id = '{signer.UserId}' AND kind = 'signer'");

        // 2. Suspended, then a request approved in the store (standing in for an approval that raced the suspension).
        var (secondClient, second) = await fixture.SubmitAsync(signer.UserId, TestClient.Document("prescription", SigningFixture.Prescription()));
        await fixture.WithScopeAsync(sp => sp.GetRequiredService<CertificateStatusChanges>().SuspendAsync(
            serial!.ToUpperInvariant(), SigningFixture.Operator, CancellationToken.None));
        await ApproveInStoreAsync(second);

        Assert.Equal("failed", await WaitForFinalStatusAsync(secondClient, second));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM signature_request_documents WHERE request_id = '{second}' AND signed_content IS NOT NULL"));
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM audit_events WHERE action = 'signature-request.failed' AND target_id = '{second}' AND details->>'reason' = 'no-valid-certificate'"));
    }

    [Fact]
    public async Task ApprovedInStoreWithoutApproval_FailsAndNeverReachesTheHsm()
    {
        var (client, id, _) = await CreateAsync("doctor", TestClient.Document("prescription", SigningFixture.Prescription()));

        await ApproveInStoreAsync(id);
        var status = await WaitForFinalStatusAsync(client, id);

        Assert.Equal("failed", status);
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM audit_events WHERE action = 'signature-request.failed' AND target_id = '{id}' AND details->>'reason' = 'no-activation-evidence'"));
    }

    [Fact]
    public async Task DocumentChangedAfterApproval_FailsAndNeverReachesTheHsm()
    {
        var (client, id, signer) = await CreateAsync("doctor", TestClient.Document("prescription", SigningFixture.Prescription()));
        await signer.ApproveAsync(id);
        Assert.Equal("signed", await WaitForFinalStatusAsync(client, id));
        // Note: rewind to a stale signing whose bytes no longer match what the signer approved.
        var other = SigningFixture.Prescription();
        await fixture.Database.ExecuteAsync($"""
            UPDATE signature_request_documents SET content = '\x{Convert.ToHexString(other)}', signed_content = NULL, signed_at = NULL WHERE request_id = '{id}';
            UPDATE signature_requests SET status = 'signing', updated_at = now() - interval '10 minutes' WHERE id = '{id}';
            """);

        var status = await WaitForFinalStatusAsync(client, id);

        Assert.Equal("failed", status);
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
    }

    [Theory]
    [InlineData("Prescription-004_01.xml")]
    [InlineData("Dispensing-005_03.xml")]
    public async Task Verify_MedisSample_IsCryptographicallyIntact(string file)
    {
        var report = await VerifyAsync(await File.ReadAllBytesAsync(Sample(file)));

        foreach (var signature in report.GetProperty("signatures").EnumerateArray())
        {
            var checks = signature.GetProperty("checks").EnumerateArray().ToList();
            foreach (var name in new[] { "structure", "reference-digest", "signature-value", "signing-certificate", "signature-timestamp-imprint", "signature-timestamp-signature" })
            {
                Assert.All(checks.Where(c => c.GetProperty("check").GetString() == name), c => Assert.Equal("passed", c.GetProperty("status").GetString()));
                Assert.Contains(checks, c => c.GetProperty("check").GetString() == name);
            }

            // Note: the MEDIS test roots are not our trust anchors, so trust is not established, but nothing is broken.
            Assert.NotEqual("passed", checks.Single(c => c.GetProperty("check").GetString() == "trust-chain").GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Verify_TamperedMedisSample_ReportsTheBrokenReference()
    {
        var xml = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(Sample("Prescription-004_01.xml")));
        var start = xml.IndexOf("<PrescriptionDocument", StringComparison.Ordinal);
        var content = xml.IndexOf('>', start) + 5;
        var tampered = xml[..content] + (xml[content] == 'A' ? 'B' : 'A') + xml[(content + 1)..];

        var report = await VerifyAsync(Encoding.UTF8.GetBytes(tampered));

        Assert.False(report.GetProperty("valid").GetBoolean());
        var checks = report.GetProperty("signatures")[0].GetProperty("checks").EnumerateArray();
        Assert.Contains(checks, c => c.GetProperty("check").GetString() == "reference-digest" && c.GetProperty("status").GetString() == "failed");
    }

    [Fact]
    public async Task Verify_Garbage_Returns400ProblemNot500()
    {
        using var content = new ByteArrayContent("<not-signed/>"u8.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/xml");
        using var response = await fixture.Http.PostAsync(new Uri("/v1/verifications", UriKind.Relative), content);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("xades.", body.GetProperty("code").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Verifies <paramref name="xml"/> at <c>POST /v1/verifications</c> of the class's service, or of <paramref name="http"/>'s.</summary>
    private async Task<JsonElement> VerifyAsync(byte[] xml, HttpClient? http = null)
    {
        using var content = new ByteArrayContent(xml);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/xml");
        using var response = await (http ?? fixture.Http).PostAsync(new Uri("/v1/verifications", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task XmlSecVerifyAsync(byte[] xml, string dataId, string signatureId)
    {
        var dir = Directory.CreateTempSubdirectory("signsvc-xmlsec-").FullName;
        try
        {
            foreach (var name in new[] { "root", "signing" })
            {
                await File.WriteAllTextAsync(System.IO.Path.Combine(dir, $"{name}.pem"), System.Security.Cryptography.X509Certificates.X509CertificateLoader
                    .LoadCertificate(await fixture.Http.GetByteArrayAsync(new Uri($"/pki/ca/{name}.cer", UriKind.Relative))).ExportCertificatePem());
            }

            await File.WriteAllBytesAsync(System.IO.Path.Combine(dir, "signed.xml"), xml);
            using var process = Process.Start(new ProcessStartInfo("xmlsec1",
            [
                "--verify", "--trusted-pem", System.IO.Path.Combine(dir, "root.pem"), "--untrusted-pem", System.IO.Path.Combine(dir, "signing.pem"),
                "--id-attr:id", dataId,
                "--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:Signature",
                "--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:KeyInfo",
                "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
                "--node-id", signatureId, System.IO.Path.Combine(dir, "signed.xml"),
            ]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"xmlsec1 refused our signature: {stderr}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Sample(string file, [System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(here)!, "..", "..", "SignatureService.Pki.Tests", "TestData", "XAdES", file));
}
