using System.Net.Http.Json;
using System.Text;
using static SignatureService.Api.Tests.Identity.IdentityHarness;

namespace SignatureService.Api.Tests.Identity;

public sealed class IdentityBadInputTests
{
    [Theory]
    [InlineData("{not json", "request.malformed-body")]
    [InlineData("[1,2]", "request.malformed-body")]
    [InlineData("{\"credential\": 5}", "request.malformed-body")]
    [InlineData("{\"enrollmentId\": \"not-a-guid\"}", "request.malformed-body")]
    [InlineData("{\"credential\": {}}", "request.validation-failed")]
    [InlineData("null", "request.malformed-body")]
    public async Task Registration_BadJson_Returns400AndStoresNothing(string body, string code)
    {
        await using var h = await IdentityHarness.StartAsync();
        var before = await h.Db.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action LIKE 'identity.%'");

        var response = await h.Client.PostAsync("/v1/identity/registration", new StringContent(body, Encoding.UTF8, "application/json"));

        await ExpectProblem(response, 400, code);
        Assert.Equal(0L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM webauthn_credentials"));
        Assert.Equal(before, await h.Db.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action LIKE 'identity.%'"));
    }

    [Fact]
    public async Task Registration_MalformedCbor_ReturnsWebAuthnMalformedAndKeepsEnrollment()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (userId, enrollmentId, code) = await h.CreateOperatorAsync();
        var registration = h.MakeCredential(await h.RegistrationOptionsAsync(enrollmentId, code));
        var broken = registration with { AttestationObject = [0xA3, 0x63, 0x66, 0x6D, 0x74, 0xFF, 0x00] };

        await ExpectProblem(await h.RegisterAsync(enrollmentId, code, broken), 400, "webauthn.malformed");
        Assert.Equal(0L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM webauthn_credentials"));
        Assert.Equal("pending", await h.Db.ScalarAsync<string>($"SELECT status FROM users WHERE id = '{userId}'"));
        Assert.Null(await h.Db.ScalarAsync<DateTime?>($"SELECT consumed_at FROM enrollment_codes WHERE id = '{enrollmentId}'"));
    }

    [Fact]
    public async Task Login_TruncatedAuthenticatorData_ReturnsWebAuthnMalformed()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, credential) = await h.EnrollAsync();
        var assertion = IdentityHarness.Sign(credential, await h.LoginChallengeAsync());
        var truncated = assertion with { AuthenticatorData = assertion.AuthenticatorData[..20] };

        await ExpectProblem(await h.PostLoginAsync(truncated), 400, "webauthn.malformed");
        Assert.Equal(0L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM user_sessions"));
    }

    [Fact]
    public async Task Login_NotBase64Url_ReturnsWebAuthnMalformed()
    {
        await using var h = await IdentityHarness.StartAsync();
        var response = await h.Client.PostAsJsonAsync("/v1/identity/login", new
        {
            credential = new { id = "x", rawId = "!!!", type = "public-key", response = new { clientDataJSON = "e30", authenticatorData = "AA", signature = "AA" } },
        });

        await ExpectProblem(response, 400, "webauthn.malformed");
    }

    [Fact]
    public async Task Registration_OversizedBody_Returns413()
    {
        await using var h = await IdentityHarness.StartAsync();
        var body = "{\"nickname\":\"" + new string('a', 200 * 1024) + "\"}";

        var response = await h.Client.PostAsync("/v1/identity/registration", new StringContent(body, Encoding.UTF8, "application/json"));

        await ExpectProblem(response, 413, "request.payload-too-large");
    }

    [Fact]
    public async Task Login_OversizedChunkedBody_Returns413()
    {
        await using var h = await IdentityHarness.StartAsync();
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"x\":\"" + new string('a', 40 * 1024) + "\"}")));
        content.Headers.ContentType = new("application/json");

        var response = await h.Client.PostAsync("/v1/identity/login", content);

        await ExpectProblem(response, 413, "request.payload-too-large");
    }

    [Fact]
    public async Task Login_NotJsonMediaType_Returns415()
    {
        await using var h = await IdentityHarness.StartAsync();

        var response = await h.Client.PostAsync("/v1/identity/login", new StringContent("credential=x", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await ExpectProblem(response, 415, "request.unsupported-media-type");
    }
}
