using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Clients;
using SignatureService.Api.Tests.Infrastructure;
using static SignatureService.Api.Tests.Identity.IdentityHarness;

namespace SignatureService.Api.Tests.Proofing;

/// <summary>GET /v1/proofing/applications: the RA's list (newest first, cursor paging, status and name/license search).</summary>
[Collection(ProofingGroup.Name)]
public sealed class ProofingListTests(ProofingFixture f)
{
    private const string Katakana = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ";

    /// <summary>A family name (kanji side) and kana no other test uses, so a search finds only this test's applications.</summary>
    private static (string Family, string FamilyKana) UniqueName()
    {
        var kana = new string([.. Enumerable.Range(0, 8).Select(_ => Katakana[RandomNumberGenerator.GetInt32(Katakana.Length)])]);
        return ("一覧" + kana, kana);
    }

    private async Task<Guid> RecordAsync(Actor ra, string family, string familyKana)
    {
        var number = await f.ImportLicenseAsync("doctor", name: $"{family} 花子");
        var body = ProofingFixture.Application("doctor", number);
        body["familyName"] = family;
        body["familyNameKana"] = familyKana;
        var created = await ra.PostAsync("/v1/proofing/applications", body);
        await Expect(created, HttpStatusCode.Created);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> ListAsync(Actor actor, string query)
    {
        var response = await actor.Browser.GetAsync($"/v1/proofing/applications?{query}");
        await Expect(response, HttpStatusCode.OK);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Guid[] Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid())];

    [Fact]
    public async Task List_ByNamePrefix_NewestFirstWithCursorPaging()
    {
        var ra = await f.OperatorAsync();
        var (family, kana) = UniqueName();
        var first = await RecordAsync(ra, family, kana);
        var second = await RecordAsync(ra, family, kana);
        var third = await RecordAsync(ra, family, kana);

        var page1 = await ListAsync(ra, $"q={Uri.EscapeDataString(family)}&limit=2");
        Assert.Equal([third, second], Ids(page1));
        var cursor = page1.GetProperty("nextCursor").GetString();
        Assert.NotNull(cursor);
        var page2 = await ListAsync(ra, $"q={Uri.EscapeDataString(family)}&limit=2&cursor={cursor}");
        Assert.Equal([first], Ids(page2));
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("nextCursor").ValueKind);
    }

    [Fact]
    public async Task List_SearchByKanaHiraganaFullNameOrLicense_FindsTheApplication()
    {
        var ra = await f.OperatorAsync();
        var (family, kana) = UniqueName();
        var id = await RecordAsync(ra, family, kana);
        var hiragana = new string([.. kana.Select(c => (char)(c - 0x60))]);
        var license = (await (await ra.Browser.GetAsync($"/v1/proofing/applications/{id}")).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("licenseNumber").GetString()!;

        // Note: prefixes long enough (6 of 8 random kana) that no other test's random name shares them; short ones collided under the full suite.
        foreach (var q in new[] { kana[..6], hiragana[..7], kana + "ハナ", family + " 花子", family[..8], license })
        {
            Assert.Equal([id], Ids(await ListAsync(ra, $"q={Uri.EscapeDataString(q)}")));
        }

        // A license number matches whole, not by its start; a name matches from its start, not in its middle.
        Assert.Empty(Ids(await ListAsync(ra, $"q={Uri.EscapeDataString(license[..^1])}")));
        Assert.Empty(Ids(await ListAsync(ra, $"q={Uri.EscapeDataString(kana[2..])}")));
        Assert.Empty(Ids(await ListAsync(ra, $"q={Uri.EscapeDataString(family[..2] + "%")}")));
    }

    [Fact]
    public async Task List_Summary_ShowsWhoRecordedVerifiedAndApproved_AndTheStatusFilter()
    {
        var verifier = await f.OperatorAsync();
        var approver = await f.OperatorAsync();
        var (family, kana) = UniqueName();
        var recorded = await RecordAsync(verifier, family, kana);
        var number = await f.ImportLicenseAsync("doctor", name: $"{family} 花子");
        var body = ProofingFixture.Application("doctor", number);
        body["familyName"] = family;
        body["familyNameKana"] = kana;
        var created = await verifier.PostAsync("/v1/proofing/applications", body);
        var approved = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Expect(await verifier.PostAsync($"/v1/proofing/applications/{approved}/evidence", ProofingFixture.Superior()), HttpStatusCode.Created);
        await Expect(await verifier.PostAsync($"/v1/proofing/applications/{approved}/verification", ProofingFixture.Ial3Session()), HttpStatusCode.OK);
        await ProofingFixture.ApproveAsync(approver, approved);

        var all = await ListAsync(approver, $"q={Uri.EscapeDataString(family)}");
        Assert.Equal([approved, recorded], Ids(all));
        var item = all.GetProperty("items")[0];
        Assert.Equal("approved", item.GetProperty("status").GetString());
        Assert.Equal("IAL3", item.GetProperty("achievedIal").GetString());
        Assert.Equal(1, item.GetProperty("evidenceCount").GetInt32());
        Assert.Equal(family, item.GetProperty("familyName").GetString());
        Assert.Equal(verifier.UserId, item.GetProperty("recordedBy").GetProperty("id").GetGuid());
        Assert.Equal("Operator Test", item.GetProperty("recordedBy").GetProperty("displayName").GetString());
        Assert.Equal(verifier.UserId, item.GetProperty("verifiedBy").GetProperty("id").GetGuid());
        Assert.Equal(approver.UserId, item.GetProperty("decidedBy").GetProperty("id").GetGuid());
        Assert.True(item.GetProperty("decidedAt").GetDateTimeOffset() >= item.GetProperty("verifiedAt").GetDateTimeOffset());
        Assert.NotEqual(JsonValueKind.Null, item.GetProperty("subjectUserId").ValueKind);
        var open = all.GetProperty("items")[1];
        Assert.Equal(JsonValueKind.Null, open.GetProperty("verifiedBy").ValueKind);
        Assert.Equal(JsonValueKind.Null, open.GetProperty("achievedIal").ValueKind);

        Assert.Equal([recorded], Ids(await ListAsync(approver, $"status=recorded&q={Uri.EscapeDataString(family)}")));
        Assert.Equal([approved], Ids(await ListAsync(approver, $"status=approved&q={Uri.EscapeDataString(family)}")));
        Assert.Empty(Ids(await ListAsync(approver, $"status=rejected&q={Uri.EscapeDataString(family)}")));

        // The listing is audited, without the search text (a name is personal data).
        var details = await f.H.Db.ScalarAsync<string>(
            $"SELECT details::text FROM audit_events WHERE action = 'proofing.applications-listed' AND actor_id = '{approver.UserId}' ORDER BY id DESC LIMIT 1");
        Assert.Equal("true", await f.H.Db.ScalarAsync<string>(
            $"SELECT details->>'search' FROM audit_events WHERE action = 'proofing.applications-listed' AND actor_id = '{approver.UserId}' ORDER BY id DESC LIMIT 1"));
        Assert.DoesNotContain(family, details, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status=bogus", "status")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("q=", "q")]
    [InlineData("q=%20%20", "q")]
    [InlineData("q=%01abc", "q")]
    public async Task List_BadParameters_Return400NamingTheField(string query, string field)
    {
        var ra = await f.OperatorAsync();

        var response = await ra.Browser.GetAsync($"/v1/proofing/applications?{query}");

        await ExpectProblem(response, 400, "request.validation-failed");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}");
    }

    [Fact]
    public async Task List_QueryTooLong_Returns400()
    {
        var ra = await f.OperatorAsync();

        await ExpectProblem(await ra.Browser.GetAsync($"/v1/proofing/applications?q={new string('ア', 51)}"), 400, "request.validation-failed");
    }

    [Theory]
    [InlineData("signer")]
    [InlineData("ca-operator")]
    [InlineData("auditor")]
    public async Task List_WrongRole_IsForbidden(string role)
    {
        var ra = await f.OperatorAsync();
        var (family, kana) = UniqueName();
        await RecordAsync(ra, family, kana);
        Actor actor;
        if (role == "signer")
        {
            var approver = await f.OperatorAsync();
            var (_, enrollmentId, code) = await ProofingFixture.ApproveAsync(approver, await f.VerifiedApplicationAsync(ra));
            var (bound, registration) = await f.BindAsync(enrollmentId, code);
            await Expect(bound, HttpStatusCode.Created);
            var browser = f.H.NewBrowser();
            actor = new Actor(Guid.Empty, browser, await f.H.LoginAsync(registration!.Credential, browser));
        }
        else
        {
            actor = await f.OperatorAsync(role);
        }

        var response = await actor.Browser.GetAsync($"/v1/proofing/applications?q={Uri.EscapeDataString(family)}");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain(family, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_AnonymousAndEhrClient_AreRefused()
    {
        using var anonymous = f.H.NewBrowser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/proofing/applications")).StatusCode);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientId = "ehr-" + Guid.NewGuid().ToString("N")[..12];
        await f.WithScopeAsync(sp => sp.GetRequiredService<ClientRegistration>().RegisterAsync(
            new RegisterClientInput(clientId, "Test EHR", [new ClientKeyInput("k1", "ES256", Jose.PublicJwk(key))], []),
            ProofingFixture.CaOperator, CancellationToken.None));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/proofing/applications");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Jose.SignEs256(key, "k1", Jose.Claims(clientId, "signature-service", DateTimeOffset.UtcNow)));
        var ehr = await anonymous.SendAsync(request);
        Assert.True(ehr.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"EHR client got {(int)ehr.StatusCode}");
        Assert.DoesNotContain("items", await ehr.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
