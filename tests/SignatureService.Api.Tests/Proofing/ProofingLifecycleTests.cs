using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Clients;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.WebAuthn.Testing;
using static SignatureService.Api.Tests.Identity.IdentityHarness;

namespace SignatureService.Api.Tests.Proofing;

[Collection(ProofingGroup.Name)]
public sealed class ProofingLifecycleTests(ProofingFixture f)
{
    private async Task<(Guid UserId, SoftwareCredential Credential, Guid ApplicationId)> EnrolledSignerAsync()
    {
        var verifier = await f.OperatorAsync();
        var approver = await f.OperatorAsync();
        var id = await f.VerifiedApplicationAsync(verifier);
        var (userId, enrollmentId, code) = await ProofingFixture.ApproveAsync(approver, id);
        var (bound, registration) = await f.BindAsync(enrollmentId, code);
        await Expect(bound, HttpStatusCode.Created);
        return (userId, registration!.Credential, id);
    }

    [Fact]
    public async Task SuspendThenReinstate_Signer_KeysAndCertificatesFollow()
    {
        var (userId, credential, _) = await EnrolledSignerAsync();
        var ra = await f.OperatorAsync();
        var db = f.H.Db;

        var suspended = await ra.PostAsync($"/v1/proofing/signers/{userId}/suspension", new { reason = "key reported lost" });
        await Expect(suspended, HttpStatusCode.OK);
        Assert.Equal("suspended", await db.ScalarAsync<string>($"SELECT status FROM users WHERE id = '{userId}'"));
        Assert.Equal("on-hold", await db.ScalarAsync<string>($"SELECT status FROM certificates WHERE user_id = '{userId}' AND kind = 'signer'"));
        Assert.Equal("suspended", await db.ScalarAsync<string>($"SELECT status FROM webauthn_credentials WHERE user_id = '{userId}'"));
        using (var browser = f.H.NewBrowser())
        {
            await ExpectProblem(await f.H.PostLoginAsync(Sign(credential, await f.H.LoginChallengeAsync(browser)), browser), 401, "identity.credential-not-usable");
        }

        await ExpectProblem(await ra.PostAsync($"/v1/proofing/signers/{userId}/suspension", new { reason = "again" }), 409, "proofing.signer-already-suspended");

        await Expect(await ra.PostAsync($"/v1/proofing/signers/{userId}/reinstatement", null), HttpStatusCode.OK);
        Assert.Equal("active", await db.ScalarAsync<string>($"SELECT status FROM users WHERE id = '{userId}'"));
        Assert.Equal("good", await db.ScalarAsync<string>($"SELECT status FROM certificates WHERE user_id = '{userId}' AND kind = 'signer'"));
        using (var browser = f.H.NewBrowser())
        {
            await f.H.LoginAsync(credential, browser);
        }

        await ExpectProblem(await ra.PostAsync($"/v1/proofing/signers/{userId}/reinstatement", null), 409, "proofing.signer-not-suspended");
        Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'proofing.signer-suspended' AND target_id = '{userId}'"));
        Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'proofing.signer-reinstated' AND target_id = '{userId}'"));
    }

    [Fact]
    public async Task Reinstate_CertificateAnOperatorHeldBeforeTheSuspension_StaysOnHold()
    {
        var (userId, _, _) = await EnrolledSignerAsync();
        var ra = await f.OperatorAsync();
        var ca = await f.OperatorAsync("ca-operator");
        var serial = await f.H.Db.ScalarAsync<string>($"SELECT encode(serial_number, 'hex') FROM certificates WHERE user_id = '{userId}' AND kind = 'signer'");
        await Expect(await ca.PostAsync($"/v1/ca/certificates/{serial}/suspension", null), HttpStatusCode.OK);

        await Expect(await ra.PostAsync($"/v1/proofing/signers/{userId}/suspension", new { reason = "key reported lost" }), HttpStatusCode.OK);
        var reinstated = await ra.PostAsync($"/v1/proofing/signers/{userId}/reinstatement", null);

        await Expect(reinstated, HttpStatusCode.OK);
        Assert.Equal(0, (await reinstated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("certificates").GetInt32());
        Assert.Equal("active", await f.H.Db.ScalarAsync<string>($"SELECT status FROM users WHERE id = '{userId}'"));
        Assert.Equal("on-hold", await f.H.Db.ScalarAsync<string>($"SELECT status FROM certificates WHERE user_id = '{userId}' AND kind = 'signer'"));
    }

    [Fact]
    public async Task RegistryImport_RevokingTheLicense_SuspendsTheSigner()
    {
        var (userId, _, applicationId) = await EnrolledSignerAsync();
        var number = await f.H.Db.ScalarAsync<string>($"SELECT license_number FROM proofing_applications WHERE id = '{applicationId}'");

        await f.ImportLicenseAsync("dentist", status: "revoked", number: number);

        Assert.Equal("suspended", await f.H.Db.ScalarAsync<string>($"SELECT status FROM users WHERE id = '{userId}'"));
        Assert.Equal("on-hold", await f.H.Db.ScalarAsync<string>($"SELECT status FROM certificates WHERE user_id = '{userId}' AND kind = 'signer'"));
        var ra = await f.OperatorAsync();
        await ExpectProblem(await ra.PostAsync($"/v1/proofing/signers/{userId}/reinstatement", null), 409, "certificate.signer-not-qualified");
    }

    [Fact]
    public async Task Reproofing_AfterKeyLoss_BindsANewKeyAndCertificateToTheSameSigner()
    {
        var (userId, _, _) = await EnrolledSignerAsync();
        var verifier = await f.OperatorAsync();
        var approver = await f.OperatorAsync();
        var number = await f.ImportLicenseAsync("doctor");
        var body = ProofingFixture.Application("doctor", number);
        body["purpose"] = "re-proofing-key-loss";
        body["subjectUserId"] = userId;
        var created = await verifier.PostAsync("/v1/proofing/applications", body);
        await Expect(created, HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Expect(await verifier.PostAsync($"/v1/proofing/applications/{id}/evidence", ProofingFixture.Superior("9999 8888 7777")), HttpStatusCode.Created);
        await Expect(await verifier.PostAsync($"/v1/proofing/applications/{id}/verification", ProofingFixture.Ial3Session()), HttpStatusCode.OK);

        var (sameUser, enrollmentId, code) = await ProofingFixture.ApproveAsync(approver, id);
        var (bound, _) = await f.BindAsync(enrollmentId, code);

        Assert.Equal(userId, sameUser);
        await Expect(bound, HttpStatusCode.Created);
        Assert.Equal(2L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM webauthn_credentials WHERE user_id = '{userId}'"));
        Assert.Equal(2L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM certificates WHERE user_id = '{userId}' AND kind = 'signer'"));
    }

    [Fact]
    public async Task Purge_ClosedApplicationPastRetention_ErasesPersonalDataAndKeepsAuditTrail()
    {
        var ra = await f.OperatorAsync();
        var id = await f.VerifiedApplicationAsync(ra);
        await Expect(await ra.PostAsync($"/v1/proofing/applications/{id}/rejection", new { reason = "applicant withdrew" }), HttpStatusCode.OK);
        var recent = await f.VerifiedApplicationAsync(ra);
        await Expect(await ra.PostAsync($"/v1/proofing/applications/{recent}/rejection", new { reason = "applicant withdrew" }), HttpStatusCode.OK);
        await f.H.Db.ExecuteAsync($"UPDATE proofing_applications SET closed_at = now() - interval '3654 days' WHERE id = '{id}'");
        var auditBefore = await f.H.Db.ScalarAsync<long>("SELECT count(*) FROM audit_events");

        var purged = await ra.PostAsync("/v1/proofing/purge", null);

        await Expect(purged, HttpStatusCode.OK);
        Assert.True((await purged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("applications").GetInt32() >= 1);
        Assert.Equal(0L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM proofing_evidence WHERE application_id = '{id}'"));
        Assert.Equal(1L, await f.H.Db.ScalarAsync<long>(
            $"SELECT count(*) FROM proofing_applications WHERE id = '{id}' AND family_name IS NULL AND date_of_birth IS NULL AND address IS NULL AND license_number IS NULL AND personal_data_purged_at IS NOT NULL"));
        Assert.Equal("歯科", await f.H.Db.ScalarAsync<string>($"SELECT family_name FROM proofing_applications WHERE id = '{recent}'"));
        Assert.Equal(1L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'proofing.personal-data-purged' AND target_id = '{id}'"));
        Assert.True(await f.H.Db.ScalarAsync<long>("SELECT count(*) FROM audit_events") > auditBefore);
        Assert.Equal(1L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'proofing.application-recorded' AND target_id = '{id}'"));
    }

    [Fact]
    public async Task Purge_ApprovedApplicationWhoseCodeExpiredUnused_IsClosedThenErasedAfterRetention()
    {
        var ra = await f.OperatorAsync();
        var approver = await f.OperatorAsync();
        var abandoned = await f.VerifiedApplicationAsync(ra);
        var (_, abandonedEnrollment, _) = await ProofingFixture.ApproveAsync(approver, abandoned);
        var live = await f.VerifiedApplicationAsync(ra);
        await ProofingFixture.ApproveAsync(approver, live);
        await f.H.Db.ExecuteAsync($"UPDATE enrollment_codes SET created_at = now() - interval '30 days', expires_at = now() - interval '9 days' WHERE id = '{abandonedEnrollment}'");

        await Expect(await ra.PostAsync("/v1/proofing/purge", null), HttpStatusCode.OK);

        // Closed at the code's expiry, with its audit event; the application with a usable code stays open; nothing erased yet.
        Assert.Equal(1L, await f.H.Db.ScalarAsync<long>(
            $"SELECT count(*) FROM proofing_applications a JOIN enrollment_codes e ON e.id = a.enrollment_id WHERE a.id = '{abandoned}' AND a.closed_at = e.expires_at AND a.family_name IS NOT NULL"));
        Assert.Equal(1L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'proofing.application-abandoned' AND target_id = '{abandoned}'"));
        Assert.Equal(1L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM proofing_applications WHERE id = '{live}' AND closed_at IS NULL"));

        // Once the retention period has passed since that closing, the purge erases it like any closed application.
        await f.H.Db.ExecuteAsync($"UPDATE proofing_applications SET closed_at = now() - interval '3654 days' WHERE id = '{abandoned}'");
        await Expect(await ra.PostAsync("/v1/proofing/purge", null), HttpStatusCode.OK);
        Assert.Equal(1L, await f.H.Db.ScalarAsync<long>(
            $"SELECT count(*) FROM proofing_applications WHERE id = '{abandoned}' AND family_name IS NULL AND personal_data_purged_at IS NOT NULL"));
        Assert.Equal(1L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'proofing.application-abandoned' AND target_id = '{abandoned}'"));
    }

    [Fact]
    public async Task BackupKey_AfterFreshLogin_IsAddedToTheSigner()
    {
        var (userId, credential, _) = await EnrolledSignerAsync();
        using var browser = f.H.NewBrowser();
        var csrf = await f.H.LoginAsync(credential, browser);
        var signer = new Actor(userId, browser, csrf);

        var options = await signer.PostAsync("/v1/me/keys/options", null);
        await Expect(options, HttpStatusCode.OK);
        var backup = f.H.MakeCredential((await options.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey"));
        await Expect(await signer.PostAsync("/v1/me/keys", new { nickname = "Backup", credential = CredentialJson(backup) }), HttpStatusCode.Created);

        Assert.Equal(2L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM webauthn_credentials WHERE user_id = '{userId}' AND status = 'active'"));
    }

    public static TheoryData<string, string> BadFields => new()
    {
        { "dateOfBirth", "1985-02-30" },
        { "dateOfBirth", "1890-01-01" },
        { "dateOfBirth", "2020-01-01" },
        { "familyNameKana", "シカ1" },
        { "familyName", new string('山', 51) },
        { "route", "fax" },
        { "profile", "eidas-high" },
        { "sex", "unknown-value" },
        { "postalCode", "1000001" },
        { "nameRomaji", "歯科" },
        { "licenseRegistrationDate", "2099-01-01" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task Record_BadField_Returns400NamingItAndStoresNothing(string field, string value)
    {
        var ra = await f.OperatorAsync();
        var number = ProofingFixture.NewLicenseNumber();
        var body = ProofingFixture.Application("doctor", number);
        body[field] = value;

        var response = await ra.PostAsync("/v1/proofing/applications", body);

        await ExpectProblem(response, 400, "request.validation-failed");
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"errors should name {field}: {errors}");
        Assert.Equal(0L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM proofing_applications WHERE license_number = '{number}'"));
    }

    [Fact]
    public async Task AddEvidence_UnknownKindAndExpiredDocument_Returns400NamingBothAndStoresNothing()
    {
        var ra = await f.OperatorAsync();
        var number = await f.ImportLicenseAsync("doctor");
        var created = await ra.PostAsync("/v1/proofing/applications", ProofingFixture.Application("doctor", number));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var response = await ra.PostAsync($"/v1/proofing/applications/{id}/evidence",
            new { kind = "library-card", strength = "superior", issuer = "x", expiresOn = "2001-01-01", validationMethod = "visual-inspection" });

        await ExpectProblem(response, 400, "request.validation-failed");
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("kind", out _));
        Assert.True(errors.TryGetProperty("expiresOn", out _));
        Assert.Equal(0L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM proofing_evidence WHERE application_id = '{id}'"));
    }

    [Fact]
    public async Task Record_OversizedBody_Returns413()
    {
        var ra = await f.OperatorAsync();
        var body = ProofingFixture.Application("doctor", "X1");
        body["address"] = new string('a', 20_000);

        await ExpectProblem(await ra.PostAsync("/v1/proofing/applications", body), 413, "request.payload-too-large");
    }

    [Theory]
    [InlineData("signer")]
    [InlineData("ca-operator")]
    [InlineData("auditor")]
    public async Task ProofingEndpoints_WrongRole_AreForbidden(string role)
    {
        Actor actor;
        if (role == "signer")
        {
            var (userId, credential, _) = await EnrolledSignerAsync();
            var browser = f.H.NewBrowser();
            actor = new Actor(userId, browser, await f.H.LoginAsync(credential, browser));
        }
        else
        {
            actor = await f.OperatorAsync(role);
        }

        var verifier = await f.OperatorAsync();
        var id = await f.VerifiedApplicationAsync(verifier);
        var number = await f.ImportLicenseAsync("doctor");

        Assert.Equal(HttpStatusCode.Forbidden, (await actor.PostAsync("/v1/proofing/applications", ProofingFixture.Application("doctor", number))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await actor.PostAsync($"/v1/proofing/applications/{id}/approval", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await actor.Browser.GetAsync($"/v1/proofing/applications/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await actor.PostAsync($"/v1/proofing/signers/{verifier.UserId}/suspension", new { reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await actor.PostAsync("/v1/proofing/purge", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await actor.PostAsync($"/v1/proofing/applications/{id}/binding-attestation", new { method = "attended-session" })).StatusCode);
        Assert.Equal("verified", await f.H.Db.ScalarAsync<string>($"SELECT status FROM proofing_applications WHERE id = '{id}'"));
        Assert.Equal(0L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM proofing_applications WHERE license_number = '{number}'"));
    }

    [Fact]
    public async Task ProofingEndpoints_AnonymousAndEhrClient_AreUnauthorized()
    {
        var verifier = await f.OperatorAsync();
        var id = await f.VerifiedApplicationAsync(verifier);
        using var anonymous = f.H.NewBrowser();
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientId = "ehr-" + Guid.NewGuid().ToString("N")[..12];
        await f.WithScopeAsync(sp => sp.GetRequiredService<ClientRegistration>().RegisterAsync(
            new RegisterClientInput(clientId, "Test EHR", [new ClientKeyInput("k1", "ES256", Jose.PublicJwk(key))], []),
            ProofingFixture.CaOperator, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/v1/proofing/applications/{id}/approval", null)).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/proofing/applications/{id}/approval");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Jose.SignEs256(key, "k1", Jose.Claims(clientId, "signature-service", DateTimeOffset.UtcNow)));
        var ehr = await anonymous.SendAsync(request);
        Assert.True(ehr.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"EHR client got {(int)ehr.StatusCode}");
        Assert.Equal("verified", await f.H.Db.ScalarAsync<string>($"SELECT status FROM proofing_applications WHERE id = '{id}'"));
    }

    [Fact]
    public async Task Approve_WithoutCsrfToken_IsRefused()
    {
        var verifier = await f.OperatorAsync();
        var approver = await f.OperatorAsync();
        var id = await f.VerifiedApplicationAsync(verifier);

        var response = await approver.Browser.PostAsync($"/v1/proofing/applications/{id}/approval", null);

        Assert.False(response.IsSuccessStatusCode);
        Assert.Equal("verified", await f.H.Db.ScalarAsync<string>($"SELECT status FROM proofing_applications WHERE id = '{id}'"));
    }
}
