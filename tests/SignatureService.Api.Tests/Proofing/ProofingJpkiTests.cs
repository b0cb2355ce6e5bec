using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using static SignatureService.Api.Tests.Identity.IdentityHarness;

namespace SignatureService.Api.Tests.Proofing;

[Collection(ProofingGroup.Name)]
public sealed class ProofingJpkiTests(ProofingFixture f)
{
    private async Task<(Actor Ra, Guid Id, byte[] SigningInput)> OnlineApplicationAsync()
    {
        var ra = await f.OperatorAsync();
        var number = await f.ImportLicenseAsync("pharmacist");
        var created = await ra.PostAsync("/v1/proofing/applications",
            ProofingFixture.Application("pharmacist", number, profile: "mhlw-guideline", route: "online-my-number-card"));
        await Expect(created, HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var input = await ra.Browser.GetFromJsonAsync<JsonElement>($"/v1/proofing/applications/{id}/signing-input");
        return (ra, id, Convert.FromBase64String(input.GetProperty("signingInput").GetString()!));
    }

    private static string Sign(byte[] content, X509Certificate2 signer)
    {
        var cms = new SignedCms(new ContentInfo(content), detached: true);
        cms.ComputeSignature(new CmsSigner(signer) { IncludeOption = X509IncludeOption.EndCertOnly, DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1") });
        return Convert.ToBase64String(cms.Encode());
    }

    [Fact]
    public async Task OnlineRoute_JpkiSignatureOverTheApplication_IsVerifiedAndMeetsTheGuideline()
    {
        var (ra, id, input) = await OnlineApplicationAsync();
        Assert.Contains($"id={id:D}\n", System.Text.Encoding.UTF8.GetString(input), StringComparison.Ordinal);

        var added = await ra.PostAsync($"/v1/proofing/applications/{id}/jpki-signature", new { cms = Sign(input, f.JpkiSigner) });

        await Expect(added, HttpStatusCode.Created);
        var evidence = await added.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("jpki-signature", evidence.GetProperty("kind").GetString());
        Assert.Equal("superior", evidence.GetProperty("strength").GetString());
        Assert.Equal("signature-verification", evidence.GetProperty("validationMethod").GetString());
        var verified = await ra.PostAsync($"/v1/proofing/applications/{id}/verification", new { biometricConsent = false, postalNotificationSent = false });
        await Expect(verified, HttpStatusCode.OK);
        Assert.Equal("IAL2", (await verified.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("achievedIal").GetString());
    }

    [Fact]
    public async Task JpkiSignature_UntrustedSignerOrOtherContent_ReturnsSignatureInvalidAndStoresNothing()
    {
        var (ra, id, input) = await OnlineApplicationAsync();
        using var rogueKey = RSA.Create(2048);
        using var rogue = new CertificateRequest("CN=Rogue JPKI", rogueKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        await ExpectProblem(await ra.PostAsync($"/v1/proofing/applications/{id}/jpki-signature", new { cms = Sign(input, rogue) }), 400, "proofing.jpki-signature-invalid");
        var other = input.ToArray();
        other[^2] ^= 1;
        await ExpectProblem(await ra.PostAsync($"/v1/proofing/applications/{id}/jpki-signature", new { cms = Sign(other, f.JpkiSigner) }), 400, "proofing.jpki-signature-invalid");
        await ExpectProblem(await ra.PostAsync($"/v1/proofing/applications/{id}/jpki-signature", new { cms = "not base64!" }), 400, "request.validation-failed");

        Assert.Equal(0L, await f.H.Db.ScalarAsync<long>($"SELECT count(*) FROM proofing_evidence WHERE application_id = '{id}'"));
        var refused = await ra.PostAsync($"/v1/proofing/applications/{id}/verification", new { biometricConsent = false, postalNotificationSent = false });
        await ExpectProblem(refused, 409, "proofing.evidence-insufficient");
        Assert.Contains("jpki-signature", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddEvidence_JpkiKindWithoutSignature_Returns400NamingKind()
    {
        var (ra, id, _) = await OnlineApplicationAsync();

        var response = await ra.PostAsync($"/v1/proofing/applications/{id}/evidence",
            new { kind = "jpki-signature", strength = "superior", issuer = "J-LIS", validationMethod = "signature-verification" });

        await ExpectProblem(response, 400, "request.validation-failed");
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("kind", out _));
    }
}
