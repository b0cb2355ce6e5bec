using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Tests.Approvals;
using SignatureService.Api.Tests.SignatureRequests;
using SignatureService.Pki.Tests.Support;

namespace SignatureService.Api.Tests.Levels;

/// <summary>PDF attachments: signed as detached CAdES B-T by any qualified signer, checked with openssl cms / ts and our verifier.</summary>
public sealed class CadesAttachmentTests(SigningFixture fixture) : IClassFixture<SigningFixture>
{
    private readonly Dictionary<Guid, SignerSession> _sessions = [];

    private const string Path = "/v1/signature-requests";
    private const string SignatureTimeStampTokenOid = "1.2.840.113549.1.9.16.2.14";

    private static byte[] Pdf() => Encoding.ASCII.GetBytes($"%PDF-1.4\n% {Guid.NewGuid()}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");

    [Theory]
    [InlineData("pharmacist")]
    [InlineData("dentist")]
    public async Task Attachment_QualifiedSigner_IsSignedAsDetachedCadesBT_AndVerifiesIndependently(string profession)
    {
        var pdf = Pdf();
        var (client, id) = await CreateAsync(profession, TestClient.Document("attachment", pdf, "application/pdf"));
        await ApproveAndWaitAsync(client, id);

        var (_, view) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}");
        var (signed, _) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}/documents/1/signed");
        var cms = await signed.Content.ReadAsByteArrayAsync();

        Assert.Equal("CAdES-B-T", view.GetProperty("documents")[0].GetProperty("signatureLevel").GetString());
        Assert.Equal("application/pkcs7-signature", signed.Content.Headers.ContentType?.MediaType);

        using var dir = new TempDir();
        var (root, signing, tsa) = await CertificatesAsync();
        var rootPem = dir.WritePem("root.pem", root);
        File.WriteAllText(dir.File("untrusted.pem"), signing.ExportCertificatePem() + "\n" + tsa.ExportCertificatePem() + "\n");
        var cmsVerify = OpenSsl.Run(dir.Path, "cms", "-verify", "-inform", "DER", "-in", dir.Write("sig.p7s", cms), "-content", dir.Write("doc.pdf", pdf),
            "-binary", "-CAfile", rootPem, "-purpose", "any", "-out", dir.File("out.bin"));
        Assert.True(cmsVerify.ExitCode == 0, cmsVerify.All);
        Assert.Equal(pdf, await File.ReadAllBytesAsync(dir.File("out.bin")));

        // The signature time-stamp covers the SignerInfo's signature value (CAdES B-T), checked by openssl ts.
        var decoded = new SignedCms(new ContentInfo(pdf), detached: true);
        decoded.Decode(cms);
        var signerInfo = Assert.Single(decoded.SignerInfos.Cast<SignerInfo>());
        var token = Assert.Single(signerInfo.UnsignedAttributes.Cast<CryptographicAttributeObject>(), a => a.Oid.Value == SignatureTimeStampTokenOid).Values[0].RawData;
        var ts = OpenSsl.Run(dir.Path, "ts", "-verify", "-token_in", "-in", dir.Write("token.tst", token), "-data", dir.Write("sigvalue.bin", signerInfo.GetSignature()),
            "-CAfile", rootPem, "-untrusted", dir.File("untrusted.pem"));
        Assert.True(ts.ExitCode == 0 && ts.StdOut.Contains("Verification: OK", StringComparison.Ordinal), ts.All);

        var report = await VerifyAsync(cms, pdf);
        Assert.True(report.GetProperty("valid").GetBoolean(), report.ToString());
        var checks = report.GetProperty("signatures")[0].GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("check").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("passed", checks["signature-timestamp-signature"]);
        Assert.Equal("passed", checks["trust-chain"]);
        Assert.Equal("passed", checks["hc-role"]);
        Assert.Equal("passed", checks["revocation"]);

        var tampered = (byte[])pdf.Clone();
        tampered[12] ^= 1;
        Assert.False((await VerifyAsync(cms, tampered)).GetProperty("valid").GetBoolean());

        var (upgrade, upgradeBody) = await client.SendAsync(HttpMethod.Post, $"{Path}/{id}/documents/1/upgrade", new { targetLevel = "ES-A" });
        Assert.Equal(HttpStatusCode.Conflict, upgrade.StatusCode);
        Assert.Equal("signing.level-not-upgradable", upgradeBody.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("application/xml", "document.unsupported-media-type", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/pdf", "document.invalid-structure", HttpStatusCode.BadRequest)]
    public async Task Attachment_NotAPdf_IsRefused(string mediaType, string code, HttpStatusCode status)
    {
        var client = await fixture.CreateClientAsync();
        var (signer, _, _) = await fixture.CreateSignerAsync("doctor");

        var (response, body) = await client.SendAsync(HttpMethod.Post, Path,
            TestClient.Request(new { userId = signer }, TestClient.Document("attachment", "<not-a-pdf/>"u8.ToArray(), mediaType)));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task VerifyCades_GarbageSignature_Returns400()
    {
        using var response = await fixture.Http.PostAsJsonAsync(new Uri("/v1/verifications", UriKind.Relative),
            new { signature = Convert.ToBase64String("not cms"u8.ToArray()), content = Convert.ToBase64String(Pdf()) });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("cades.invalid", body.GetProperty("code").GetString());
    }

    private async Task<(TestClient Client, Guid RequestId)> CreateAsync(string profession, params object[] documents)
    {
        var client = await fixture.CreateClientAsync();
        var session = await fixture.CreateSignerSessionAsync(profession);
        var signer = session.UserId;
        var (response, body) = await client.SendAsync(HttpMethod.Post, Path, TestClient.Request(new { userId = signer }, documents));
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        var id = body.GetProperty("id").GetGuid();
        _sessions[id] = session;
        return (client, id);
    }

    private async Task ApproveAndWaitAsync(TestClient client, Guid id)
    {
        await _sessions[id].ApproveAsync(id);
        Assert.Equal("signed", await ApprovalHarness.WaitForFinalStatusAsync(client, id));
    }

    private async Task<JsonElement> VerifyAsync(byte[] cms, byte[] content)
    {
        using var response = await fixture.Http.PostAsJsonAsync(new Uri("/v1/verifications", UriKind.Relative),
            new { signature = Convert.ToBase64String(cms), content = Convert.ToBase64String(content) });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<(X509Certificate2 Root, X509Certificate2 Signing, X509Certificate2 Tsa)> CertificatesAsync()
    {
        var hierarchy = await fixture.WithScopeAsync(sp => sp.GetRequiredService<CertificateAuthorities>().RequireAsync(CancellationToken.None));
        return (hierarchy.Get("root").Certificate, hierarchy.Get("signing").Certificate, hierarchy.Tsa.Certificate);
    }
}
