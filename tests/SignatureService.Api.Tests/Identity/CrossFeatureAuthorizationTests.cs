using System.Net;
using System.Text.Json;

namespace SignatureService.Api.Tests.Identity;

/// <summary>Sessions and client tokens reach only the features meant for them.</summary>
public sealed class CrossFeatureAuthorizationTests
{
    [Fact]
    public async Task AuditVerification_AuditorSession_Allowed_OtherRolesAndAnonymousRefused()
    {
        await using var harness = await IdentityHarness.StartAsync();
        var (_, auditor) = await harness.EnrollAsync("auditor");
        var (_, caOperator) = await harness.EnrollAsync("ca-operator");
        using var auditorBrowser = harness.NewBrowser();
        using var operatorBrowser = harness.NewBrowser();
        using var anonymous = harness.NewBrowser();
        await harness.LoginAsync(auditor, auditorBrowser);
        await harness.LoginAsync(caOperator, operatorBrowser);

        var allowed = await auditorBrowser.GetAsync(new Uri("/v1/audit/verification", UriKind.Relative));
        var forbidden = await operatorBrowser.GetAsync(new Uri("/v1/audit/verification", UriKind.Relative));
        var unauthenticated = await anonymous.GetAsync(new Uri("/v1/audit/verification", UriKind.Relative));

        await IdentityHarness.Expect(allowed, HttpStatusCode.OK);
        Assert.True(JsonDocument.Parse(await allowed.Content.ReadAsStringAsync()).RootElement.ValueKind == JsonValueKind.Object);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
    }

    [Fact]
    public async Task ClientApi_OperatorOrSignerSession_IsRefused()
    {
        await using var harness = await IdentityHarness.StartAsync();
        var (_, caOperator) = await harness.EnrollAsync("ca-operator");
        using var browser = harness.NewBrowser();
        await harness.LoginAsync(caOperator, browser);

        var list = await browser.GetAsync(new Uri("/v1/signature-requests", UriKind.Relative));
        var me = await browser.GetAsync(new Uri("/v1/clients/me", UriKind.Relative));

        await IdentityHarness.ExpectProblem(list, 401, "auth.unauthenticated");
        await IdentityHarness.ExpectProblem(me, 401, "auth.unauthenticated");
    }
}
