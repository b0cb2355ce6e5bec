using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Tests.Identity;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Api.Tests.SignatureRequests;
using SignatureService.Data;
using SignatureService.Data.Identity;
using SignatureService.WebAuthn.Testing;

namespace SignatureService.Api.Tests.Approvals;

/// <summary>A logged-in signer: their browser (cookie jar), anti-forgery token and software security key.</summary>
internal sealed record SignerSession(Guid UserId, IssuedCertificate Certificate, HttpClient Browser, string Csrf, SoftwareCredential Key);

/// <summary>The approval ceremony spoken like the signer's browser, on top of <see cref="SigningFixture"/>.</summary>
internal static class ApprovalHarness
{
    /// <summary>A qualified signer with a registered security key, logged in (AAL3) in their own browser.</summary>
    public static async Task<SignerSession> CreateSignerSessionAsync(this SigningFixture fixture, string profession)
    {
        var (userId, _, certificate) = await fixture.CreateSignerAsync(profession);
        var enrollment = await fixture.WithScopeAsync(async sp =>
        {
            // Note: a plain key-registration code. A signer-enrollment code belongs to a proofing application (the binding issues
            // the certificate); this signer was made directly in the store with its certificate, so only the key is registered here.
            // The proofing path itself is tested in Proofing/.
            var issued = sp.GetRequiredService<EnrollmentCodes>().Stage(userId, EnrollmentPurpose.Operator, "test", TimeSpan.FromHours(1));
            await sp.GetRequiredService<SignatureServiceDbContext>().SaveChangesAsync();
            return issued;
        });
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
        var csrf = await LoginAsync(browser, registration.Credential);
        return new SignerSession(userId, certificate, browser, csrf, registration.Credential);
    }

    /// <summary>Logs <paramref name="key"/> in on <paramref name="browser"/>; returns the anti-forgery token.</summary>
    public static async Task<string> LoginAsync(HttpClient browser, SoftwareCredential key)
    {
        var options = await browser.PostAsync("/v1/identity/login/options", null);
        await IdentityHarness.Expect(options, HttpStatusCode.OK);
        var challenge = Base64Url.DecodeFromChars((await options.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey").GetProperty("challenge").GetString());
        var login = await browser.PostAsJsonAsync("/v1/identity/login", new { credential = IdentityHarness.CredentialJson(IdentityHarness.Sign(key, challenge)) });
        await IdentityHarness.Expect(login, HttpStatusCode.OK);
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("csrfToken").GetString()!;
    }

    /// <summary>A pending request by a fresh EHR client for <paramref name="signer"/>.</summary>
    public static async Task<(TestClient Client, Guid RequestId)> SubmitAsync(this SigningFixture fixture, Guid signer, params object[] documents)
    {
        var client = await fixture.CreateClientAsync();
        var (response, body) = await client.SendAsync(HttpMethod.Post, "/v1/signature-requests", TestClient.Request(new { userId = signer }, documents));
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new Xunit.Sdk.XunitException($"Submit failed: {(int)response.StatusCode} {body}");
        }

        return (client, body.GetProperty("id").GetGuid());
    }

    public static object Prescription() => TestClient.Document("prescription", SigningFixture.Prescription());

    public static async Task<HttpResponseMessage> PostAsync(this SignerSession session, string path, object body, bool csrf = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (csrf)
        {
            request.Headers.Add("X-CSRF-Token", session.Csrf);
        }

        return await session.Browser.SendAsync(request);
    }

    /// <summary>POST /v1/approvals; the response (not checked).</summary>
    public static Task<HttpResponseMessage> RequestOptionsAsync(this SignerSession session, params Guid[] requestIds) =>
        session.PostAsync("/v1/approvals", new { requestIds });

    /// <summary>POST /v1/approvals and expect 200; returns the approval id and the challenge.</summary>
    public static async Task<(Guid ApprovalId, byte[] Challenge, JsonElement Body)> OptionsAsync(this SignerSession session, params Guid[] requestIds)
    {
        var response = await session.RequestOptionsAsync(requestIds);
        await IdentityHarness.Expect(response, HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("approvalId").GetGuid(), Base64Url.DecodeFromChars(body.GetProperty("publicKey").GetProperty("challenge").GetString()), body);
    }

    /// <summary>The signer's key signs the challenge (UV=1) unless a tweak says otherwise.</summary>
    public static SoftwareAssertion Sign(this SignerSession session, byte[] challenge, SoftwareCredential? key = null) =>
        IdentityHarness.Sign(key ?? session.Key, challenge);

    /// <summary>POST /v1/approvals/{id}/assertion; the response (not checked).</summary>
    public static Task<HttpResponseMessage> AssertAsync(this SignerSession session, Guid approvalId, SoftwareAssertion assertion) =>
        session.PostAsync($"/v1/approvals/{approvalId}/assertion", new { credential = IdentityHarness.CredentialJson(assertion) });

    /// <summary>The whole ceremony (options, key, assertion), expecting success; returns the approval id.</summary>
    public static async Task<Guid> ApproveAsync(this SignerSession session, params Guid[] requestIds)
    {
        var (approvalId, challenge, _) = await session.OptionsAsync(requestIds);
        await IdentityHarness.Expect(await session.AssertAsync(approvalId, session.Sign(challenge)), HttpStatusCode.OK);
        return approvalId;
    }

    public static async Task<string> WaitForFinalStatusAsync(TestClient client, Guid id)
    {
        for (var i = 0; i < 600; i++)
        {
            var (_, body) = await client.SendAsync(HttpMethod.Get, $"/v1/signature-requests/{id}");
            var status = body.GetProperty("status").GetString()!;
            if (status is "signed" or "failed")
            {
                return status;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The request did not reach a final state in 60 s.");
    }

    /// <summary>xmlsec1, an independent verifier, accepts the XMLDSig core of a signed document against our root.</summary>
    public static async Task XmlSecVerifyAsync(this SigningFixture fixture, byte[] xml, string dataId, string signatureId)
    {
        var dir = Directory.CreateTempSubdirectory("signsvc-xmlsec-").FullName;
        try
        {
            foreach (var name in new[] { "root", "signing" })
            {
                await File.WriteAllTextAsync(Path.Combine(dir, $"{name}.pem"), X509CertificateLoader
                    .LoadCertificate(await fixture.Http.GetByteArrayAsync(new Uri($"/pki/ca/{name}.cer", UriKind.Relative))).ExportCertificatePem());
            }

            await File.WriteAllBytesAsync(Path.Combine(dir, "signed.xml"), xml);
            using var process = Process.Start(new ProcessStartInfo("xmlsec1",
            [
                "--verify", "--trusted-pem", Path.Combine(dir, "root.pem"), "--untrusted-pem", Path.Combine(dir, "signing.pem"),
                "--id-attr:id", dataId,
                "--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:Signature",
                "--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:KeyInfo",
                "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
                "--node-id", signatureId, Path.Combine(dir, "signed.xml"),
            ]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Xunit.Assert.True(process.ExitCode == 0, $"xmlsec1 refused our signature: {stderr}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
