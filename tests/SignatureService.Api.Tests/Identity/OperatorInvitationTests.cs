using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SignatureService.Api.Tests.Identity;

public sealed class OperatorInvitationTests
{
    private static async Task<HttpResponseMessage> InviteAsync(HttpClient browser, string? csrf, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/operators") { Content = JsonContent.Create(body) };
        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-Token", csrf);
        }

        return await browser.SendAsync(request);
    }

    [Fact]
    public async Task CaOperator_InvitesRaOperator_WhoEnrollsWithTheCode()
    {
        await using var harness = await IdentityHarness.StartAsync();
        var (_, caOperator) = await harness.EnrollAsync("ca-operator");
        using var browser = harness.NewBrowser();
        var csrf = await harness.LoginAsync(caOperator, browser);

        var response = await InviteAsync(browser, csrf, new { name = "RA Operator Two", roles = new[] { "ra-operator" } });
        await IdentityHarness.Expect(response, HttpStatusCode.Created);
        var invitation = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var enrollmentId = invitation.GetProperty("enrollmentId").GetGuid();
        var code = invitation.GetProperty("enrollmentCode").GetString()!;
        var registration = harness.MakeCredential(await harness.RegistrationOptionsAsync(enrollmentId, code));

        await IdentityHarness.Expect(await harness.RegisterAsync(enrollmentId, code, registration), HttpStatusCode.Created);
        Assert.Equal(1L, await harness.Db.ScalarAsync<long>(
            $"SELECT count(*) FROM audit_events WHERE action = 'identity.operator-created' AND actor_type = 'operator' AND target_id = '{invitation.GetProperty("userId").GetGuid()}'"));
    }

    [Fact]
    public async Task Invite_WrongRoleMissingCsrfOrSignerRole_Refused()
    {
        await using var harness = await IdentityHarness.StartAsync();
        var (_, raOperator) = await harness.EnrollAsync("ra-operator");
        var (_, caOperator) = await harness.EnrollAsync("ca-operator");
        using var raBrowser = harness.NewBrowser();
        using var caBrowser = harness.NewBrowser();
        var raCsrf = await harness.LoginAsync(raOperator, raBrowser);
        var caCsrf = await harness.LoginAsync(caOperator, caBrowser);

        var byRa = await InviteAsync(raBrowser, raCsrf, new { name = "X", roles = new[] { "auditor" } });
        var noCsrf = await InviteAsync(caBrowser, null, new { name = "X", roles = new[] { "auditor" } });
        var asSigner = await InviteAsync(caBrowser, caCsrf, new { name = "X", roles = new[] { "signer" } });

        Assert.Equal(HttpStatusCode.Forbidden, byRa.StatusCode);
        await IdentityHarness.ExpectProblem(noCsrf, 403, "identity.csrf-token-invalid");
        await IdentityHarness.ExpectProblem(asSigner, 400, "request.validation-failed");
        Assert.Equal(0L, await harness.Db.ScalarAsync<long>("SELECT count(*) FROM users WHERE display_name = 'X'"));
    }
}
