using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Xml;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Tests.Approvals;
using SignatureService.Api.Tests.SignatureRequests;
using SignatureService.Pki.Tests.Support;

namespace SignatureService.Api.Tests.Levels;

/// <summary>
/// Signature levels: ES-XL and ES-A chosen at request creation, later upgrades of stored signatures, each checked by our
/// verifier (one result per check) and by independent tools (xmlsec1, openssl ts / verify / ocsp). Approval is put into the
/// store directly, as in the signing pipeline tests (the approval ceremony is its own feature).
/// </summary>
public sealed class SignatureLevelTests(SigningFixture fixture) : IClassFixture<SigningFixture>
{
    private readonly Dictionary<Guid, SignerSession> _sessions = [];

    private const string Path = "/v1/signature-requests";
    private const string Xades132 = "http://uri.etsi.org/01903/v1.3.2#";
    private const string Xades141 = "http://uri.etsi.org/01903/v1.4.1#";

    [Theory]
    [InlineData("ES-XL", "XL")]
    [InlineData("ES-A", "A")]
    public async Task Request_WithLevel_IsSignedAtThatLevel_AndVerifiesIndependently(string level, string reported)
    {
        var (client, id) = await CreateAsync(level);
        await ApproveAndWaitAsync(client, id);

        var (request, body) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}");
        var xml = await SignedAsync(client, id);
        var report = await VerifyAsync(xml);

        Assert.Equal(level, body.GetProperty("signatureLevel").GetString());
        Assert.Equal(level, body.GetProperty("documents")[0].GetProperty("signatureLevel").GetString());
        Assert.True(report.GetProperty("valid").GetBoolean(), report.ToString());
        var signature = report.GetProperty("signatures")[0];
        Assert.Equal(reported, signature.GetProperty("level").GetString());
        var checks = signature.GetProperty("checks").EnumerateArray()
            .GroupBy(c => c.GetProperty("check").GetString()!, c => c.GetProperty("status").GetString())
            .ToDictionary(g => g.Key, g => string.Join(",", g.Distinct()));
        Assert.Equal("passed", checks["validation-data"]);
        Assert.Equal("passed", checks["signature-timestamp-imprint"]);
        Assert.Equal(level == "ES-A" ? "passed" : "notapplicable", checks["archive-timestamp-imprint"]);
        Assert.Equal(level == "ES-A" ? "passed" : "notapplicable", checks["archive-timestamp-signature"]);
        await XmlSecVerifyAsync(xml);
        await OpenSslChecksAsync(xml, expectArchive: level == "ES-A");
    }

    [Fact]
    public async Task Upgrade_EsTToEsA_ReplacesWithValidEsA_KeepsOriginal_AndIsIdempotent()
    {
        var (client, id) = await CreateAsync(level: null);
        await ApproveAndWaitAsync(client, id);
        var original = await SignedAsync(client, id);

        var (first, firstBody) = await client.SendAsync(HttpMethod.Post, $"{Path}/{id}/documents/1/upgrade", new { targetLevel = "ES-A" });
        var upgraded = await SignedAsync(client, id);
        var (again, againBody) = await client.SendAsync(HttpMethod.Post, $"{Path}/{id}/documents/1/upgrade", new { targetLevel = "ES-A" });
        var (lower, lowerBody) = await client.SendAsync(HttpMethod.Post, $"{Path}/{id}/documents/1/upgrade", new { targetLevel = "ES-XL" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(firstBody.GetProperty("upgraded").GetBoolean());
        Assert.Equal("ES-T", firstBody.GetProperty("previousLevel").GetString());
        Assert.Equal("ES-A", firstBody.GetProperty("signatureLevel").GetString());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False(againBody.GetProperty("upgraded").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, lower.StatusCode);
        Assert.False(lowerBody.GetProperty("upgraded").GetBoolean());
        Assert.Equal("ES-A", lowerBody.GetProperty("signatureLevel").GetString());
        Assert.Equal(upgraded, await SignedAsync(client, id));
        var report = await VerifyAsync(upgraded);
        Assert.True(report.GetProperty("valid").GetBoolean(), report.ToString());
        Assert.Equal("A", report.GetProperty("signatures")[0].GetProperty("level").GetString());
        await XmlSecVerifyAsync(upgraded);
        await OpenSslChecksAsync(upgraded, expectArchive: true);

        // The ES-T bytes are kept with their level; one audit event for the one real upgrade.
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM signed_document_versions v JOIN signature_request_documents d ON d.id = v.document_id WHERE d.request_id = '{id}' AND v.signature_level = 'ES-T' AND v.signed_content = '\\x{Convert.ToHexString(original)}'"));
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.upgraded' AND target_id = '{id}'"));
    }

    [Fact]
    public async Task Upgrade_ConcurrentCalls_UpgradeOnceAndAllSucceed()
    {
        var (client, id) = await CreateAsync(level: null);
        await ApproveAndWaitAsync(client, id);

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            client.SendAsync(HttpMethod.Post, $"{Path}/{id}/documents/1/upgrade", new { targetLevel = "ES-XL" })));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Response.StatusCode));
        Assert.Single(results, r => r.Body.GetProperty("upgraded").GetBoolean());
        Assert.All(results, r => Assert.Equal("ES-XL", r.Body.GetProperty("signatureLevel").GetString()));
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM signed_document_versions v JOIN signature_request_documents d ON d.id = v.document_id WHERE d.request_id = '{id}'"));
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.upgraded' AND target_id = '{id}'"));
    }

    [Fact]
    public async Task Upgrade_EsXlToEsA_AddsArchiveTimestamp()
    {
        var (client, id) = await CreateAsync("ES-XL");
        await ApproveAndWaitAsync(client, id);

        var (response, body) = await client.SendAsync(HttpMethod.Post, $"{Path}/{id}/documents/1/upgrade", new { targetLevel = "ES-A" });
        var report = await VerifyAsync(await SignedAsync(client, id));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ES-XL", body.GetProperty("previousLevel").GetString());
        Assert.True(report.GetProperty("valid").GetBoolean(), report.ToString());
        Assert.Equal("A", report.GetProperty("signatures")[0].GetProperty("level").GetString());
    }

    [Fact]
    public async Task Upgrade_BadInputOtherClientOrUnsigned_IsRefusedWithCodes()
    {
        var (client, id) = await CreateAsync(level: null);
        var (pending, pendingBody) = await client.SendAsync(HttpMethod.Post, $"{Path}/{id}/documents/1/upgrade", new { targetLevel = "ES-A" });
        await ApproveAndWaitAsync(client, id);
        var other = await fixture.CreateClientAsync();

        var (foreign, foreignBody) = await other.SendAsync(HttpMethod.Post, $"{Path}/{id}/documents/1/upgrade", new { targetLevel = "ES-A" });
        var (missing, missingBody) = await client.SendAsync(HttpMethod.Post, $"{Path}/{id}/documents/9/upgrade", new { targetLevel = "ES-A" });
        var (down, downBody) = await client.SendAsync(HttpMethod.Post, $"{Path}/{id}/documents/1/upgrade", new { targetLevel = "ES-T" });
        var (lower, lowerBody) = await client.SendAsync(HttpMethod.Post, $"{Path}/{id}/documents/1/upgrade", new { targetLevel = "es-a" });
        var (empty, emptyBody) = await client.SendAsync(HttpMethod.Post, $"{Path}/{id}/documents/1/upgrade", new { });
        var (notJson, _) = await client.SendAsync(HttpMethod.Post, $"{Path}/{id}/documents/1/upgrade", rawBody: "x"u8.ToArray());

        Assert.Equal((HttpStatusCode.Conflict, "resource.state-conflict"), (pending.StatusCode, pendingBody.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.NotFound, "resource.not-found"), (foreign.StatusCode, foreignBody.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.NotFound, "resource.not-found"), (missing.StatusCode, missingBody.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "request.validation-failed"), (down.StatusCode, downBody.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "request.validation-failed"), (lower.StatusCode, lowerBody.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "request.validation-failed"), (empty.StatusCode, emptyBody.GetProperty("code").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'document.upgraded' AND target_id = '{id}'"));
    }

    [Fact]
    public async Task Upgrade_WithoutClientToken_IsRefused()
    {
        using var anonymous = fixture.Factory.CreateClient();
        using var content = new StringContent("""{"targetLevel":"ES-A"}""", Encoding.UTF8, "application/json");

        using var response = await anonymous.PostAsync(new Uri($"{Path}/{Guid.NewGuid()}/documents/1/upgrade", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("ES-B")]
    [InlineData("es-t")]
    [InlineData("CAdES-B-T")]
    [InlineData("")]
    public async Task CreateRequest_UnknownLevel_Returns400(string level)
    {
        var client = await fixture.CreateClientAsync();
        var (signer, _, _) = await fixture.CreateSignerAsync("doctor");

        var (response, body) = await client.SendAsync(HttpMethod.Post, Path, new
        {
            signer = new { userId = signer },
            documents = new[] { TestClient.Document("prescription", SigningFixture.Prescription()) },
            signatureLevel = level,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("request.validation-failed", body.GetProperty("code").GetString());
        Assert.True(body.GetProperty("errors").TryGetProperty("signatureLevel", out _));
    }

    private async Task<(TestClient Client, Guid RequestId)> CreateAsync(string? level)
    {
        var client = await fixture.CreateClientAsync();
        var session = await fixture.CreateSignerSessionAsync("doctor");
        var signer = session.UserId;
        var (response, body) = await client.SendAsync(HttpMethod.Post, Path, new
        {
            signer = new { userId = signer },
            documents = new[] { TestClient.Document("prescription", SigningFixture.Prescription()) },
            signatureLevel = level,
        });
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

    private static async Task<byte[]> SignedAsync(TestClient client, Guid id)
    {
        var (response, _) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}/documents/1/signed");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task<JsonElement> VerifyAsync(byte[] xml)
    {
        using var content = new ByteArrayContent(xml);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        using var response = await fixture.Http.PostAsync(new Uri("/v1/verifications", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<(X509Certificate2 Root, X509Certificate2 Signing, X509Certificate2 Tsa)> CertificatesAsync()
    {
        var hierarchy = await fixture.WithScopeAsync(sp => sp.GetRequiredService<CertificateAuthorities>().RequireAsync(CancellationToken.None));
        return (hierarchy.Get("root").Certificate, hierarchy.Get("signing").Certificate, hierarchy.Tsa.Certificate);
    }

    /// <summary>xmlsec1 accepts the XMLDSig core, also with the unsigned ES-XL / ES-A properties present.</summary>
    private async Task XmlSecVerifyAsync(byte[] xml)
    {
        using var dir = new TempDir();
        var (root, signing, _) = await CertificatesAsync();
        var result = Run(dir.Path, "xmlsec1", "--verify", "--trusted-pem", dir.WritePem("root.pem", root), "--untrusted-pem", dir.WritePem("signing.pem", signing),
            "--id-attr:id", "PrescriptionDocument",
            "--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:Signature",
            "--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:KeyInfo",
            "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
            "--node-id", "PrescriptionSign", dir.Write("signed.xml", xml));
        Assert.True(result.ExitCode == 0, $"xmlsec1 refused: {result.All}");
    }

    /// <summary>
    /// openssl, independently of our code: every embedded time-stamp token verifies (ts -verify) against our root; the signer
    /// certificate verifies with CRL checking using only the embedded certificates and CRLs; the embedded OCSP response
    /// verifies and says good.
    /// </summary>
    private async Task OpenSslChecksAsync(byte[] xml, bool expectArchive)
    {
        using var dir = new TempDir();
        var (root, signing, tsa) = await CertificatesAsync();
        var rootPem = dir.WritePem("root.pem", root);
        File.WriteAllText(dir.File("untrusted.pem"), signing.ExportCertificatePem() + "\n" + tsa.ExportCertificatePem() + "\n");
        var document = new XmlDocument { PreserveWhitespace = true };
        document.Load(new MemoryStream(xml));
        var ns = new XmlNamespaceManager(document.NameTable);
        ns.AddNamespace("xa", Xades132);
        ns.AddNamespace("xa141", Xades141);
        ns.AddNamespace("ds", "http://www.w3.org/2000/09/xmldsig#");

        var tokens = new List<(string Kind, byte[] Token)>();
        foreach (XmlElement e in document.SelectNodes("//xa:SignatureTimeStamp/xa:EncapsulatedTimeStamp", ns)!)
        {
            tokens.Add(("signature", Convert.FromBase64String(e.InnerText)));
        }

        foreach (XmlElement e in document.SelectNodes("//xa141:ArchiveTimeStamp/xa:EncapsulatedTimeStamp", ns)!)
        {
            tokens.Add(("archive", Convert.FromBase64String(e.InnerText)));
        }

        Assert.Equal(expectArchive ? 2 : 1, tokens.Count);
        foreach (var (kind, token) in tokens)
        {
            Assert.True(Rfc3161TimestampToken.TryDecode(token, out var decoded, out _));
            var digest = Convert.ToHexString(decoded!.TokenInfo.GetMessageHash().Span);
            var ts = OpenSsl.Run(dir.Path, "ts", "-verify", "-token_in", "-in", dir.Write($"{kind}.tst", token), "-digest", digest,
                "-CAfile", rootPem, "-untrusted", dir.File("untrusted.pem"));
            Assert.True(ts.ExitCode == 0 && ts.StdOut.Contains("Verification: OK", StringComparison.Ordinal), $"{kind} token: {ts.All}");
        }

        // The signer's validation values (the first CertificateValues / RevocationValues directly under UnsignedSignatureProperties).
        var certificates = document.SelectNodes("//xa:UnsignedSignatureProperties/xa:CertificateValues/xa:EncapsulatedX509Certificate", ns)!
            .Cast<XmlElement>().Select(e => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(e.InnerText))).ToList();
        var crls = document.SelectNodes("//xa:UnsignedSignatureProperties/xa:RevocationValues/xa:CRLValues/xa:EncapsulatedCRLValue", ns)!
            .Cast<XmlElement>().Select(e => Convert.FromBase64String(e.InnerText)).ToList();
        var ocsp = document.SelectNodes("//xa:UnsignedSignatureProperties/xa:RevocationValues/xa:OCSPValues/xa:EncapsulatedOCSPValue", ns)!
            .Cast<XmlElement>().Select(e => Convert.FromBase64String(e.InnerText)).ToList();
        var signer = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(
            ((XmlElement)document.SelectSingleNode("//ds:Signature[@Id='PrescriptionSign']/ds:KeyInfo/ds:X509Data/ds:X509Certificate", ns)!).InnerText));
        Assert.Contains(certificates, c => c.Thumbprint == signing.Thumbprint);
        Assert.Contains(certificates, c => c.Thumbprint == root.Thumbprint);
        Assert.Equal(2, crls.Count);
        Assert.Single(ocsp);

        var embeddedRoot = dir.WritePem("embedded-root.pem", certificates.Single(c => c.Thumbprint == root.Thumbprint));
        File.WriteAllText(dir.File("embedded-chain.pem"), string.Concat(certificates.Where(c => c.Thumbprint != root.Thumbprint).Select(c => c.ExportCertificatePem() + "\n")));
        File.WriteAllText(dir.File("crls.pem"), string.Concat(crls.Select(c => new string(PemEncoding.Write("X509 CRL", c)) + "\n")));
        var signerPem = dir.WritePem("signer.pem", signer);
        var verify = OpenSsl.Run(dir.Path, "verify", "-crl_check_all", "-CAfile", embeddedRoot, "-untrusted", dir.File("embedded-chain.pem"),
            "-CRLfile", dir.File("crls.pem"), signerPem);
        Assert.True(verify.ExitCode == 0, verify.All);

        var ocspCheck = OpenSsl.Run(dir.Path, "ocsp", "-respin", dir.Write("ocsp.der", ocsp[0]), "-CAfile", rootPem, "-verify_other", dir.File("embedded-chain.pem"),
            "-issuer", dir.WritePem("issuer.pem", signing), "-cert", signerPem);
        Assert.True(ocspCheck.ExitCode == 0 && ocspCheck.All.Contains("Response verify OK", StringComparison.Ordinal), ocspCheck.All);
        Assert.Contains(": good", ocspCheck.StdOut, StringComparison.Ordinal);
    }

    private static OpenSsl.Result Run(string directory, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(60_000);
        return new OpenSsl.Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
