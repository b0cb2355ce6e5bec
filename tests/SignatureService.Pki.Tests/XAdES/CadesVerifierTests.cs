using System.Text;
using SignatureService.Pki.XAdES;
using SignatureService.Pki.XAdES.Cades;

namespace SignatureService.Pki.Tests.XAdES;

public sealed class CadesVerifierTests(XadesTestPki pki) : IClassFixture<XadesTestPki>
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n% death certificate for the family\n%%EOF\n");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_OwnBT_AllChecksPass(bool detached)
    {
        var cms = await new CadesSigner(TimeProvider.System, pki.TimestampSource)
            .SignAsync(Pdf, detached, pki.SignerKey, pki.SignerCertificate, [pki.CaCertificate], withTimestamp: true, CancellationToken.None);

        var report = new CadesVerifier().Verify(cms, detached ? Pdf : null);

        var signer = Assert.Single(report.Signatures);
        Assert.Equal(XadesLevel.T, signer.Level);
        Assert.True(report.IsValid, string.Join("; ", signer.Checks.Select(c => $"{c.Check}:{c.Code}")));
        Assert.NotNull(signer.SignatureTimestampTime);
        Assert.Contains(signer.TimestampAuthorityCertificates, c => c.Thumbprint == pki.TsaCertificate.Thumbprint);
    }

    [Fact]
    public async Task Verify_DetachedWithOtherContent_ReportsSignatureInvalid()
    {
        var cms = await new CadesSigner(TimeProvider.System).SignAsync(Pdf, true, pki.SignerKey, pki.SignerCertificate, [], false, CancellationToken.None);
        var other = (byte[])Pdf.Clone();
        other[^3] ^= 1;

        var signer = Assert.Single(new CadesVerifier().Verify(cms, other).Signatures);

        Assert.Equal(XadesErrorCodes.SignatureInvalid, signer.Results(XadesCheckNames.SignatureValue).Single().Code);
        Assert.Equal(XadesCheckStatus.NotApplicable, signer.Results(XadesCheckNames.SignatureTimestampImprint).Single().Status);
    }

    [Fact]
    public void Verify_OpenSslCadesSignature_AcceptedIncludingSigningCertificateV2()
    {
        File.WriteAllText(pki.PathOf("signer.key"), pki.SignerKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(pki.PathOf("family.pdf"), Pdf);
        ExternalTool.MustSucceed("openssl", pki.Directory, "cms", "-sign", "-binary", "-cades", "-md", "sha256", "-in", "family.pdf",
            "-signer", "signer.pem", "-inkey", "signer.key", "-outform", "DER", "-out", "openssl.p7s"); // detached by default

        var signer = Assert.Single(new CadesVerifier().Verify(File.ReadAllBytes(pki.PathOf("openssl.p7s")), Pdf).Signatures);

        var signatureValue = signer.Results(XadesCheckNames.SignatureValue).Single();
        Assert.True(signatureValue.Status == XadesCheckStatus.Passed, $"{signatureValue.Code} {signatureValue.Detail}");
        var signingCertificate = signer.Results(XadesCheckNames.SigningCertificate).Single();
        Assert.True(signingCertificate.Status == XadesCheckStatus.Passed, $"{signingCertificate.Code} {signingCertificate.Detail}");
        Assert.True(signer.Outcome == XadesCheckStatus.Passed, string.Join("; ", signer.Checks.Select(c => $"{c.Check}:{c.Code}:{c.Detail}")));
    }

    [Theory]
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01 })]
    [InlineData(new byte[] { 0x01, 0x02, 0x03 })]
    public void Verify_Garbage_ReportsCadesInvalid(byte[] garbage)
    {
        var report = new CadesVerifier().Verify(garbage, null);

        Assert.Equal(XadesErrorCodes.CadesInvalid, report.ErrorCode);
    }
}
