using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Identity;
using static SignatureService.Api.Tests.Identity.IdentityHarness;

namespace SignatureService.Api.Tests.Identity;

public sealed class IdentityAuthorizationTests
{
    [Fact]
    public async Task Me_NoSession_ReturnsUnauthenticated()
    {
        await using var h = await IdentityHarness.StartAsync();

        await ExpectProblem(await h.Client.GetAsync("/v1/me"), 401, "auth.unauthenticated");
        await ExpectProblem(await h.Client.GetAsync("/v1/me/keys"), 401, "auth.unauthenticated");
        await ExpectProblem(await h.Client.PostAsync("/v1/identity/logout", null), 401, "auth.unauthenticated");
    }

    [Fact]
    public async Task Me_ForgedSessionCookie_ReturnsUnauthenticated()
    {
        await using var h = await IdentityHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/me");
        request.Headers.Add("Cookie", "signsvc_session=" + System.Buffers.Text.Base64Url.EncodeToString(new byte[32]));

        await ExpectProblem(await h.Client.SendAsync(request), 401, "auth.unauthenticated");
    }

    [Fact]
    public async Task RolePolicies_AreNamedAfterRoles_AndRefuseOtherRoles()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (_, credential) = await h.EnrollAsync("ra-operator");
        var login = await h.PostLoginAsync(IdentityHarness.Sign(credential, await h.LoginChallengeAsync()));
        await Expect(login, HttpStatusCode.OK);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie")).Split(';')[0];

        await using var scope = h.Factory.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = "GET";
        context.Request.Headers.Cookie = cookie;
        var result = await context.AuthenticateAsync(SessionAuthenticationHandler.SchemeName);
        Assert.True(result.Succeeded);
        var authorization = scope.ServiceProvider.GetRequiredService<IAuthorizationService>();

        Assert.True((await authorization.AuthorizeAsync(result.Principal!, "ra-operator")).Succeeded);
        Assert.True((await authorization.AuthorizeAsync(result.Principal!, IdentityPolicies.Aal3)).Succeeded);
        foreach (var other in new[] { "signer", "ca-operator", "auditor" })
        {
            Assert.False((await authorization.AuthorizeAsync(result.Principal!, other)).Succeeded, other);
        }
    }

    [Fact]
    public async Task RolePolicies_PrincipalWithoutAal3Session_IsRefused()
    {
        await using var h = await IdentityHarness.StartAsync();
        await using var scope = h.Factory.Services.CreateAsyncScope();
        var authorization = scope.ServiceProvider.GetRequiredService<IAuthorizationService>();
        var withoutAcr = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Role, "ca-operator")], "Other"));

        Assert.False((await authorization.AuthorizeAsync(withoutAcr, "ca-operator")).Succeeded);
    }

    [Fact]
    public async Task SuspendedUser_SessionEndsAtOnce_AndLoginIsRefused()
    {
        await using var h = await IdentityHarness.StartAsync();
        var (userId, credential) = await h.EnrollAsync();
        await h.LoginAsync(credential);
        await Expect(await h.Client.GetAsync("/v1/me"), HttpStatusCode.OK);

        await h.Db.ExecuteAsync($"UPDATE users SET status = 'suspended' WHERE id = '{userId}'");

        await ExpectProblem(await h.Client.GetAsync("/v1/me"), 401, "auth.unauthenticated");
        var login = await h.PostLoginAsync(IdentityHarness.Sign(credential, await h.LoginChallengeAsync()), h.NewBrowser());
        await ExpectProblem(login, 401, "identity.credential-not-usable");
    }
}
