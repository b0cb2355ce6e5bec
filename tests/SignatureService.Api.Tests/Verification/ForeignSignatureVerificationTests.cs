using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Features.Verification;
using SignatureService.Api.Tests.Approvals;
using SignatureService.Api.Tests.SignatureRequests;

namespace SignatureService.Api.Tests.Verification;

/// <summary>
/// Two installations: <see cref="Source"/> signs; <see cref="Service"/> is another one (its own CA and database) that also
/// trusts the MHLW HPKI root and the source's root (Verification:TrustAnchorPemFiles), as a pharmacy's verifier would.
/// </summary>
public sealed class ForeignTrustFixture : IAsyncLifetime
{
    private readonly string _anchorFile = Path.Combine(Path.GetTempPath(), $"signsvc-anchors-{Guid.NewGuid():N}.pem");

    internal SigningFixture Source { get; } = new();

    internal SigningFixture Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Source.InitializeAsync();
        var hierarchy = await Source.WithScopeAsync(sp => sp.GetRequiredService<CertificateAuthorities>().RequireAsync(CancellationToken.None));
        using var mhlw = X509CertificateLoader.LoadCertificateFromFile(ForeignSignatureVerificationTests.TestData("medis", "mhlw-hpki-root-ca-v2.cer"));
        await File.WriteAllTextAsync(_anchorFile, mhlw.ExportCertificatePem() + "\n" + hierarchy.Get("root").Certificate.ExportCertificatePem() + "\n");
        Service = new SigningFixture(new Dictionary<string, string?> { ["Verification:TrustAnchorPemFiles:0"] = _anchorFile });
        await Service.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        await Source.DisposeAsync();
        File.Delete(_anchorFile);
    }
}

/// <summary>
/// Signatures made elsewhere: with the MHLW HPKI root configured, the MEDIS samples' path is trusted and their signers' and
/// CAs' revocation at signing time is decided by the CRLs embedded in the samples (ES-XL RevocationValues).
/// </summary>
public sealed class ForeignSignatureVerificationTests(ForeignTrustFixture fixture) : IClassFixture<ForeignTrustFixture>
{
    [Theory]
    [InlineData("Prescription-004_01.xml", 1)]
    [InlineData("Dispensing-005_03.xml", 2)]
    public async Task Verify_MedisSampleWithMhlwRootConfigured_TrustsThePathAndChecksRevocationFromEmbeddedCrls(string file, int signatures)
    {
        var report = await VerifyAsync(await File.ReadAllBytesAsync(TestData("XAdES", file)));

        var all = report.GetProperty("signatures").EnumerateArray().ToList();
        Assert.Equal(signatures, all.Count);
        foreach (var signature in all)
        {
            var checks = signature.GetProperty("checks").EnumerateArray().ToList();
            var trust = checks.Single(c => c.GetProperty("check").GetString() == "trust-chain");
            Assert.Equal("passed", trust.GetProperty("status").GetString());
            Assert.Contains("MHLW HPKI Root CA V2", trust.GetProperty("detail").GetString(), StringComparison.Ordinal);
            var revocation = checks.Single(c => c.GetProperty("check").GetString() == "revocation");
            Assert.Equal("passed", revocation.GetProperty("status").GetString());
            Assert.Equal("verification.not-revoked", revocation.GetProperty("code").GetString());
            // Both the signer (by the CA's CRL) and the CA (by the root's ARL) were checked.
            Assert.Contains("Signer: Not listed", revocation.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("CA ", revocation.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Verify_OurEsXlSignatureAtAnotherInstance_TrustsOurRootAndReadsRevocationFromTheEmbeddedOcspResponse()
    {
        var client = await fixture.Source.CreateClientAsync();
        var session = await fixture.Source.CreateSignerSessionAsync("doctor");
        var (created, body) = await client.SendAsync(HttpMethod.Post, "/v1/signature-requests", new
        {
            signer = new { userId = session.UserId },
            documents = new[] { TestClient.Document("prescription", SigningFixture.Prescription()) },
            signatureLevel = "ES-XL",
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, body.ToString());
        var id = body.GetProperty("id").GetGuid();
        await session.ApproveAsync(id);
        Assert.Equal("signed", await ApprovalHarness.WaitForFinalStatusAsync(client, id));
        var (signed, _) = await client.SendAsync(HttpMethod.Get, $"/v1/signature-requests/{id}/documents/1/signed");

        var report = await VerifyAsync(await signed.Content.ReadAsByteArrayAsync());

        Assert.True(report.GetProperty("valid").GetBoolean(), report.ToString());
        var checks = report.GetProperty("signatures")[0].GetProperty("checks").EnumerateArray().ToList();
        var revocation = checks.Single(c => c.GetProperty("check").GetString() == "revocation");
        Assert.Equal("passed", revocation.GetProperty("status").GetString());
        // The signer by the OCSP response produced after the signature; the issuing CA by the root's ARL.
        Assert.Contains("Signer: Good according to the OCSP response of", revocation.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("CA ", revocation.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("passed", checks.Single(c => c.GetProperty("check").GetString() == "trust-chain").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Verify_MedisSampleWithoutItsCrls_RevocationIsIndeterminate()
    {
        var xml = System.Text.Encoding.UTF8.GetString(await File.ReadAllBytesAsync(TestData("XAdES", "Prescription-004_01.xml")));
        // Note: CRLValues are unsigned properties; without them nothing is broken, only the evidence of revocation is gone.
        var stripped = System.Text.RegularExpressions.Regex.Replace(xml, "<xa:EncapsulatedCRLValue[^>]*>[^<]*</xa:EncapsulatedCRLValue>", string.Empty);

        var report = await VerifyAsync(System.Text.Encoding.UTF8.GetBytes(stripped));

        var checks = report.GetProperty("signatures")[0].GetProperty("checks").EnumerateArray().ToList();
        var revocation = checks.Single(c => c.GetProperty("check").GetString() == "revocation");
        Assert.Equal("indeterminate", revocation.GetProperty("status").GetString());
        Assert.Equal("passed", checks.Single(c => c.GetProperty("check").GetString() == "signature-value").GetProperty("status").GetString());
        Assert.False(report.GetProperty("valid").GetBoolean());
    }

    [Fact]
    public void Options_MissingOrNonCrlFiles_AreRefusedAtStart()
    {
        var notACrl = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(notACrl, RandomNumberGenerator.GetBytes(64));
            var result = new VerificationOptionsValidator().Validate(null, new VerificationOptions
            {
                TrustAnchorPemFiles = ["/nonexistent/root.pem", notACrl],
                CrlFiles = ["/nonexistent/ca.crl", notACrl],
            });

            Assert.True(result.Failed);
            Assert.Equal(4, result.Failures!.Count());
            Assert.Contains(result.Failures!, f => f.Contains("is not a usable CRL", StringComparison.Ordinal));
            Assert.Contains(result.Failures!, f => f.Contains("holds no PEM certificate", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(notACrl);
        }
    }

    private async Task<JsonElement> VerifyAsync(byte[] xml)
    {
        using var content = new ByteArrayContent(xml);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/xml");
        using var response = await fixture.Service.Http.PostAsync(new Uri("/v1/verifications", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    internal static string TestData(string folder, string file, [System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "SignatureService.Pki.Tests", "TestData", folder, file));
}
