using System.Security.Cryptography;
using SignatureService.Pki.XAdES;

namespace SignatureService.Pki.Tests.XAdES;

public sealed class XadesOcspTests(XadesTestPki pki) : IClassFixture<XadesTestPki>
{
    [Fact]
    public async Task Upgrade_ToEsXlWithOpenSslOcspResponse_EmbedsAndVerifies()
    {
        var ocsp = OpenSslOcspResponse();
        var material = new XadesUpgradeMaterial { SignerValues = XadesValidationValues.From([pki.CaCertificate], ocspResponses: [ocsp]) };
        var bes = new XadesSigner(TimeProvider.System).Sign(UnsignedDocuments.Prescription(), XadesDocumentType.Prescription, pki.SignerKey, pki.SignerCertificate);

        var esXl = await new XadesUpgrader(pki.TimestampSource).UpgradeAsync(bes, "PrescriptionSign", XadesLevel.XL, material, CancellationToken.None);

        var signature = Assert.Single(new XadesVerifier().Verify(esXl).Signatures);
        Assert.Equal(XadesLevel.XL, signature.Level);
        Assert.Equal(XadesCheckStatus.Passed, signature.Outcome);
        Assert.Equal(ocsp, Assert.Single(signature.EmbeddedOcspResponses));
        Assert.Empty(signature.EmbeddedCrls);
    }

    private byte[] OpenSslOcspResponse()
    {
        File.WriteAllText(pki.PathOf("cakey.pem"), pki.CaKey.ExportPkcs8PrivateKeyPem());
        var serial = Convert.ToHexString(pki.SignerCertificate.SerialNumberBytes.Span);
        var expiry = pki.SignerCertificate.NotAfter.ToUniversalTime().ToString("yyMMddHHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(pki.PathOf("index.txt"), $"V\t{expiry}\t\t{serial}\tunknown\t/C=JP/O=Test Clinic/CN=Taro Test\n");
        ExternalTool.MustSucceed("openssl", pki.Directory, "ocsp", "-issuer", "ca.pem", "-cert", "signer.pem", "-no_nonce", "-reqout", "ocsp.req");
        ExternalTool.MustSucceed("openssl", pki.Directory, "ocsp", "-index", "index.txt", "-rsigner", "ca.pem", "-rkey", "cakey.pem", "-CA", "ca.pem",
            "-reqin", "ocsp.req", "-respout", "ocsp.der", "-ndays", "1");
        var der = File.ReadAllBytes(pki.PathOf("ocsp.der"));
        Assert.True(der.Length > 100);
        Assert.NotEqual(SHA256.HashData(der), SHA256.HashData(pki.Crl));
        return der;
    }
}
