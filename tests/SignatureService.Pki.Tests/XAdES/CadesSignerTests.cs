using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Text;
using SignatureService.Pki.XAdES;
using SignatureService.Pki.XAdES.Cades;

namespace SignatureService.Pki.Tests.XAdES;

public sealed class CadesSignerTests(XadesTestPki pki) : IClassFixture<XadesTestPki>
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SignAsync_BT_OpenSslCmsVerifies(bool detached)
    {
        var cms = await Signer().SignAsync(Pdf, detached, pki.SignerKey, pki.SignerCertificate, [pki.CaCertificate], withTimestamp: true, CancellationToken.None);
        var name = detached ? "detached" : "attached";
        await File.WriteAllBytesAsync(pki.PathOf($"{name}.p7s"), cms);
        await File.WriteAllBytesAsync(pki.PathOf("content.pdf"), Pdf);

        string[] arguments = detached
            ? ["cms", "-verify", "-binary", "-inform", "DER", "-in", $"{name}.p7s", "-content", "content.pdf", "-CAfile", "ca.pem", "-purpose", "any", "-out", $"{name}.out"]
            : ["cms", "-verify", "-binary", "-inform", "DER", "-in", $"{name}.p7s", "-CAfile", "ca.pem", "-purpose", "any", "-out", $"{name}.out"];
        var result = ExternalTool.Run("openssl", pki.Directory, arguments);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal(Pdf, await File.ReadAllBytesAsync(pki.PathOf($"{name}.out")));
    }

    [Fact]
    public async Task SignAsync_BT_TimestampCoversSignatureValueAndOpenSslTsVerifies()
    {
        var encoded = await Signer().SignAsync(Pdf, true, pki.SignerKey, pki.SignerCertificate, [], withTimestamp: true, CancellationToken.None);
        var cms = new SignedCms(new ContentInfo(Pdf), detached: true);
        cms.Decode(encoded);
        cms.CheckSignature(verifySignatureOnly: true);
        var signerInfo = cms.SignerInfos[0];

        var attribute = Assert.Single(signerInfo.UnsignedAttributes.Cast<CryptographicAttributeObject>(), a => a.Oid.Value == "1.2.840.113549.1.9.16.2.14");
        var token = attribute.Values[0].RawData;
        await File.WriteAllBytesAsync(pki.PathOf("cades-ts.tok"), token);
        await File.WriteAllBytesAsync(pki.PathOf("cades-sig.bin"), signerInfo.GetSignature());
        var result = ExternalTool.Run("openssl", pki.Directory, "ts", "-verify", "-in", "cades-ts.tok", "-token_in", "-data", "cades-sig.bin", "-CAfile", "tsaca.crt");

        Assert.True(result.ExitCode == 0, result.Describe());
    }

    [Fact]
    public async Task SignAsync_SigningCertificateV2_HashesTheSignerCertificate()
    {
        var encoded = await Signer().SignAsync(Pdf, false, pki.SignerKey, pki.SignerCertificate, [], withTimestamp: false, CancellationToken.None);
        var cms = new SignedCms();
        cms.Decode(encoded);

        var attribute = Assert.Single(cms.SignerInfos[0].SignedAttributes.Cast<CryptographicAttributeObject>(), a => a.Oid.Value == "1.2.840.113549.1.9.16.2.47");
        var reader = new AsnReader(attribute.Values[0].RawData, AsnEncodingRules.DER).ReadSequence().ReadSequence().ReadSequence();
        Assert.Equal(SHA256.HashData(pki.SignerCertificate.RawData), reader.ReadOctetString());
        Assert.Contains(cms.SignerInfos[0].SignedAttributes.Cast<CryptographicAttributeObject>(), a => a.Oid.Value == "1.2.840.113549.1.9.5");
        Assert.Empty(cms.SignerInfos[0].UnsignedAttributes);
    }

    [Fact]
    public async Task SignAsync_TimestampWithoutSource_ThrowsCadesInvalid()
    {
        var ex = await Assert.ThrowsAsync<XadesException>(() =>
            new CadesSigner(TimeProvider.System).SignAsync(Pdf, true, pki.SignerKey, pki.SignerCertificate, [], withTimestamp: true, CancellationToken.None));

        Assert.Equal(XadesErrorCodes.CadesInvalid, ex.Code);
    }

    private CadesSigner Signer() => new(TimeProvider.System, pki.TimestampSource);
}
