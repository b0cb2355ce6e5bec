using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Tests.Identity;
using SignatureService.Pki.Tests.Support;

namespace SignatureService.Api.Tests.CaOperations;

/// <summary>The CA operator's HTTP endpoints: status changes with their codes, search, license import, CRLs, and who may call them.</summary>
public sealed class CaOperatorEndpointTests(CaOperationsFixture ca) : IClassFixture<CaOperationsFixture>
{
    private const string CaOperator = "ca-operator";

    public static TheoryData<string, string> Endpoints() => new()
    {
        { "GET", "/v1/ca/certificates" },
        { "GET", "/v1/ca/certificates/0A0B0C0D" },
        { "POST", "/v1/ca/certificates/0A0B0C0D/revocation" },
        { "POST", "/v1/ca/certificates/0A0B0C0D/suspension" },
        { "POST", "/v1/ca/certificates/0A0B0C0D/resumption" },
        { "POST", "/v1/ca/licenses/import" },
        { "GET", "/v1/ca/crls" },
        { "POST", "/v1/ca/crls/signing" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task CaEndpoint_WrongActor_IsRefused(string method, string path)
    {
        foreach (var role in new[] { "ra-operator", "auditor", "signer" })
        {
            var response = await ca.SendAsync(role, new HttpMethod(method), path, Body(method, path));
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{role}: {(int)response.StatusCode}");
        }

        var anonymous = await ca.SendAsync(null, new HttpMethod(method), path, Body(method, path));
        var client = await ca.SendAsync("ehr-client", new HttpMethod(method), path, Body(method, path));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, client.StatusCode);
    }

    [Fact]
    public async Task Suspend_WithoutCsrfToken_IsRefusedAndNothingChanges()
    {
        var (_, serial) = await ca.CreateSignerCertificateAsync();

        var response = await ca.SendAsync(CaOperator, HttpMethod.Post, $"/v1/ca/certificates/{serial}/suspension", csrf: false);

        await IdentityHarness.ExpectProblem(response, 403, "identity.csrf-token-invalid");
        Assert.Equal("good", (await GetAsync(serial)).GetProperty("certificate").GetProperty("status").GetString());
    }

    [Fact]
    public async Task StatusChanges_SuspendResumeRevoke_FollowLifecycleWithConflictsHistoryAuditAndCrl()
    {
        var (_, serial) = await ca.CreateSignerCertificateAsync();
        var crlBefore = await CrlNumberAsync("signing");

        var suspended = await PostAsync($"/v1/ca/certificates/{serial}/suspension");
        var suspendedAgain = await ca.SendAsync(CaOperator, HttpMethod.Post, $"/v1/ca/certificates/{serial}/suspension");
        var resumed = await PostAsync($"/v1/ca/certificates/{serial}/resumption");
        var resumedAgain = await ca.SendAsync(CaOperator, HttpMethod.Post, $"/v1/ca/certificates/{serial}/resumption");
        var revoked = await PostAsync($"/v1/ca/certificates/{serial}/revocation",
            CaOperationsFixture.Json("""{"reason":"keyCompromise","invalidityDate":"2026-01-02T03:04:05Z"}"""));
        var revokedAgain = await ca.SendAsync(CaOperator, HttpMethod.Post, $"/v1/ca/certificates/{serial}/revocation",
            CaOperationsFixture.Json("""{"reason":"superseded"}"""));
        var suspendRevoked = await ca.SendAsync(CaOperator, HttpMethod.Post, $"/v1/ca/certificates/{serial}/suspension");

        Assert.Equal("on-hold", suspended.GetProperty("status").GetString());
        await IdentityHarness.ExpectProblem(suspendedAgain, 409, "certificate.already-suspended");
        Assert.Equal("good", resumed.GetProperty("status").GetString());
        await IdentityHarness.ExpectProblem(resumedAgain, 409, "certificate.not-on-hold");
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        await IdentityHarness.ExpectProblem(revokedAgain, 409, "certificate.already-revoked");
        await IdentityHarness.ExpectProblem(suspendRevoked, 409, "certificate.already-revoked");
        Assert.True(revoked.GetProperty("crlNumber").GetInt64() >= crlBefore + 3);

        var details = await GetAsync(serial);
        var history = details.GetProperty("history").EnumerateArray()
            .Select(h => (h.GetProperty("event").GetString(), h.GetProperty("reason").GetString())).ToList();
        Assert.Equal([("issued", null), ("suspended", "certificateHold"), ("resumed", null), ("revoked", "keyCompromise")], history);
        Assert.Equal(DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture),
            details.GetProperty("history")[3].GetProperty("invalidityDate").GetDateTimeOffset());

        var actions = await ca.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.ActorType == "operator" && e.ActorId == ca.CaOperatorId.ToString() && e.TargetId == serial)
            .OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
        Assert.Equal(["certificate.suspended", "certificate.resumed", "certificate.revoked", "certificate.viewed"], actions);

        // Independent check: openssl reads the published CRL with the certificate listed for keyCompromise.
        using var dir = new TempDir();
        var crl = await ca.Harness.Client.GetByteArrayAsync(new Uri("/pki/crl/signing.crl", UriKind.Relative));
        var text = OpenSsl.Run(dir.Path, "crl", "-inform", "DER", "-in", dir.Write("signing.crl", crl), "-noout", "-text");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains($"Serial Number: {serial}", text.StdOut, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Key Compromise", text.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("revocation")]
    [InlineData("suspension")]
    [InlineData("resumption")]
    public async Task StatusChange_UnknownSerial_Returns404(string change)
    {
        var response = await ca.SendAsync(CaOperator, HttpMethod.Post, $"/v1/ca/certificates/7FFFFFFFFFFFFFF1/{change}",
            change == "revocation" ? CaOperationsFixture.Json("""{"reason":"unspecified"}""") : null);

        await IdentityHarness.ExpectProblem(response, 404, "certificate.not-found");
    }

    [Fact]
    public async Task GetCertificate_UnknownOrMalformedSerial_Returns404Or400()
    {
        await IdentityHarness.ExpectProblem(await ca.SendAsync(CaOperator, HttpMethod.Get, "/v1/ca/certificates/7FFFFFFFFFFFFFF2"), 404, "certificate.not-found");
        await IdentityHarness.ExpectProblem(await ca.SendAsync(CaOperator, HttpMethod.Get, "/v1/ca/certificates/XYZ"), 400, "request.validation-failed");
    }

    [Theory]
    [InlineData("""{"reason":"certificateHold"}""", "request.validation-failed")]
    [InlineData("""{"reason":"removeFromCRL"}""", "request.validation-failed")]
    [InlineData("""{"reason":"1"}""", "request.validation-failed")]
    [InlineData("""{"reason":"keyCompromise,superseded"}""", "request.validation-failed")]
    [InlineData("""{"reason":"bogus"}""", "request.validation-failed")]
    [InlineData("""{"reason":"keyCompromise","invalidityDate":"2999-01-01T00:00:00Z"}""", "request.validation-failed")]
    [InlineData("""{"reason":""", "request.malformed-body")]
    public async Task Revoke_BadBody_Returns400AndLeavesCertificateGood(string body, string code)
    {
        var (_, serial) = await ca.CreateSignerCertificateAsync();

        var response = await ca.SendAsync(CaOperator, HttpMethod.Post, $"/v1/ca/certificates/{serial}/revocation", CaOperationsFixture.Json(body));

        await IdentityHarness.ExpectProblem(response, 400, code);
        Assert.Equal("good", (await GetAsync(serial)).GetProperty("certificate").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Revoke_OversizedOrNonJsonBody_Returns413Or415()
    {
        var big = CaOperationsFixture.Json("{\"reason\":\"" + new string('a', CaOperatorEndpoints.MaxJsonBytes) + "\"}");
        var text = new StringContent("reason=keyCompromise", Encoding.UTF8, "application/x-www-form-urlencoded");

        await IdentityHarness.ExpectProblem(await ca.SendAsync(CaOperator, HttpMethod.Post, "/v1/ca/certificates/0A/revocation", big), 413, "request.payload-too-large");
        await IdentityHarness.ExpectProblem(await ca.SendAsync(CaOperator, HttpMethod.Post, "/v1/ca/certificates/0A/revocation", text), 415, "request.unsupported-media-type");
    }

    [Fact]
    public async Task Search_BySignerStatusHcRoleAndSerial_FindsExactlyTheMatchingCertificates()
    {
        var (doctor, doctorSerial) = await ca.CreateSignerCertificateAsync("doctor");
        var (pharmacist, pharmacistSerial) = await ca.CreateSignerCertificateAsync("pharmacist");
        await PostAsync($"/v1/ca/certificates/{pharmacistSerial}/suspension");

        var bySigner = await SearchAsync($"signer={doctor}");
        var pharmacistOnHold = await SearchAsync($"signer={pharmacist}&status=on-hold&hcRole=Pharmacist&kind=signer");
        var doctorAsPharmacist = await SearchAsync($"signer={doctor}&hcRole=Pharmacist");
        var bySerial = await SearchAsync($"serial={doctorSerial.ToLowerInvariant()}");

        Assert.Equal(doctorSerial, Assert.Single(bySigner).GetProperty("serialNumber").GetString());
        Assert.Equal(["Medical Doctor"], Assert.Single(bySigner).GetProperty("hcRoles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(pharmacistSerial, Assert.Single(pharmacistOnHold).GetProperty("serialNumber").GetString());
        Assert.Empty(doctorAsPharmacist);
        Assert.Equal(doctor, Assert.Single(bySerial).GetProperty("signerUserId").GetGuid());
    }

    [Fact]
    public async Task Search_Paging_VisitsEveryCertificateOnceInIssuanceOrder()
    {
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var response = await ca.SendAsync(CaOperator, HttpMethod.Get, "/v1/ca/certificates?kind=ca&limit=1" + (cursor is null ? "" : $"&cursor={cursor}"));
            await IdentityHarness.Expect(response, HttpStatusCode.OK);
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("serialNumber").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null && seen.Count < 10);

        // ca init issues two subordinate CA certificates (signing, authentication); the root is self-issued.
        Assert.Equal(2, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Theory]
    [InlineData("status=expired")]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("cursor=nope")]
    [InlineData("kind=user")]
    [InlineData("serial=12345")]
    [InlineData("hcRole=a;b")]
    public async Task Search_BadParameter_Returns400(string query)
    {
        var response = await ca.SendAsync(CaOperator, HttpMethod.Get, "/v1/ca/certificates?" + query);

        await IdentityHarness.ExpectProblem(response, 400, "request.validation-failed");
    }

    [Fact]
    public async Task LicenseImport_ValidCsv_ImportsAndAudits()
    {
        var number = "H" + Guid.NewGuid().ToString("N")[..12];
        var csv = $"{ImportLicenseRegistry.Header}\ndoctor,{number},2010-04-01,佐藤 花子,1985-05-06,active\ndentist,{number},2011-04-01,佐藤 花子,1985-05-06,active\n";

        var result = await PostAsync("/v1/ca/licenses/import", Csv(csv));

        Assert.Equal(2, result.GetProperty("rows").GetInt32());
        Assert.Equal(2, result.GetProperty("added").GetInt32());
        Assert.Equal(2, await ca.WithDbAsync(db => db.Licenses.CountAsync(l => l.LicenseNumber == number)));
        Assert.True(await ca.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "license.imported" && e.ActorId == ca.CaOperatorId.ToString())));
    }

    [Fact]
    public async Task LicenseImport_InvalidRows_Returns400ListingLinesAndImportsNothing()
    {
        var number = "B" + Guid.NewGuid().ToString("N")[..12];
        var csv = $"{ImportLicenseRegistry.Header}\ndoctor,{number},2010-04-01,佐藤 花子,1985-05-06,active\nvet,{number}X,2010-04-01,X,1985-05-06,active\ndoctor,{number}Y,2010-13-01,Y,1985-05-06,maybe\n";

        var response = await ca.SendAsync(CaOperator, HttpMethod.Post, "/v1/ca/licenses/import", Csv(csv));

        await IdentityHarness.ExpectProblem(response, 400, "license.import-invalid");
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal(["line 3", "line 4"], errors.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, errors.GetProperty("line 4").GetArrayLength());
        Assert.Equal(0, await ca.WithDbAsync(db => db.Licenses.CountAsync(l => l.LicenseNumber.StartsWith(number))));
    }

    [Fact]
    public async Task LicenseImport_WrongMediaTypeOrTooLarge_Returns415Or413()
    {
        var json = CaOperationsFixture.Json("{}");
        var huge = new ByteArrayContent(new byte[ImportLicenseRegistry.MaxBytes + 1]);
        huge.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        await IdentityHarness.ExpectProblem(await ca.SendAsync(CaOperator, HttpMethod.Post, "/v1/ca/licenses/import", json), 415, "request.unsupported-media-type");
        await IdentityHarness.ExpectProblem(await ca.SendAsync(CaOperator, HttpMethod.Post, "/v1/ca/licenses/import", huge), 413, "request.payload-too-large");
    }

    [Fact]
    public async Task Crls_StatusAndRegenerate_NumberIncreasesAndMatchesPublishedCrl()
    {
        var before = await CrlNumberAsync("signing");

        var issued = await PostAsync("/v1/ca/crls/signing");
        var status = await CrlStatusAsync();

        Assert.Equal(["authentication", "root", "signing"], status.Select(s => s.GetProperty("ca").GetString()).Order(StringComparer.Ordinal));
        Assert.True(issued.GetProperty("crlNumber").GetInt64() > before);
        var signing = status.Single(s => s.GetProperty("ca").GetString() == "signing");
        Assert.True(signing.GetProperty("crlNumber").GetInt64() >= issued.GetProperty("crlNumber").GetInt64());
        Assert.True(signing.GetProperty("nextUpdate").GetDateTimeOffset() > signing.GetProperty("thisUpdate").GetDateTimeOffset());
        Assert.True(await ca.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "crl.issued" && e.ActorId == ca.CaOperatorId.ToString())));

        using var dir = new TempDir();
        var crl = await ca.Harness.Client.GetByteArrayAsync(new Uri("/pki/crl/signing.crl", UriKind.Relative));
        var text = OpenSsl.Run(dir.Path, "crl", "-inform", "DER", "-in", dir.Write("signing.crl", crl), "-noout", "-crlnumber");
        Assert.Equal(0, text.ExitCode);
        Assert.True(Convert.ToInt64(text.StdOut.Trim().Split('=')[1], 16) >= issued.GetProperty("crlNumber").GetInt64(), text.StdOut);
    }

    [Fact]
    public async Task KeyPurpose_CrlSigning_ResolvesToTheCaKey()
    {
        var hierarchy = await ca.WithScopeAsync(sp => sp.GetRequiredService<CertificateAuthorities>().RequireAsync(CancellationToken.None));

        Assert.Same(hierarchy.Get("signing").Credential, hierarchy.CredentialFor("ca/signing/crl-signing"));
        Assert.Same(hierarchy.Get("root").Credential, hierarchy.CredentialFor("ca/root/crl-signing"));
        Assert.Throws<SignatureService.Core.Errors.ServiceException>(() => hierarchy.CredentialFor("ca/signing/ocsp"));
    }

    [Fact]
    public async Task RegenerateCrl_UnknownCa_Returns404()
    {
        var response = await ca.SendAsync(CaOperator, HttpMethod.Post, "/v1/ca/crls/nope");

        await IdentityHarness.ExpectProblem(response, 404, "resource.not-found");
    }

    // Note: the import endpoint declares text/csv, so routing answers 415 to other media types before authorization runs.
    private static StringContent? Body(string method, string path) =>
        method != "POST" ? null : path.EndsWith("/import", StringComparison.Ordinal) ? Csv(ImportLicenseRegistry.Header + "\n") : CaOperationsFixture.Json("{}");

    private static StringContent Csv(string csv) => new(csv, Encoding.UTF8, "text/csv");

    private async Task<JsonElement> PostAsync(string path, HttpContent? content = null)
    {
        var response = await ca.SendAsync(CaOperator, HttpMethod.Post, path, content);
        await IdentityHarness.Expect(response, HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<JsonElement> GetAsync(string serial)
    {
        var response = await ca.SendAsync(CaOperator, HttpMethod.Get, $"/v1/ca/certificates/{serial}");
        await IdentityHarness.Expect(response, HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<List<JsonElement>> SearchAsync(string query)
    {
        var response = await ca.SendAsync(CaOperator, HttpMethod.Get, "/v1/ca/certificates?" + query);
        await IdentityHarness.Expect(response, HttpStatusCode.OK);
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())];
    }

    private async Task<List<JsonElement>> CrlStatusAsync()
    {
        var response = await ca.SendAsync(CaOperator, HttpMethod.Get, "/v1/ca/crls");
        await IdentityHarness.Expect(response, HttpStatusCode.OK);
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    private async Task<long> CrlNumberAsync(string name) =>
        (await CrlStatusAsync()).Single(s => s.GetProperty("ca").GetString() == name).GetProperty("crlNumber").GetInt64();
}
