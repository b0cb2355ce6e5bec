using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SignatureService.Api.Tests.Approvals;
using SignatureService.Api.Tests.Identity;
using SignatureService.Api.Tests.SignatureRequests;

namespace SignatureService.Api.Tests.SignerPages;

/// <summary>
/// The signer pages' read endpoints: only the caller's own requests, newest first with filters, the display model, the exact
/// bytes (matching the digest the approval commits to) and the signed result; another signer's request is indistinguishable
/// from a missing one.
/// </summary>
public sealed class SignerRequestEndpointTests(SigningFixture fixture) : IClassFixture<SigningFixture>
{
    private static object DeathCertificate() =>
        TestClient.Document("death-certificate", Encoding.UTF8.GetBytes(SigningFixture.DeathCertificateJson()), "application/json");

    private static async Task<JsonElement> GetJsonAsync(SignerSession session, string path)
    {
        var response = await session.Browser.GetAsync(new Uri(path, UriKind.Relative));
        await IdentityHarness.Expect(response, HttpStatusCode.OK);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<Guid> Ids(JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid())];

    [Fact]
    public async Task List_OwnRequests_NewestFirstAndFiltered()
    {
        var signer = await ApprovalHarness.CreateSignerSessionAsync(fixture, "doctor");
        var other = await ApprovalHarness.CreateSignerSessionAsync(fixture, "doctor");
        var (client1, older) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        var (_, newer) = await fixture.SubmitAsync(signer.UserId, DeathCertificate());
        var (_, foreign) = await fixture.SubmitAsync(other.UserId, ApprovalHarness.Prescription());

        var all = await GetJsonAsync(signer, "/v1/me/signature-requests?status=pending-approval");
        var deaths = await GetJsonAsync(signer, "/v1/me/signature-requests?type=death-certificate");
        var byClient = await GetJsonAsync(signer, $"/v1/me/signature-requests?client={client1.ClientId}");
        var paged = await GetJsonAsync(signer, "/v1/me/signature-requests?limit=1");
        var second = await GetJsonAsync(signer, $"/v1/me/signature-requests?limit=1&cursor={paged.GetProperty("nextCursor").GetString()}");

        Assert.Equal([newer, older], Ids(all));
        Assert.DoesNotContain(foreign, Ids(all));
        Assert.Equal([newer], Ids(deaths));
        Assert.Equal([older], Ids(byClient));
        Assert.Equal(client1.ClientId, byClient.GetProperty("items")[0].GetProperty("client").GetProperty("clientId").GetString());
        Assert.Equal([newer], Ids(paged));
        Assert.Equal([older], Ids(second));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
    }

    [Fact]
    public async Task List_UnknownStatusOrType_ValidationFailed()
    {
        var signer = await ApprovalHarness.CreateSignerSessionAsync(fixture, "doctor");

        await IdentityHarness.ExpectProblem(await signer.Browser.GetAsync(new Uri("/v1/me/signature-requests?status=nope", UriKind.Relative)),
            400, "request.validation-failed");
        await IdentityHarness.ExpectProblem(await signer.Browser.GetAsync(new Uri("/v1/me/signature-requests?type=nope", UriKind.Relative)),
            400, "request.validation-failed");
        await IdentityHarness.ExpectProblem(await signer.Browser.GetAsync(new Uri("/v1/me/signature-requests?cursor=%21", UriKind.Relative)),
            400, "request.validation-failed");
    }

    [Fact]
    public async Task Get_OwnRequest_DisplayModelAndBytesMatchDigest()
    {
        var signer = await ApprovalHarness.CreateSignerSessionAsync(fixture, "doctor");
        var (_, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription(), DeathCertificate());

        var view = await GetJsonAsync(signer, $"/v1/me/signature-requests/{id}");
        var documents = view.GetProperty("documents");
        var bytes = await signer.Browser.GetByteArrayAsync(new Uri($"/v1/me/signature-requests/{id}/documents/2", UriKind.Relative));

        Assert.Equal("prescription", documents[0].GetProperty("display").GetProperty("documentType").GetString());
        Assert.Equal("death-or-postmortem-certificate", documents[1].GetProperty("display").GetProperty("documentType").GetString());
        Assert.Equal(documents[1].GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal("Test EHR", view.GetProperty("client").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Signed_BeforeAndAfterApproval_ConflictThenSignedXml()
    {
        var signer = await ApprovalHarness.CreateSignerSessionAsync(fixture, "doctor");
        var (client, id) = await fixture.SubmitAsync(signer.UserId, ApprovalHarness.Prescription());
        await IdentityHarness.ExpectProblem(await signer.Browser.GetAsync(new Uri($"/v1/me/signature-requests/{id}/documents/1/signed", UriKind.Relative)),
            409, "resource.state-conflict");

        await signer.ApproveAsync(id);
        Assert.Equal("signed", await ApprovalHarness.WaitForFinalStatusAsync(client, id));
        var signed = await signer.Browser.GetAsync(new Uri($"/v1/me/signature-requests/{id}/documents/1/signed", UriKind.Relative));
        var history = await GetJsonAsync(signer, "/v1/me/signature-requests?status=signed");

        await IdentityHarness.Expect(signed, HttpStatusCode.OK);
        Assert.Equal("application/xml", signed.Content.Headers.ContentType?.MediaType);
        Assert.Contains("PrescriptionSign", await signed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal([id], Ids(history));
    }

    [Fact]
    public async Task AnotherSigner_OpensRequest_NotFoundEverywhere()
    {
        var owner = await ApprovalHarness.CreateSignerSessionAsync(fixture, "doctor");
        var intruder = await ApprovalHarness.CreateSignerSessionAsync(fixture, "doctor");
        var (_, id) = await fixture.SubmitAsync(owner.UserId, ApprovalHarness.Prescription());

        foreach (var path in new[] { $"/v1/me/signature-requests/{id}", $"/v1/me/signature-requests/{id}/documents/1",
                     $"/v1/me/signature-requests/{id}/documents/1/signed" })
        {
            await IdentityHarness.ExpectProblem(await intruder.Browser.GetAsync(new Uri(path, UriKind.Relative)), 404, "resource.not-found");
        }

        Assert.DoesNotContain(id, Ids(await GetJsonAsync(intruder, "/v1/me/signature-requests")));
    }

    [Fact]
    public async Task OperatorWithoutSignerRole_ReadsSignerEndpoints_Forbidden()
    {
        var owner = await ApprovalHarness.CreateSignerSessionAsync(fixture, "doctor");
        var (_, id) = await fixture.SubmitAsync(owner.UserId, ApprovalHarness.Prescription());
        using var operatorBrowser = await fixture.CreateOperatorBrowserAsync("ra-operator");

        foreach (var path in new[] { "/v1/me/signature-requests", $"/v1/me/signature-requests/{id}", $"/v1/me/signature-requests/{id}/documents/1" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await operatorBrowser.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
        }
    }

    [Fact]
    public async Task NoSessionOrEhrClient_ListRequests_Refused()
    {
        var client = await fixture.CreateClientAsync();

        var anonymous = await fixture.Http.GetAsync(new Uri("/v1/me/signature-requests", UriKind.Relative));
        var (asClient, _) = await client.SendAsync(HttpMethod.Get, "/v1/me/signature-requests");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains(asClient.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
    }
}
