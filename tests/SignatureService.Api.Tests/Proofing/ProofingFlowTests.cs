using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using SignatureService.Api.Tests.Identity;
using SignatureService.Core.Qualification;
using SignatureService.Pki.HealthcareRoles;
using SignatureService.Pki.Tests.Support;
using static SignatureService.Api.Tests.Identity.IdentityHarness;

namespace SignatureService.Api.Tests.Proofing;

[Collection(ProofingGroup.Name)]
public sealed class ProofingFlowTests(ProofingFixture f)
{
    [Fact]
    public async Task Binding_Ial3WithoutAttestation_IsRefused_ThenAttendedAttestationLetsItBind()
    {
        var verifier = await f.OperatorAsync();
        var approver = await f.OperatorAsync();
        var id = await f.VerifiedApplicationAsync(verifier);
        var (userId, enrollmentId, code) = await ProofingFixture.ApproveAsync(approver, id, attestBinding: false);

        var (refused, _) = await f.BindAsync(enrollmentId, code);
        await ExpectProblem(refused, 409, "proofing.binding-not-attested");
        Assert.Equal(0L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM certificates WHERE user_id = '{userId}'"));
        Assert.Equal("approved", await f.H.Db.ScalarAsync<string>($"SELECT status FROM proofing_applications WHERE id = '{id}'"));

        // The verifier (with the applicant in the attended session) may attest as well as the approver.
        await Expect(await verifier.PostAsync($"/v1/proofing/applications/{id}/binding-attestation", new { method = "attended-session" }), HttpStatusCode.OK);
        Assert.Equal(1L, await f.H.Db.ScalarAsync<long>(
            $"SELECT count(*) FROM audit_events WHERE action = 'proofing.binding-attested' AND target_id = '{id}' AND actor_id = '{verifier.UserId}'"));
        var (bound, _) = await f.BindAsync(enrollmentId, code);
        await Expect(bound, HttpStatusCode.Created);
        Assert.Equal(1L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM certificates WHERE user_id = '{userId}'"));
    }

    [Fact]
    public async Task Binding_AttestationOlderThanTheWindow_IsRefused()
    {
        var verifier = await f.OperatorAsync();
        var approver = await f.OperatorAsync();
        var id = await f.VerifiedApplicationAsync(verifier);
        var (userId, enrollmentId, code) = await ProofingFixture.ApproveAsync(approver, id);
        await f.H.Db.ExecuteAsync($"UPDATE proofing_applications SET binding_attested_at = binding_attested_at - interval '31 minutes' WHERE id = '{id}'");

        var (refused, _) = await f.BindAsync(enrollmentId, code);

        await ExpectProblem(refused, 409, "proofing.binding-not-attested");
        Assert.Equal(0L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM certificates WHERE user_id = '{userId}'"));
    }

    [Fact]
    public async Task BindingAttestation_BadInputAndWrongState_AreRefusedWithCodes()
    {
        var verifier = await f.OperatorAsync();
        var approver = await f.OperatorAsync();
        var id = await f.VerifiedApplicationAsync(verifier);
        var path = $"/v1/proofing/applications/{id}/binding-attestation";

        // Not approved yet.
        await ExpectProblem(await verifier.PostAsync(path, new { method = "attended-session" }), 409, "resource.state-conflict");
        await ProofingFixture.ApproveAsync(approver, id, attestBinding: false);
        await ExpectProblem(await approver.PostAsync(path, new { method = "video-call" }), 400, "request.validation-failed");
        await ExpectProblem(await approver.PostAsync(path, new { method = "biometric-rematch" }), 400, "request.validation-failed");
        await ExpectProblem(await approver.PostAsync(path, new { method = "biometric-rematch", biometricSampleSha256 = "xyz" }), 400, "request.validation-failed");
        Assert.Null(await f.H.Db.ScalarAsync<string>($"SELECT binding_attestation FROM proofing_applications WHERE id = '{id}'"));

        await Expect(await approver.PostAsync(path, new { method = "biometric-rematch", biometricSampleSha256 = new string('c', 64) }), HttpStatusCode.OK);
        Assert.Equal("biometric-rematch", await f.H.Db.ScalarAsync<string>($"SELECT binding_attestation FROM proofing_applications WHERE id = '{id}'"));
    }

    [Fact]
    public async Task FullPath_DentistApplicationToBinding_IssuesCertificateWithDentistRole()
    {
        var verifier = await f.OperatorAsync();
        var approver = await f.OperatorAsync();
        var number = await f.ImportLicenseAsync("dentist");

        var created = await verifier.PostAsync("/v1/proofing/applications", ProofingFixture.Application("dentist", number));
        await Expect(created, HttpStatusCode.Created);
        var application = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = application.GetProperty("id").GetGuid();
        Assert.Equal("recorded", application.GetProperty("status").GetString());
        Assert.Equal("matched", application.GetProperty("licenseCheck").GetString());

        var evidence = await verifier.PostAsync($"/v1/proofing/applications/{id}/evidence", ProofingFixture.Superior());
        await Expect(evidence, HttpStatusCode.Created);
        Assert.Equal("********9012", (await evidence.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("numberMasked").GetString());

        var verified = await verifier.PostAsync($"/v1/proofing/applications/{id}/verification", ProofingFixture.Ial3Session());
        await Expect(verified, HttpStatusCode.OK);
        Assert.Equal("IAL3", (await verified.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("achievedIal").GetString());

        var (userId, enrollmentId, code) = await ProofingFixture.ApproveAsync(approver, id);
        Assert.True(code.Replace("-", "", StringComparison.Ordinal).Length * 5 >= 128);

        var (bound, registration) = await f.BindAsync(enrollmentId, code);
        await Expect(bound, HttpStatusCode.Created);
        var binding = await bound.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(userId, binding.GetProperty("userId").GetGuid());
        Assert.Equal(["Dentist"], binding.GetProperty("hcRoles").EnumerateArray().Select(r => r.GetString()));

        // Independent oracles: OpenSSL reads the HPKI profile; the hcRole parser reads exactly Dentist.
        using var certificate = X509Certificate2.CreateFromPem(binding.GetProperty("certificatePem").GetString());
        Assert.Equal([HcRole.Dentist], HcRoleExtension.ReadRoles(certificate));
        using var dir = new TempDir();
        var text = OpenSsl.Run(dir.Path, "x509", "-in", dir.WritePem("signer.pem", certificate), "-noout", "-text", "-nameopt", "RFC2253,-esc_msb").StdOut;
        Assert.Contains("CN=SHIKA HANAKO", text, StringComparison.Ordinal);
        Assert.Contains("O=Example Dental Clinic", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Key Usage: critical\n                Non Repudiation\n", text, StringComparison.Ordinal);
        Assert.False(Assert.Single(certificate.Extensions.Cast<X509Extension>(), e => e.Oid?.Value == "2.5.29.9").Critical);

        var db = f.H.Db;
        Assert.Equal("active", await db.ScalarAsync<string>($"SELECT status FROM users WHERE id = '{userId}'"));
        Assert.Equal("enrolled", await db.ScalarAsync<string>($"SELECT status FROM proofing_applications WHERE id = '{id}'"));
        Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM hsm_keys k JOIN certificates c ON c.key_id = k.id WHERE c.user_id = '{userId}' AND k.purpose = 'signer'"));
        foreach (var action in new[] { "proofing.application-recorded", "proofing.evidence-added", "proofing.verified", "proofing.approved", "proofing.enrolled" })
        {
            Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = '{action}' AND target_id = '{id}'"));
        }

        // The evidence number is stored only masked and keyed-hashed; the raw number is nowhere in the row.
        Assert.Equal(0L, await db.ScalarAsync<long>(
            $"SELECT count(*) FROM proofing_evidence e WHERE e.application_id = '{id}' AND (e::text LIKE '%5678%' OR length(e.number_hash) <> 32)"));

        // The signer logs in with the bound key.
        using var signerBrowser = f.H.NewBrowser();
        await f.H.LoginAsync(registration!.Credential, signerBrowser);

        // Code reused.
        var (again, _) = await f.BindAsync(enrollmentId, code);
        await ExpectProblem(again, 400, "identity.enrollment-invalid");
    }

    [Fact]
    public async Task Approve_BySameOperatorWhoVerified_ReturnsDualControlAndChangesNothing()
    {
        var verifier = await f.OperatorAsync();
        var id = await f.VerifiedApplicationAsync(verifier);

        await ExpectProblem(await verifier.PostAsync($"/v1/proofing/applications/{id}/approval", null), 403, "proofing.dual-control");

        Assert.Equal("verified", await f.H.Db.ScalarAsync<string>($"SELECT status FROM proofing_applications WHERE id = '{id}'"));
        Assert.Equal(1L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'proofing.approval-refused' AND target_id = '{id}' AND outcome = 'failure'"));
    }

    [Fact]
    public async Task Approve_AlreadyDecided_ReturnsApplicationDecided()
    {
        var verifier = await f.OperatorAsync();
        var approver = await f.OperatorAsync();
        var id = await f.VerifiedApplicationAsync(verifier);
        await ProofingFixture.ApproveAsync(approver, id);

        await ExpectProblem(await approver.PostAsync($"/v1/proofing/applications/{id}/approval", null), 409, "proofing.application-decided");
        await ExpectProblem(await verifier.PostAsync($"/v1/proofing/applications/{id}/rejection", new { reason = "late" }), 409, "proofing.application-decided");
        Assert.Equal(1L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM enrollment_codes e JOIN proofing_applications a ON a.enrollment_id = e.id WHERE a.id = '{id}'"));
    }

    [Fact]
    public async Task Approve_Unverified_ReturnsNotVerified()
    {
        var ra = await f.OperatorAsync();
        var number = await f.ImportLicenseAsync("doctor");
        var created = await ra.PostAsync("/v1/proofing/applications", ProofingFixture.Application("doctor", number));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        await ExpectProblem(await ra.PostAsync($"/v1/proofing/applications/{id}/approval", null), 409, "proofing.application-not-verified");
    }

    [Fact]
    public async Task Verify_OneFairItemUnderNistProfile_ReturnsEvidenceInsufficient()
    {
        var ra = await f.OperatorAsync();
        var number = await f.ImportLicenseAsync("doctor");
        var created = await ra.PostAsync("/v1/proofing/applications", ProofingFixture.Application("doctor", number));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Expect(await ra.PostAsync($"/v1/proofing/applications/{id}/evidence",
            new { kind = "health-insurance-card", strength = "fair", issuer = "協会けんぽ", validationMethod = "visual-inspection" }), HttpStatusCode.Created);

        var refused = await ra.PostAsync($"/v1/proofing/applications/{id}/verification", ProofingFixture.Ial3Session());

        await ExpectProblem(refused, 409, "proofing.evidence-insufficient");
        Assert.Contains("evidence-strength", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("recorded", await f.H.Db.ScalarAsync<string>($"SELECT status FROM proofing_applications WHERE id = '{id}'"));
    }

    [Fact]
    public async Task Approve_MailRouteUnderGuideline_AchievesIal2AndIsRefusedBelowMinimum()
    {
        var verifier = await f.OperatorAsync();
        var approver = await f.OperatorAsync();
        var number = await f.ImportLicenseAsync("pharmacist");
        var created = await verifier.PostAsync("/v1/proofing/applications",
            ProofingFixture.Application("pharmacist", number, profile: "mhlw-guideline", route: "mail"));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        foreach (var item in new object[]
                 {
                     new { kind = "passport", strength = "strong", issuer = "外務省", number = "TK1234567", validationMethod = "visual-inspection" },
                     new { kind = "resident-record", strength = "fair", issuer = "千代田区", validationMethod = "issuer-confirmation" },
                     new { kind = "seal-registration-certificate", strength = "fair", issuer = "千代田区", validationMethod = "visual-inspection" },
                 })
        {
            await Expect(await verifier.PostAsync($"/v1/proofing/applications/{id}/evidence", item), HttpStatusCode.Created);
        }

        var verified = await verifier.PostAsync($"/v1/proofing/applications/{id}/verification",
            new { biometricConsent = false, postalNotificationSent = true });
        await Expect(verified, HttpStatusCode.OK);
        Assert.Equal("IAL2", (await verified.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("achievedIal").GetString());

        await ExpectProblem(await approver.PostAsync($"/v1/proofing/applications/{id}/approval", null), 409, "proofing.assurance-below-minimum");
        Assert.Equal("verified", await f.H.Db.ScalarAsync<string>($"SELECT status FROM proofing_applications WHERE id = '{id}'"));
    }

    [Fact]
    public async Task Record_UnknownLicenseNumber_ReturnsLicenseUnknownAndStoresNothing()
    {
        var ra = await f.OperatorAsync();
        var number = ProofingFixture.NewLicenseNumber();

        await ExpectProblem(await ra.PostAsync("/v1/proofing/applications", ProofingFixture.Application("doctor", number)), 409, "proofing.license-unknown");

        Assert.Equal(0L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM proofing_applications WHERE license_number = '{number}'"));
    }

    [Fact]
    public async Task Record_SameNameDifferentDateOfBirth_ReturnsLicenseMismatch()
    {
        var ra = await f.OperatorAsync();
        var number = await f.ImportLicenseAsync("doctor", born: "1985-05-07");

        await ExpectProblem(await ra.PostAsync("/v1/proofing/applications", ProofingFixture.Application("doctor", number)), 409, "proofing.license-mismatch");

        Assert.Equal(0L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM proofing_applications WHERE license_number = '{number}'"));
    }

    [Fact]
    public async Task Record_DentistLicenseClaimedAsDoctor_ReturnsLicenseUnknown()
    {
        var ra = await f.OperatorAsync();
        var number = await f.ImportLicenseAsync("dentist");

        await ExpectProblem(await ra.PostAsync("/v1/proofing/applications", ProofingFixture.Application("doctor", number)), 409, "proofing.license-unknown");
    }

    [Fact]
    public async Task Record_RevokedLicense_ReturnsLicenseRevoked()
    {
        var ra = await f.OperatorAsync();
        var number = await f.ImportLicenseAsync("doctor", status: "revoked");

        await ExpectProblem(await ra.PostAsync("/v1/proofing/applications", ProofingFixture.Application("doctor", number)), 409, "proofing.license-revoked");
    }

    [Fact]
    public async Task Binding_FiveWrongCodes_LocksTheEnrollment()
    {
        var verifier = await f.OperatorAsync();
        var approver = await f.OperatorAsync();
        var (_, enrollmentId, code) = await ProofingFixture.ApproveAsync(approver, await f.VerifiedApplicationAsync(verifier));
        for (var i = 0; i < 5; i++)
        {
            var (wrong, _) = await f.BindAsync(enrollmentId, "0000-0000-0000-0000-0000-0000-0000-0000");
            await ExpectProblem(wrong, 400, "identity.enrollment-invalid");
        }

        var (right, _) = await f.BindAsync(enrollmentId, code);

        await ExpectProblem(right, 409, "identity.enrollment-locked");
    }

    [Fact]
    public async Task Binding_ExpiredCode_IsRefusedAndIssuesNothing()
    {
        var verifier = await f.OperatorAsync();
        var approver = await f.OperatorAsync();
        var (userId, enrollmentId, code) = await ProofingFixture.ApproveAsync(approver, await f.VerifiedApplicationAsync(verifier));
        var lifetime = await f.H.Db.ScalarAsync<double>($"SELECT extract(epoch FROM expires_at - created_at)::float8 FROM enrollment_codes WHERE id = '{enrollmentId}'");
        Assert.Equal(TimeSpan.FromDays(21).TotalSeconds, lifetime);
        await f.H.Db.ExecuteAsync($"UPDATE enrollment_codes SET created_at = now() - interval '22 days', expires_at = now() - interval '1 day' WHERE id = '{enrollmentId}'");

        var (expired, _) = await f.BindAsync(enrollmentId, code);

        await ExpectProblem(expired, 400, "identity.enrollment-invalid");
        Assert.Equal(0L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM certificates WHERE user_id = '{userId}'"));
        Assert.Equal("pending", await f.H.Db.ScalarAsync<string>($"SELECT status FROM users WHERE id = '{userId}'"));
    }

    [Fact]
    public async Task Binding_LicenseRevokedAfterApproval_IssuesNothingAndLeavesNoKey()
    {
        var verifier = await f.OperatorAsync();
        var approver = await f.OperatorAsync();
        var id = await f.VerifiedApplicationAsync(verifier);
        var number = await f.H.Db.ScalarAsync<string>($"SELECT license_number FROM proofing_applications WHERE id = '{id}'");
        var (userId, enrollmentId, code) = await ProofingFixture.ApproveAsync(approver, id);
        await f.ImportLicenseAsync("dentist", status: "revoked", number: number);

        var (refused, _) = await f.BindAsync(enrollmentId, code);

        await ExpectProblem(refused, 409, "license.not-verified");
        Assert.Equal(0L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM certificates WHERE user_id = '{userId}'"));
        Assert.Equal(0L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM webauthn_credentials WHERE user_id = '{userId}'"));
        Assert.Null(await f.H.Db.ScalarAsync<DateTime?>($"SELECT consumed_at FROM enrollment_codes WHERE id = '{enrollmentId}'"));
        Assert.Equal(1L, await f.H.Db.ScalarAsync<long>(
            $"SELECT count(*) FROM audit_events WHERE action = 'proofing.binding-failed' AND target_id = '{enrollmentId}' AND outcome = 'failure' AND details->>'code' = 'license.not-verified'"));
    }

    [Fact]
    public async Task Binding_OperatorEnrollmentCode_IsRefused()
    {
        var (_, enrollmentId, code) = await f.H.CreateOperatorAsync("ra-operator");

        var (refused, _) = await f.BindAsync(enrollmentId, code);

        await ExpectProblem(refused, 400, "identity.enrollment-invalid");
    }
}
