using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Tests.Approvals;
using SignatureService.Api.Tests.Identity;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Api.Tests.SignatureRequests;
using SignatureService.Data;
using SignatureService.Data.Identity;
using SignatureService.WebAuthn.Testing;

namespace SignatureService.Api.Tests.SignerPages;

/// <summary>
/// Wrong actors for the signer page tests (signers themselves come from <see cref="ApprovalHarness.CreateSignerSessionAsync"/>).
/// </summary>
internal static class SignerSessions
{
    /// <summary>A logged-in (AAL3) operator with <paramref name="role"/> and no signer role: the wrong actor for the signer pages.</summary>
    public static async Task<HttpClient> CreateOperatorBrowserAsync(this SigningFixture fixture, string role)
    {
        var (_, enrollment) = await fixture.WithScopeAsync(sp => sp.GetRequiredService<OperatorEnrollment>()
            .CreateAsync("Page Operator", [role], SignatureService.Data.Audit.AuditActor.CommandLine("test"), CancellationToken.None));
        return (await RegisterAndLoginAsync(fixture, enrollment)).Browser;
    }

    private static async Task<(HttpClient Browser, string Csrf, SoftwareCredential Key)> RegisterAndLoginAsync(SigningFixture fixture, IssuedEnrollment enrollment)
    {
        var browser = fixture.Factory.CreateClient();
        var optionsResponse = await browser.PostAsJsonAsync("/v1/identity/registration/options", new { enrollmentId = enrollment.EnrollmentId, code = enrollment.Code });
        await IdentityHarness.Expect(optionsResponse, HttpStatusCode.OK);
        var creation = (await optionsResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey");
        var registration = TestTrust.Default.Authenticator.MakeCredential(
            new MakeCredentialRequest(TestTrust.RpId, TestTrust.Origin, Base64Url.DecodeFromChars(creation.GetProperty("challenge").GetString()))
            {
                UserHandle = Base64Url.DecodeFromChars(creation.GetProperty("user").GetProperty("id").GetString()),
            });
        await IdentityHarness.Expect(await browser.PostAsJsonAsync("/v1/identity/registration",
            new { enrollmentId = enrollment.EnrollmentId, code = enrollment.Code, credential = IdentityHarness.CredentialJson(registration) }), HttpStatusCode.Created);
        var csrf = await ApprovalHarness.LoginAsync(browser, registration.Credential);
        return (browser, csrf, registration.Credential);
    }
}
