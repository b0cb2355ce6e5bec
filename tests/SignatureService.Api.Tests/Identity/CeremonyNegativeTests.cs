using System.Net;
using System.Net.Http.Json;
using SignatureService.WebAuthn.Testing;
using static SignatureService.Api.Tests.Identity.IdentityHarness;

namespace SignatureService.Api.Tests.Identity;

/// <summary>The part of the negative matrix that needs the store: challenges, duplicates, counters, trust policy end to end.</summary>
public sealed class CeremonyNegativeTests
{
    [Fact]
    public async Task Login_ReplayedAssertion_ReturnsChallengeConsumed()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, credential) = await h.EnrollAsync();
        var assertion = IdentityHarness.Sign(credential, await h.LoginChallengeAsync());
        await Expect(await h.PostLoginAsync(assertion), HttpStatusCode.OK);

        await ExpectProblem(await h.PostLoginAsync(assertion, h.NewBrowser()), 409, "identity.challenge-consumed");
        Assert.Equal(1L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM user_sessions"));
    }

    [Fact]
    public async Task Login_ChallengeIssuedForRegistration_ReturnsChallengeUnknown()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, credential) = await h.EnrollAsync();
        var (_, enrollmentId, code) = await h.CreateOperatorAsync();
        var registrationOptions = await h.RegistrationOptionsAsync(enrollmentId, code);
        var challenge = System.Buffers.Text.Base64Url.DecodeFromChars(registrationOptions.GetProperty("challenge").GetString());

        await ExpectProblem(await h.PostLoginAsync(IdentityHarness.Sign(credential, challenge)), 400, "identity.challenge-unknown");
        Assert.Equal(0L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM user_sessions"));
    }

    [Fact]
    public async Task Registration_ChallengeIssuedForLogin_ReturnsChallengeUnknown()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (userId, enrollmentId, code) = await h.CreateOperatorAsync();
        var options = await h.RegistrationOptionsAsync(enrollmentId, code);
        var loginChallenge = await h.LoginChallengeAsync();
        var registration = h.MakeCredential(options, r => r with { Challenge = loginChallenge });

        await ExpectProblem(await h.RegisterAsync(enrollmentId, code, registration), 400, "identity.challenge-unknown");
        Assert.Equal(0L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM webauthn_credentials"));
        Assert.Equal("pending", await h.Db.ScalarAsync<string>($"SELECT status FROM users WHERE id = '{userId}'"));
    }

    [Fact]
    public async Task Registration_ChallengeIssuedForAnotherUser_ReturnsChallengeUnknown()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, enrollmentA, codeA) = await h.CreateOperatorAsync(name: "Operator A");
        var (_, enrollmentB, codeB) = await h.CreateOperatorAsync(name: "Operator B");
        var optionsA = await h.RegistrationOptionsAsync(enrollmentA, codeA);
        var registration = h.MakeCredential(optionsA);

        await ExpectProblem(await h.RegisterAsync(enrollmentB, codeB, registration), 400, "identity.challenge-unknown");
        Assert.Equal(0L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM webauthn_credentials"));
        Assert.Equal(0L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM enrollment_codes WHERE consumed_at IS NOT NULL"));
    }

    [Fact]
    public async Task Registration_ExpiredChallenge_ReturnsChallengeExpired()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, enrollmentId, code) = await h.CreateOperatorAsync();
        var registration = h.MakeCredential(await h.RegistrationOptionsAsync(enrollmentId, code));
        await h.Db.ExecuteAsync("UPDATE webauthn_challenges SET created_at = now() - interval '6 minutes', expires_at = now() - interval '1 minute'");

        await ExpectProblem(await h.RegisterAsync(enrollmentId, code, registration), 409, "identity.challenge-expired");
        Assert.Equal(0L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM webauthn_credentials"));
    }

    [Fact]
    public async Task Registration_ChallengeExpiresFiveMinutesAfterIssue()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, enrollmentId, code) = await h.CreateOperatorAsync();
        await h.RegistrationOptionsAsync(enrollmentId, code);

        Assert.Equal(300d, await h.Db.ScalarAsync<double>("SELECT extract(epoch FROM expires_at - created_at)::float8 FROM webauthn_challenges"));
        Assert.Equal(32, await h.Db.ScalarAsync<int>("SELECT length(challenge_hash) FROM webauthn_challenges"));
    }

    [Fact]
    public async Task Registration_CredentialIdAlreadyRegistered_ReturnsConflictAndKeepsEnrollmentOpen()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, existing) = await h.EnrollAsync();
        var (userId, enrollmentId, code) = await h.CreateOperatorAsync(name: "Second");
        var registration = h.MakeCredential(await h.RegistrationOptionsAsync(enrollmentId, code), r => r with { CredentialId = existing.Id });

        await ExpectProblem(await h.RegisterAsync(enrollmentId, code, registration), 409, "identity.credential-already-registered");
        Assert.Equal(0L, await h.Db.ScalarAsync<long>($"SELECT count(*) FROM webauthn_credentials WHERE user_id = '{userId}'"));
        Assert.Null(await h.Db.ScalarAsync<DateTime?>($"SELECT consumed_at FROM enrollment_codes WHERE id = '{enrollmentId}'"));
        Assert.Equal(1L, await h.Db.ScalarAsync<long>(
            "SELECT count(*) FROM audit_events WHERE action = 'identity.key-registration-failed' AND details->>'code' = 'identity.credential-already-registered'"));
    }

    [Fact]
    public async Task Login_SignCountRegressed_SuspendsKeyEndsSessionsAndAudits()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, credential) = await h.EnrollAsync();
        await h.LoginAsync(credential);
        await h.LoginAsync(credential, h.NewBrowser());
        await Expect(await h.Client.GetAsync("/v1/me"), HttpStatusCode.OK);

        var cloned = IdentityHarness.Sign(credential, await h.LoginChallengeAsync(), r => r with { SignCount = 1 });
        await ExpectProblem(await h.PostLoginAsync(cloned, h.NewBrowser()), 409, "webauthn.sign-count-regressed");

        Assert.Equal("suspended", await h.Db.ScalarAsync<string>("SELECT status FROM webauthn_credentials"));
        Assert.Equal(2L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM user_sessions WHERE end_reason = 'credential-suspended'"));
        Assert.Equal(1L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'identity.key-suspended' AND outcome = 'failure'"));
        await ExpectProblem(await h.Client.GetAsync("/v1/me"), 401, "auth.unauthenticated");
        var afterwards = IdentityHarness.Sign(credential, await h.LoginChallengeAsync(), r => r with { SignCount = 100 });
        await ExpectProblem(await h.PostLoginAsync(afterwards), 401, "identity.credential-not-usable");
    }

    [Fact]
    public async Task Login_TamperedSignature_ReturnsSignatureInvalidAndAuditsFailure()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, credential) = await h.EnrollAsync();
        var assertion = IdentityHarness.Sign(credential, await h.LoginChallengeAsync());
        assertion.Signature[^1] ^= 0x01;

        await ExpectProblem(await h.PostLoginAsync(assertion), 400, "webauthn.signature-invalid");
        Assert.Equal(0L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM user_sessions"));
        Assert.Equal(1L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'identity.login-failed'"));
        Assert.Equal("active", await h.Db.ScalarAsync<string>("SELECT status FROM webauthn_credentials"));
    }

    [Fact]
    public async Task Login_UserVerificationMissing_ReturnsUserNotVerified()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, credential) = await h.EnrollAsync();
        var assertion = IdentityHarness.Sign(credential, await h.LoginChallengeAsync(), r => r with { UserVerified = false });

        await ExpectProblem(await h.PostLoginAsync(assertion), 400, "webauthn.user-not-verified");
    }

    [Fact]
    public async Task Login_UnknownCredential_ReturnsCredentialNotUsable()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, enrollmentId, code) = await h.CreateOperatorAsync();
        var unregistered = h.MakeCredential(await h.RegistrationOptionsAsync(enrollmentId, code)).Credential;

        await ExpectProblem(await h.PostLoginAsync(IdentityHarness.Sign(unregistered, await h.LoginChallengeAsync())), 401, "identity.credential-not-usable");
    }

    [Fact]
    public async Task Registration_AttestationNone_IsRefusedByTheAal3Policy()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, enrollmentId, code) = await h.CreateOperatorAsync();
        var registration = h.MakeCredential(await h.RegistrationOptionsAsync(enrollmentId, code), r => r with { Attestation = SoftwareAttestationMode.None });

        await ExpectProblem(await h.RegisterAsync(enrollmentId, code, registration), 400, "webauthn.attestation-none-refused");
        Assert.Equal(0L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM webauthn_credentials"));
    }

    [Fact]
    public async Task Registration_AuthenticatorNotOnTheAllowList_ReturnsUnknownAaguid()
    {
        await using var h = await IdentityHarness.StartAsync();
        using var stranger = new SoftwareAuthenticator();
        var (_, enrollmentId, code) = await h.CreateOperatorAsync();
        var options = await h.RegistrationOptionsAsync(enrollmentId, code);
        var request = new MakeCredentialRequest(TestTrustRpId, "http://localhost",
            System.Buffers.Text.Base64Url.DecodeFromChars(options.GetProperty("challenge").GetString()));
        var registration = stranger.MakeCredential(request);

        var response = await h.RegisterAsync(enrollmentId, code, registration);
        await ExpectProblem(response, 400, "webauthn.unknown-aaguid");
    }

    [Fact]
    public async Task Registration_BackupEligibleCredential_IsRefused()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, enrollmentId, code) = await h.CreateOperatorAsync();
        var registration = h.MakeCredential(await h.RegistrationOptionsAsync(enrollmentId, code), r => r with { BackupEligible = true });

        await ExpectProblem(await h.RegisterAsync(enrollmentId, code, registration), 400, "webauthn.backup-eligible");
    }

    [Fact]
    public async Task Registration_WrongOrigin_ReturnsOriginNotAllowed()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, enrollmentId, code) = await h.CreateOperatorAsync();
        var registration = h.MakeCredential(await h.RegistrationOptionsAsync(enrollmentId, code), r => r with { Origin = "http://localhost.evil.example" });

        await ExpectProblem(await h.RegisterAsync(enrollmentId, code, registration), 400, "webauthn.origin-not-allowed");
    }

    [Fact]
    public async Task Enrollment_FiveWrongCodes_LocksEvenTheRightCode()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, enrollmentId, code) = await h.CreateOperatorAsync();
        for (var i = 0; i < 5; i++)
        {
            var wrong = await h.Client.PostAsJsonAsync("/v1/identity/registration/options", new { enrollmentId, code = "0000-0000-0000-0000-0000-0000-0000-0000" });
            await ExpectProblem(wrong, 400, "identity.enrollment-invalid");
        }

        var right = await h.Client.PostAsJsonAsync("/v1/identity/registration/options", new { enrollmentId, code });
        await ExpectProblem(right, 409, "identity.enrollment-locked");
        Assert.Equal(5, await h.Db.ScalarAsync<int>($"SELECT failed_attempts FROM enrollment_codes WHERE id = '{enrollmentId}'"));
    }

    [Fact]
    public async Task Enrollment_CodeUsedOnce_CannotRegisterASecondKey()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, enrollmentId, code) = await h.CreateOperatorAsync();
        var registration = h.MakeCredential(await h.RegistrationOptionsAsync(enrollmentId, code));
        await Expect(await h.RegisterAsync(enrollmentId, code, registration), HttpStatusCode.Created);

        var again = await h.Client.PostAsJsonAsync("/v1/identity/registration/options", new { enrollmentId, code });
        await ExpectProblem(again, 400, "identity.enrollment-invalid");
    }

    [Fact]
    public async Task RepeatedFailures_FromOneAddress_AreRateLimitedWithRetryAfter()
    {
        await using var h = await IdentityHarness.StartAsync(new() { ["Sessions:FailuresPerAddress"] = "3" });
        for (var i = 0; i < 3; i++)
        {
            var wrong = await h.Client.PostAsJsonAsync("/v1/identity/registration/options", new { enrollmentId = Guid.NewGuid(), code = "nope" });
            await ExpectProblem(wrong, 400, "identity.enrollment-invalid");
        }

        var limited = await h.Client.PostAsJsonAsync("/v1/identity/registration/options", new { enrollmentId = Guid.NewGuid(), code = "nope" });
        await ExpectProblem(limited, 429, "request.rate-limited");
        var retryAfter = int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 800, 900);
    }

    [Fact]
    public async Task RepeatedFailures_ForOneUser_AreRateLimited()
    {
        await using var h = await IdentityHarness.StartAsync(new() { ["Sessions:FailuresPerUser"] = "2" });
        var (_, credential) = await h.EnrollAsync();
        for (var i = 0; i < 2; i++)
        {
            var bad = IdentityHarness.Sign(credential, await h.LoginChallengeAsync(), r => r with { UserVerified = false });
            await ExpectProblem(await h.PostLoginAsync(bad), 400, "webauthn.user-not-verified");
        }

        var good = IdentityHarness.Sign(credential, await h.LoginChallengeAsync());
        await ExpectProblem(await h.PostLoginAsync(good), 429, "request.rate-limited");
    }

    private const string TestTrustRpId = "localhost";
}
