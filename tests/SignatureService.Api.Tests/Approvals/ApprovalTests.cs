using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Tests.Identity;
using SignatureService.Api.Tests.SignatureRequests;
using SignatureService.Pki.Revocation;

namespace SignatureService.Api.Tests.Approvals;

/// <summary>
/// Signature approval through the real path: a signer with a registered (software) security key logs in, asks for approval
/// options over pending requests, signs the challenge (SHA-256 of the Signature Activation Data) and the requests are
/// approved, signed in the HSM and verifiable by xmlsec1. Every refusal asserts its catalogue code.
/// </summary>
public sealed class ApprovalTests(SigningFixture fixture) : IClassFixture<SigningFixture>
{
    private Task<long> SignedEventsAsync(Guid requestId) =>
        fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{requestId}'");

    private Task<string?> StatusAsync(Guid requestId) =>
        fixture.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{requestId}'");

    [Fact]
    public async Task ApprovalTransactionStore_DocumentRowsRefused_NothingOfTheApprovalIsWritten()
    {
        // Note: the approval row and its audit event go through SaveChanges, the document rows through a statement of their own;
        // a document row the database refuses (here: no such document) must take the approval and its event with it.
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var approvalId = Guid.CreateVersion7();
        var failure = await Assert.ThrowsAnyAsync<Npgsql.PostgresException>(() => fixture.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<SignatureService.Data.SignatureServiceDbContext>();
            var now = DateTimeOffset.UtcNow;
            var approval = new SignatureService.Data.Approvals.ApprovalTransactionRecord
            {
                Id = approvalId, SignerUserId = signer.UserId, Nonce = RandomNumberGenerator.GetBytes(32), Encoding = [1], Challenge = new byte[32],
                AllowedCredentialIds = [[1, 2, 3]], DocumentCount = 1, CreatedAt = now, ExpiresAt = now.AddMinutes(5),
            };
            sp.GetRequiredService<SignatureService.Data.Audit.AuditTrail>().Record(
                db, new SignatureService.Data.Audit.AuditActor("signer", signer.UserId.ToString()), "approval.issued", "approval", approvalId.ToString());
            await SignatureService.Data.Approvals.ApprovalTransactionStore.AddAsync(db, approval,
            [
                new SignatureService.Data.Approvals.ApprovalTransactionDocumentRecord
                {
                    ApprovalId = approvalId, DocumentId = Guid.NewGuid(), RequestId = Guid.NewGuid(), Ordinal = 1, DocumentType = "prescription",
                    Sha256 = new byte[32],
                },
            ], CancellationToken.None);
            return 0;
        }));

        Assert.Equal("23503", failure.SqlState); // foreign_key_violation
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM approval_transactions WHERE id = '{approvalId}'"));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE target_id = '{approvalId}'"));
    }

    [Fact]
    public async Task ApproveSingle_RealCeremony_IsSignedOnceAndVerifiedByXmlSec()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var (client, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());

        var approvalId = await signer.ApproveAsync(id);
        var status = await ApprovalHarness.WaitForFinalStatusAsync(client, id);

        Assert.Equal("signed", status);
        Assert.Equal(1L, await SignedEventsAsync(id));
        var (signed, _) = await client.SendAsync(HttpMethod.Get, $"/v1/signature-requests/{id}/documents/1/signed");
        await fixture.XmlSecVerifyAsync(await signed.Content.ReadAsByteArrayAsync(), "PrescriptionDocument", "PrescriptionSign");
        Assert.Equal(approvalId, await fixture.Database.ScalarAsync<Guid>($"SELECT approval_id FROM signature_requests WHERE id = '{id}'"));
    }

    [Fact]
    public async Task ApproveBatch_TwoRequestsThreeDocuments_AllSignedAndEvidenceStored()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var (client1, first) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription(),
            TestClient.Document("death-certificate", Encoding.UTF8.GetBytes(SigningFixture.DeathCertificateJson()), "application/json"));
        var (client2, second) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var (_, untouched) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());

        var (approvalId, challenge, options) = await signer.OptionsAsync(first, second);
        var assertion = signer.Sign(challenge);
        var approved = await signer.AssertAsync(approvalId, assertion);
        await IdentityHarness.Expect(approved, HttpStatusCode.OK);

        Assert.Equal(3, options.GetProperty("summary").GetProperty("documentCount").GetInt32());
        Assert.Equal(2, options.GetProperty("summary").GetProperty("requestCount").GetInt32());
        Assert.Equal(challenge, SHA256.HashData(System.Buffers.Text.Base64Url.DecodeFromChars(options.GetProperty("encoding").GetString())));
        Assert.Equal("signed", await ApprovalHarness.WaitForFinalStatusAsync(client1, first));
        Assert.Equal("signed", await ApprovalHarness.WaitForFinalStatusAsync(client2, second));
        Assert.Equal(2L, await SignedEventsAsync(first));
        Assert.Equal(1L, await SignedEventsAsync(second));
        for (var n = 1; n <= 2; n++)
        {
            var (signed, _) = await client1.SendAsync(HttpMethod.Get, $"/v1/signature-requests/{first}/documents/{n}/signed");
            await fixture.XmlSecVerifyAsync(await signed.Content.ReadAsByteArrayAsync(),
                n == 1 ? "PrescriptionDocument" : "DeathCertificateDocument", n == 1 ? "PrescriptionSign" : "DeathCertificateSign");
        }

        // Only approved documents reach the HSM: the signer's third request was not in the batch.
        Assert.Equal("pending-approval", await StatusAsync(untouched));
        Assert.Equal(0L, await SignedEventsAsync(untouched));

        // The evidence, read back by the signer through the request.
        var evidence = await signer.Browser.GetFromJsonAsync<JsonElement>($"/v1/signature-requests/{second}/approval");
        Assert.Equal(approvalId, evidence.GetProperty("id").GetGuid());
        Assert.Equal("approved", evidence.GetProperty("status").GetString());
        Assert.Equal(3, evidence.GetProperty("documents").GetArrayLength());
        var stored = evidence.GetProperty("evidence");
        Assert.Equal(assertion.AuthenticatorData, System.Buffers.Text.Base64Url.DecodeFromChars(stored.GetProperty("authenticatorData").GetString()));
        Assert.Equal(assertion.ClientDataJson, System.Buffers.Text.Base64Url.DecodeFromChars(stored.GetProperty("clientDataJson").GetString()));
        Assert.Equal(assertion.Signature, System.Buffers.Text.Base64Url.DecodeFromChars(stored.GetProperty("signature").GetString()));
        Assert.Equal(assertion.CredentialId, System.Buffers.Text.Base64Url.DecodeFromChars(stored.GetProperty("credentialId").GetString()));
        Assert.Equal(Infrastructure.TestTrust.Default.Aaguid, stored.GetProperty("aaguid").GetGuid());
    }

    [Fact]
    public async Task Assertion_Replayed_ReturnsApprovalConsumed()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var (_, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var (approvalId, challenge, _) = await signer.OptionsAsync(id);
        var assertion = signer.Sign(challenge);
        await IdentityHarness.Expect(await signer.AssertAsync(approvalId, assertion), HttpStatusCode.OK);

        var replay = await signer.AssertAsync(approvalId, assertion);

        await IdentityHarness.ExpectProblem(replay, 409, "approval.consumed");
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'approval.approved' AND target_id = '{approvalId}'"));
        Assert.Equal("active", await fixture.Database.ScalarAsync<string>($"SELECT status FROM webauthn_credentials WHERE user_id = '{signer.UserId}'"));
    }

    [Fact]
    public async Task Assertion_AnotherSignersKey_ReturnsCredentialNotAllowed()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var other = await fixture.CreateSignerSessionAsync("doctor");
        var (_, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var (approvalId, challenge, _) = await signer.OptionsAsync(id);

        var response = await signer.AssertAsync(approvalId, signer.Sign(challenge, other.Key));

        await IdentityHarness.ExpectProblem(response, 403, "approval.credential-not-allowed");
        Assert.Equal("pending-approval", await StatusAsync(id));
    }

    [Fact]
    public async Task Assertion_OtherSignerFinishingMyApproval_ReturnsNotFound()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var other = await fixture.CreateSignerSessionAsync("doctor");
        var (_, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var (approvalId, challenge, _) = await signer.OptionsAsync(id);

        var response = await other.AssertAsync(approvalId, other.Sign(challenge));

        await IdentityHarness.ExpectProblem(response, 404, "resource.not-found");
        Assert.Equal("pending-approval", await StatusAsync(id));
    }

    [Fact]
    public async Task Assertion_DocumentChangedAfterOptions_ReturnsDocumentChanged()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var (_, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var (approvalId, challenge, _) = await signer.OptionsAsync(id);
        var other = SigningFixture.Prescription();
        await fixture.Database.ExecuteAsync(
            $"UPDATE signature_request_documents SET content = '\\x{Convert.ToHexString(other)}', sha256 = '\\x{Convert.ToHexString(SHA256.HashData(other))}' WHERE request_id = '{id}'");

        var response = await signer.AssertAsync(approvalId, signer.Sign(challenge));

        await IdentityHarness.ExpectProblem(response, 409, "approval.document-changed");
        Assert.Equal("pending-approval", await StatusAsync(id));
        Assert.Null(await fixture.Database.ScalarAsync<DateTime?>($"SELECT consumed_at FROM approval_transactions WHERE id = '{approvalId}'"));
    }

    [Fact]
    public async Task Assertion_TransactionExpired_ReturnsApprovalExpired()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var (_, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var (approvalId, challenge, _) = await signer.OptionsAsync(id);
        await fixture.Database.ExecuteAsync(
            $"UPDATE approval_transactions SET created_at = created_at - interval '10 minutes', expires_at = expires_at - interval '10 minutes' WHERE id = '{approvalId}'");

        var response = await signer.AssertAsync(approvalId, signer.Sign(challenge));

        await IdentityHarness.ExpectProblem(response, 409, "approval.expired");
        Assert.Equal("pending-approval", await StatusAsync(id));
    }

    [Fact]
    public async Task Assertion_CertificateRevokedAfterOptions_ReturnsSignerWithoutValidCertificate()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var (_, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var (approvalId, challenge, _) = await signer.OptionsAsync(id);
        await fixture.WithScopeAsync(sp => sp.GetRequiredService<CertificateStatusChanges>().RevokeAsync(
            signer.Certificate.SerialNumber, RevocationReason.KeyCompromise, null, SigningFixture.Operator, CancellationToken.None));

        var response = await signer.AssertAsync(approvalId, signer.Sign(challenge));

        await IdentityHarness.ExpectProblem(response, 409, "signing.signer-without-valid-certificate");
        Assert.Equal("pending-approval", await StatusAsync(id));
        Assert.Equal(0L, await SignedEventsAsync(id));
    }

    [Fact]
    public async Task Assertion_CertificateSuspendedAfterOptions_ReturnsSignerWithoutValidCertificate()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var (_, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var (approvalId, challenge, _) = await signer.OptionsAsync(id);
        await fixture.WithScopeAsync(sp => sp.GetRequiredService<CertificateStatusChanges>().SuspendAsync(
            signer.Certificate.SerialNumber, SigningFixture.Operator, CancellationToken.None));

        var response = await signer.AssertAsync(approvalId, signer.Sign(challenge));

        await IdentityHarness.ExpectProblem(response, 409, "signing.signer-without-valid-certificate");
        Assert.Equal("pending-approval", await StatusAsync(id));
    }

    [Fact]
    public async Task Options_DentistApprovingPostmortemCertificate_ReturnsSignerNotQualified()
    {
        var dentist = await fixture.CreateSignerSessionAsync("dentist");
        var (_, id) = await fixture.SubmitAsync(dentist.UserId,
            TestClient.Document("death-certificate", Encoding.UTF8.GetBytes(SigningFixture.DeathCertificateJson()), "application/json"));
        // Note: creation already refuses a postmortem certificate for a dentist; this is the same document re-typed in the store.
        await fixture.Database.ExecuteAsync($"UPDATE signature_request_documents SET document_type = 'postmortem-certificate' WHERE request_id = '{id}'");

        var response = await dentist.RequestOptionsAsync(id);

        await IdentityHarness.ExpectProblem(response, 403, "signing.signer-not-qualified");
    }

    [Fact]
    public async Task Options_BatchOverOneHundredDocuments_ReturnsBatchTooLarge()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var (_, a) = await fixture.SubmitAsync(signer.UserId, [.. Enumerable.Range(0, 51).Select(_ => ApprovalHarness.Prescription())]);
        var (_, b) = await fixture.SubmitAsync(signer.UserId, [.. Enumerable.Range(0, 50).Select(_ => ApprovalHarness.Prescription())]);

        var tooManyDocuments = await signer.RequestOptionsAsync(a, b);
        var tooManyIds = await signer.RequestOptionsAsync([.. Enumerable.Range(0, 101).Select(_ => Guid.NewGuid())]);
        var none = await signer.RequestOptionsAsync();

        await IdentityHarness.ExpectProblem(tooManyDocuments, 400, "approval.batch-too-large");
        await IdentityHarness.ExpectProblem(tooManyIds, 400, "approval.batch-too-large");
        await IdentityHarness.ExpectProblem(none, 400, "approval.batch-too-large");
    }

    [Fact]
    public async Task Options_AnotherSignersRequestInBatch_ReturnsRequestUnknown()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var other = await fixture.CreateSignerSessionAsync("doctor");
        var (_, mine) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var (_, theirs) = await fixture.SubmitAsync(other.UserId, ApprovalHarness.Prescription());

        var response = await signer.RequestOptionsAsync(mine, theirs);

        await IdentityHarness.ExpectProblem(response, 404, "approval.request-unknown");
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM approval_transactions WHERE signer_user_id = '{signer.UserId}'"));
    }

    [Fact]
    public async Task Options_RequestNotPending_ReturnsRequestNotPending()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var (client, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var (cancelled, _) = await client.SendAsync(HttpMethod.Post, $"/v1/signature-requests/{id}/cancel", new { });
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);

        var response = await signer.RequestOptionsAsync(id);

        await IdentityHarness.ExpectProblem(response, 409, "approval.request-not-pending");
    }

    [Fact]
    public async Task Options_ExpiredRequestInBatch_ReturnsRequestNotPending_NamingIt()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var (_, fresh) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var (_, expired) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription(), ApprovalHarness.Prescription());
        await fixture.Database.ExecuteAsync($"UPDATE signature_requests SET created_at = now() - interval '1 hour', updated_at = now() - interval '1 hour', expires_at = now() - interval '1 second' WHERE id = '{expired}'");

        var response = await signer.RequestOptionsAsync(fresh, expired);

        var body = await response.Content.ReadAsStringAsync();
        await IdentityHarness.ExpectProblem(response, 409, "approval.request-not-pending");
        Assert.Equal($"Request {expired} is expired.", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM approval_transactions WHERE signer_user_id = '{signer.UserId}'"));
    }

    [Fact]
    public async Task Assertion_RequestCancelledAfterOptions_ReturnsRequestNotPending()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var (client, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var (approvalId, challenge, _) = await signer.OptionsAsync(id);
        await client.SendAsync(HttpMethod.Post, $"/v1/signature-requests/{id}/cancel", new { });

        var response = await signer.AssertAsync(approvalId, signer.Sign(challenge));

        await IdentityHarness.ExpectProblem(response, 409, "approval.request-not-pending");
        Assert.Equal("cancelled", await StatusAsync(id));
    }

    [Fact]
    public async Task Assertions_TwoApprovalsRacingForOneRequest_ExactlyOneWins()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var (client, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var (firstId, firstChallenge, _) = await signer.OptionsAsync(id);
        var (secondId, secondChallenge, _) = await signer.OptionsAsync(id);
        var firstAssertion = signer.Sign(firstChallenge);
        var secondAssertion = signer.Sign(secondChallenge);

        var responses = await Task.WhenAll(signer.AssertAsync(firstId, firstAssertion), signer.AssertAsync(secondId, secondAssertion));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        var loser = Assert.Single(responses, r => r.StatusCode != HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Conflict, loser.StatusCode);
        var code = JsonDocument.Parse(await loser.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();
        // Note: with one key the counter row serialises the two (resource.state-conflict); otherwise the request's row version does.
        Assert.Contains(code, new[] { "approval.request-not-pending", "resource.state-conflict", "webauthn.sign-count-regressed" });
        Assert.Equal("signed", await ApprovalHarness.WaitForFinalStatusAsync(client, id));
        Assert.Equal(1L, await SignedEventsAsync(id));
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM approval_transactions WHERE id IN ('{firstId}', '{secondId}') AND consumed_at IS NOT NULL"));
    }

    [Fact]
    public async Task Approvals_WrongActors_AreRefused()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var (client, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        using var anonymous = fixture.Factory.CreateClient();
        var body = new { requestIds = new[] { id } };

        var (ehr, _) = await client.SendAsync(HttpMethod.Post, "/v1/approvals", body);
        var anonymousResponse = await anonymous.PostAsJsonAsync("/v1/approvals", body);
        var withoutCsrf = await signer.PostAsync("/v1/approvals", body, csrf: false);
        var (operatorBrowser, operatorCsrf) = await OperatorAsync("ca-operator");
        using var operatorRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/approvals") { Content = JsonContent.Create(body) };
        operatorRequest.Headers.Add("X-CSRF-Token", operatorCsrf);
        var operatorResponse = await operatorBrowser.SendAsync(operatorRequest);
        using var ehrGet = new HttpRequestMessage(HttpMethod.Get, $"/v1/signature-requests/{id}/approval");
        ehrGet.Headers.Authorization = new AuthenticationHeaderValue("Bearer", client.Token());
        var ehrEvidence = await fixture.Http.SendAsync(ehrGet);

        Assert.Equal(HttpStatusCode.Unauthorized, ehr.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousResponse.StatusCode);
        await IdentityHarness.ExpectProblem(withoutCsrf, 403, "identity.csrf-token-invalid");
        Assert.Equal(HttpStatusCode.Forbidden, operatorResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, ehrEvidence.StatusCode);
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM approval_transactions WHERE signer_user_id = '{signer.UserId}'"));
    }

    [Fact]
    public async Task Evidence_OtherSignerRefused_AuditorAllowed()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var other = await fixture.CreateSignerSessionAsync("doctor");
        var (_, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var approvalId = await signer.ApproveAsync(id);
        var (auditor, _) = await OperatorAsync("auditor");

        var byOther = await other.Browser.GetAsync($"/v1/approvals/{approvalId}");
        var byOtherViaRequest = await other.Browser.GetAsync($"/v1/signature-requests/{id}/approval");
        var byAuditor = await auditor.GetAsync($"/v1/approvals/{approvalId}");

        await IdentityHarness.ExpectProblem(byOther, 404, "resource.not-found");
        await IdentityHarness.ExpectProblem(byOtherViaRequest, 404, "resource.not-found");
        await IdentityHarness.Expect(byAuditor, HttpStatusCode.OK);
        Assert.Equal("approved", (await byAuditor.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Rejection_BySigner_RejectsOnceAndOnlyOwnRequests()
    {
        var signer = await fixture.CreateSignerSessionAsync("doctor");
        var other = await fixture.CreateSignerSessionAsync("doctor");
        var (_, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());

        var byOther = await other.PostAsync($"/v1/signature-requests/{id}/rejection", new { reason = "not mine" });
        var tooLong = await signer.PostAsync($"/v1/signature-requests/{id}/rejection", new { reason = new string('x', 501) });
        var rejected = await signer.PostAsync($"/v1/signature-requests/{id}/rejection", new { reason = "Wrong dose" });
        var again = await signer.PostAsync($"/v1/signature-requests/{id}/rejection", new { });
        var approveRejected = await signer.RequestOptionsAsync(id);

        await IdentityHarness.ExpectProblem(byOther, 404, "resource.not-found");
        await IdentityHarness.ExpectProblem(tooLong, 400, "request.validation-failed");
        await IdentityHarness.Expect(rejected, HttpStatusCode.OK);
        await IdentityHarness.ExpectProblem(again, 409, "resource.state-conflict");
        await IdentityHarness.ExpectProblem(approveRejected, 409, "approval.request-not-pending");
        Assert.Equal("rejected", await StatusAsync(id));
        Assert.Equal("Wrong dose", await fixture.Database.ScalarAsync<string>($"SELECT status_reason FROM signature_requests WHERE id = '{id}'"));
    }

    private async Task<(HttpClient Browser, string Csrf)> OperatorAsync(string role)
    {
        var (userId, enrollment) = await fixture.WithScopeAsync(sp => sp.GetRequiredService<Features.Identity.OperatorEnrollment>()
            .CreateAsync("Operator Test", [role], SigningFixture.Operator, CancellationToken.None));
        var browser = fixture.Factory.CreateClient();
        var options = await browser.PostAsJsonAsync("/v1/identity/registration/options", new { enrollmentId = enrollment.EnrollmentId, code = enrollment.Code });
        var creation = (await options.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey");
        var registration = Infrastructure.TestTrust.Default.Authenticator.MakeCredential(new WebAuthn.Testing.MakeCredentialRequest(
            Infrastructure.TestTrust.RpId, Infrastructure.TestTrust.Origin, System.Buffers.Text.Base64Url.DecodeFromChars(creation.GetProperty("challenge").GetString()))
        {
            UserHandle = System.Buffers.Text.Base64Url.DecodeFromChars(creation.GetProperty("user").GetProperty("id").GetString()),
        });
        await IdentityHarness.Expect(await browser.PostAsJsonAsync("/v1/identity/registration",
            new { enrollmentId = enrollment.EnrollmentId, code = enrollment.Code, credential = IdentityHarness.CredentialJson(registration) }), HttpStatusCode.Created);
        Assert.NotEqual(Guid.Empty, userId);
        return (browser, await ApprovalHarness.LoginAsync(browser, registration.Credential));
    }
}
