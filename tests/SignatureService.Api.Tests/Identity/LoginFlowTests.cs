using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SignatureService.Api.Features.Identity;
using static SignatureService.Api.Tests.Identity.IdentityHarness;

namespace SignatureService.Api.Tests.Identity;

public sealed class LoginFlowTests
{
    [Fact]
    public async Task Enrollment_RegisterLoginMeLogout_WorksEndToEnd()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (userId, enrollmentId, code) = await h.CreateOperatorAsync("ca-operator");
        Assert.Equal("pending", await h.Db.ScalarAsync<string>($"SELECT status FROM users WHERE id = '{userId}'"));

        var options = await h.RegistrationOptionsAsync(enrollmentId, code);
        Assert.Equal("direct", options.GetProperty("attestation").GetString());
        Assert.Equal("required", options.GetProperty("authenticatorSelection").GetProperty("userVerification").GetString());
        Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(options.GetProperty("challenge").GetString()).Length);
        var registration = h.MakeCredential(options);
        var registered = await h.RegisterAsync(enrollmentId, code, registration);
        await Expect(registered, HttpStatusCode.Created);
        Assert.Equal("active", await h.Db.ScalarAsync<string>($"SELECT status FROM users WHERE id = '{userId}'"));
        Assert.NotNull(await h.Db.ScalarAsync<DateTime?>($"SELECT consumed_at FROM enrollment_codes WHERE id = '{enrollmentId}'"));

        var challenge = await h.LoginChallengeAsync();
        var login = await h.PostLoginAsync(IdentityHarness.Sign(registration.Credential, challenge));
        await Expect(login, HttpStatusCode.OK);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie.Replace("signsvc_session", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        var session = await login.Content.ReadFromJsonAsync<JsonElement>();
        var csrf = session.GetProperty("csrfToken").GetString()!;

        var me = await h.Client.GetFromJsonAsync<JsonElement>("/v1/me");
        Assert.Equal(userId, me.GetProperty("userId").GetGuid());
        Assert.Equal("aal3", me.GetProperty("acr").GetString());
        Assert.Equal("ca-operator", Assert.Single(me.GetProperty("roles").EnumerateArray()).GetString());
        Assert.Equal(csrf, me.GetProperty("csrfToken").GetString());
        var lifetime = me.GetProperty("expiresAt").GetDateTimeOffset() - me.GetProperty("authTime").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromHours(12), lifetime);

        using var logout = new HttpRequestMessage(HttpMethod.Post, "/v1/identity/logout");
        logout.Headers.Add("X-CSRF-Token", csrf);
        await Expect(await h.Client.SendAsync(logout), HttpStatusCode.NoContent);
        await ExpectProblem(await h.Client.GetAsync("/v1/me"), 401, "auth.unauthenticated");

        var actions = await h.Db.ScalarAsync<string>("SELECT string_agg(action, ',' ORDER BY id) FROM audit_events WHERE action LIKE 'identity.%'");
        Assert.Equal("identity.operator-created,identity.enrollment-issued,identity.user-activated,identity.key-registered,identity.login,identity.logout", actions);
        Assert.Equal(1L, await h.Db.ScalarAsync<long>("SELECT sign_count FROM webauthn_credentials"));
    }

    [Fact]
    public async Task Logout_MissingOrWrongCsrfToken_IsRefusedAndSessionSurvives()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, credential) = await h.EnrollAsync();
        var csrf = await h.LoginAsync(credential);

        await ExpectProblem(await h.Client.PostAsync("/v1/identity/logout", null), 403, "identity.csrf-token-invalid");
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/v1/identity/logout");
        wrong.Headers.Add("X-CSRF-Token", csrf[..^2] + (csrf.EndsWith("AA", StringComparison.Ordinal) ? "BB" : "AA"));
        await ExpectProblem(await h.Client.SendAsync(wrong), 403, "identity.csrf-token-invalid");

        await Expect(await h.Client.GetAsync("/v1/me"), HttpStatusCode.OK);
        Assert.Equal(0L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM user_sessions WHERE ended_at IS NOT NULL"));
    }

    [Fact]
    public async Task Session_IdleOrAbsoluteTimeoutPassed_IsRefused()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, credential) = await h.EnrollAsync();
        await h.LoginAsync(credential);
        await Expect(await h.Client.GetAsync("/v1/me"), HttpStatusCode.OK);

        await h.Db.ExecuteAsync("UPDATE user_sessions SET last_seen_at = now() - interval '16 minutes'");
        await ExpectProblem(await h.Client.GetAsync("/v1/me"), 401, "auth.unauthenticated");

        var browser = h.NewBrowser();
        await h.LoginAsync(credential, browser);
        await h.Db.ExecuteAsync("UPDATE user_sessions SET expires_at = now() - interval '1 second', created_at = now() - interval '13 hours' WHERE ended_at IS NULL AND last_seen_at > now() - interval '1 minute'");
        await ExpectProblem(await browser.GetAsync("/v1/me"), 401, "auth.unauthenticated");
    }

    [Fact]
    public async Task Session_IdleWindow_IsExtendedOnlyWhenItsLastExtensionIsStale()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, credential) = await h.EnrollAsync();
        await h.LoginAsync(credential);

        // Stale (a minute old): the request extends it to about now.
        await h.Db.ExecuteAsync("UPDATE user_sessions SET last_seen_at = now() - interval '1 minute'");
        await Expect(await h.Client.GetAsync("/v1/me"), HttpStatusCode.OK);
        Assert.True(await h.Db.ScalarAsync<bool>("SELECT last_seen_at > now() - interval '10 seconds' FROM user_sessions WHERE ended_at IS NULL"));

        // Fresh (5 s old, within the 15 s touch interval): the request is served and the row is not written.
        await h.Db.ExecuteAsync("UPDATE user_sessions SET last_seen_at = now() - interval '5 seconds'");
        var version = await h.Db.ScalarAsync<string>("SELECT xmin::text FROM user_sessions WHERE ended_at IS NULL");
        await Expect(await h.Client.GetAsync("/v1/me"), HttpStatusCode.OK);
        Assert.Equal(version, await h.Db.ScalarAsync<string>("SELECT xmin::text FROM user_sessions WHERE ended_at IS NULL"));

        // Ended sessions stay refused whether or not their window is fresh.
        await h.Db.ExecuteAsync("UPDATE user_sessions SET ended_at = now(), end_reason = 'logout'");
        await ExpectProblem(await h.Client.GetAsync("/v1/me"), 401, "auth.unauthenticated");
    }

    [Theory]
    [InlineData(15 * 60, 15)]
    [InlineData(60, 15)]
    [InlineData(40, 10)]
    public void TouchInterval_IsFifteenSecondsOrAQuarterOfAShortIdleTimeout(int idleSeconds, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), SessionAuthenticationHandler.TouchInterval(TimeSpan.FromSeconds(idleSeconds)));

    [Fact]
    public async Task Session_ConfiguredShorterIdleTimeout_IsApplied()
    {
        await using var h = await IdentityHarness.StartAsync(new() { ["Sessions:IdleTimeout"] = "00:02:00" });
        var (_, credential) = await h.EnrollAsync();
        await h.LoginAsync(credential);

        await h.Db.ExecuteAsync("UPDATE user_sessions SET last_seen_at = now() - interval '3 minutes'");
        await ExpectProblem(await h.Client.GetAsync("/v1/me"), 401, "auth.unauthenticated");
    }

    [Fact]
    public async Task BackupKey_AfterFreshLogin_CanBeAddedUsedAndRevokingTheFirstEndsItsSession()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (userId, first) = await h.EnrollAsync();
        var csrf = await h.LoginAsync(first);

        using var optionsRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/me/keys/options");
        optionsRequest.Headers.Add("X-CSRF-Token", csrf);
        var optionsResponse = await h.Client.SendAsync(optionsRequest);
        await Expect(optionsResponse, HttpStatusCode.OK);
        var options = (await optionsResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey");
        Assert.Equal(Convert.ToBase64String(first.Id).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            Assert.Single(options.GetProperty("excludeCredentials").EnumerateArray()).GetProperty("id").GetString());
        var backup = h.MakeCredential(options);
        using var add = new HttpRequestMessage(HttpMethod.Post, "/v1/me/keys")
        {
            Content = JsonContent.Create(new { nickname = "Backup", credential = IdentityHarness.CredentialJson(backup) }),
        };
        add.Headers.Add("X-CSRF-Token", csrf);
        await Expect(await h.Client.SendAsync(add), HttpStatusCode.Created);

        var keys = await h.Client.GetFromJsonAsync<JsonElement>("/v1/me/keys");
        Assert.Equal(2, keys.GetArrayLength());
        var firstId = keys[0].GetProperty("id").GetGuid();

        using var revoke = new HttpRequestMessage(HttpMethod.Post, $"/v1/me/keys/{firstId}/revoke");
        revoke.Headers.Add("X-CSRF-Token", csrf);
        await Expect(await h.Client.SendAsync(revoke), HttpStatusCode.NoContent);
        await ExpectProblem(await h.Client.GetAsync("/v1/me"), 401, "auth.unauthenticated");

        var csrf2 = await h.LoginAsync(backup.Credential);
        var me = await h.Client.GetFromJsonAsync<JsonElement>("/v1/me");
        Assert.Equal(userId, me.GetProperty("userId").GetGuid());
        var revokedLogin = await h.PostLoginAsync(IdentityHarness.Sign(first, await h.LoginChallengeAsync()), h.NewBrowser());
        await ExpectProblem(revokedLogin, 401, "identity.credential-not-usable");

        var backupId = (await h.Client.GetFromJsonAsync<JsonElement>("/v1/me/keys"))[1].GetProperty("id").GetGuid();
        using var revokeLast = new HttpRequestMessage(HttpMethod.Post, $"/v1/me/keys/{backupId}/revoke");
        revokeLast.Headers.Add("X-CSRF-Token", csrf2);
        await ExpectProblem(await h.Client.SendAsync(revokeLast), 409, "identity.last-active-credential");
        Assert.Equal(1L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'identity.key-revoked'"));
    }

    [Fact]
    public async Task BackupKey_LoginOlderThanFiveMinutes_ReturnsFreshLoginRequired()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, first) = await h.EnrollAsync();
        var csrf = await h.LoginAsync(first);
        await h.Db.ExecuteAsync("UPDATE user_sessions SET created_at = now() - interval '6 minutes'");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/me/keys/options");
        request.Headers.Add("X-CSRF-Token", csrf);
        await ExpectProblem(await h.Client.SendAsync(request), 403, "identity.fresh-login-required");
    }

    [Fact]
    public async Task RevokeKey_OfAnotherUser_ReturnsNotFound()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (otherUser, _) = await h.EnrollAsync();
        var (_, mine) = await h.EnrollAsync();
        var csrf = await h.LoginAsync(mine);
        var otherKey = await h.Db.ScalarAsync<Guid>($"SELECT id FROM webauthn_credentials WHERE user_id = '{otherUser}'");

        using var revoke = new HttpRequestMessage(HttpMethod.Post, $"/v1/me/keys/{otherKey}/revoke");
        revoke.Headers.Add("X-CSRF-Token", csrf);
        await ExpectProblem(await h.Client.SendAsync(revoke), 404, "resource.not-found");
        Assert.Equal("active", await h.Db.ScalarAsync<string>($"SELECT status FROM webauthn_credentials WHERE id = '{otherKey}'"));
    }
}
