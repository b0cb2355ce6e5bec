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
/// A logged-in signer for the page tests. Since identity proofing was merged, a signer-purpose enrollment code only completes
/// through /v1/proofing/binding with a proofing application; these tests are about reading requests, so the signer's first key is
/// registered with a plain key-enrollment code (the user keeps only the signer role, which is what the endpoints check).
/// </summary>
internal static class SignerSessions
{
    public static async Task<SignerSession> CreateSignerSessionAsync(this SigningFixture fixture, string profession)
    {
        var (userId, _, certificate) = await fixture.CreateSignerAsync(profession);
        var enrollment = await fixture.WithScopeAsync(async sp =>
        {
            var issued = sp.GetRequiredService<EnrollmentCodes>().Stage(userId, EnrollmentPurpose.Operator, "test", TimeSpan.FromHours(1));
            await sp.GetRequiredService<SignatureServiceDbContext>().SaveChangesAsync();
            return issued;
        });
        var (browser, csrf, key) = await RegisterAndLoginAsync(fixture, enrollment);
        return new SignerSession(userId, certificate, browser, csrf, key);
    }

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
