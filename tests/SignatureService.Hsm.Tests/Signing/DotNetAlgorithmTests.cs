using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using SignatureService.Hsm.Tests.Infrastructure;

namespace SignatureService.Hsm.Tests.Signing;

[Collection(SoftHsmTokenGroup.Name)]
public sealed class DotNetAlgorithmTests(TokenFixture fixture)
{
    private static readonly byte[] Document = Encoding.UTF8.GetBytes("<Document id=\"Document\">死亡診断書</Document>");

    private readonly HsmToken _token = fixture.Token;

    public static TheoryData<string> Paddings => new() { "Pkcs1", "Pss" };

    [Theory]
    [MemberData(nameof(Paddings))]
    public void CertificateRequest_SelfSignedThroughHsmRsaGenerator_VerifiesWithOpenSsl(string paddingName)
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.Rsa2048);
        using var rsa = temporary.Key.AsRsa();
        var padding = paddingName == "Pss" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        var request = new CertificateRequest("CN=HSM RSA test, O=SignatureService, C=JP", rsa, HashAlgorithmName.SHA256, padding);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));

        using var certificate = SelfSigned(request, X509SignatureGenerator.CreateForRSA(rsa, padding));

        Assert.Equal(temporary.Key.SubjectPublicKeyInfo, certificate.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.False(certificate.HasPrivateKey);
        AssertOpenSslVerifiesSelfSigned(certificate);
    }

    [Fact]
    public void CertificateRequest_SelfSignedThroughHsmECDsaGenerator_VerifiesWithOpenSsl()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.EcP256);
        using var ecdsa = temporary.Key.AsECDsa();
        var request = new CertificateRequest("CN=HSM EC test, C=JP", ecdsa, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));

        using var certificate = SelfSigned(request, X509SignatureGenerator.CreateForECDsa(ecdsa));

        AssertOpenSslVerifiesSelfSigned(certificate);
    }

    [Fact]
    public void CertificateRequest_CreateSelfSignedWithHsmKeys_RefusesToCopyThePrivateKey()
    {
        // Note: CreateSelfSigned signs (through our SignHash) and then attaches the private key to the certificate, which
        // on Linux means exporting it into OpenSSL. HSM keys refuse that, so callers use Create with a signature generator.
        using var rsaKey = new TemporaryKey(_token, HsmKeyAlgorithm.Rsa2048);
        using var ecKey = new TemporaryKey(_token, HsmKeyAlgorithm.EcP256);
        using var rsa = rsaKey.Key.AsRsa();
        using var ecdsa = ecKey.Key.AsECDsa();
        var rsaRequest = new CertificateRequest("CN=x", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var ecRequest = new CertificateRequest("CN=x", ecdsa, HashAlgorithmName.SHA256);

        Assert.Throws<CryptographicException>(() => rsaRequest.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1)));
        Assert.Throws<CryptographicException>(() => ecRequest.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1)));
    }

    [Fact]
    public void X509SignatureGenerator_ForRsaAndECDsa_IssuesCertificatesThatVerify()
    {
        using var caKey = new TemporaryKey(_token, HsmKeyAlgorithm.Rsa2048, "ca/root/cert-signing");
        using var signerKey = new TemporaryKey(_token, HsmKeyAlgorithm.EcP256, "signer");
        using var caRsa = caKey.Key.AsRsa();
        using var signerEcdsa = signerKey.Key.AsECDsa();
        var caName = new X500DistinguishedName("CN=HSM test CA, C=JP");
        var caRequest = new CertificateRequest(caName, caRsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-1);
        var caGenerator = X509SignatureGenerator.CreateForRSA(caRsa, RSASignaturePadding.Pkcs1);
        using var caCertificate = caRequest.Create(caName, caGenerator, notBefore, notBefore.AddDays(2), [1]);

        var leafRequest = new CertificateRequest("CN=Signer, C=JP", signerEcdsa, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.NonRepudiation, true));
        using var leaf = leafRequest.Create(caName, caGenerator, notBefore, notBefore.AddDays(1), [2]);

        var selfGenerator = X509SignatureGenerator.CreateForECDsa(signerEcdsa);
        using var selfSigned = leafRequest.Create(new X500DistinguishedName("CN=Signer, C=JP"), selfGenerator, notBefore, notBefore.AddDays(1), [3]);

        using var directory = new TemporaryDirectory();
        var caPath = directory.Write("ca.pem", Encoding.ASCII.GetBytes(caCertificate.ExportCertificatePem()));
        var leafPath = directory.Write("leaf.pem", Encoding.ASCII.GetBytes(leaf.ExportCertificatePem()));
        var verify = ExternalTool.Run("openssl", "verify", "-CAfile", caPath, leafPath);
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        AssertOpenSslVerifiesSelfSigned(selfSigned);
    }

    [Fact]
    public void SignedCms_CmsSignerWithHsmRsa_VerifiesWithDotNetAndOpenSsl()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.Rsa2048);
        using var rsa = temporary.Key.AsRsa();
        using var certificate = SelfSigned(rsa);
        var cms = new SignedCms(new ContentInfo(Document), detached: true);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, certificate, rsa)
        {
            DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1"),
        };

        cms.ComputeSignature(signer);
        var encoded = cms.Encode();

        var decoded = new SignedCms(new ContentInfo(Document), detached: true);
        decoded.Decode(encoded);
        decoded.CheckSignature(verifySignatureOnly: true);
        using var directory = new TemporaryDirectory();
        var result = ExternalTool.Run(
            "openssl", "cms", "-verify", "-binary", "-noverify", "-inform", "DER",
            "-in", directory.Write("sig.p7s", encoded),
            "-content", directory.Write("doc.xml", Document),
            "-out", Path.Combine(directory.Path, "out.bin"));
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
    }

    [Fact]
    public void SignedCms_CmsSignerWithHsmECDsa_VerifiesWithDotNet()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.EcP256);
        using var ecdsa = temporary.Key.AsECDsa();
        var request = new CertificateRequest("CN=CMS EC", ecdsa, HashAlgorithmName.SHA256);
        using var certificate = SelfSigned(request, X509SignatureGenerator.CreateForECDsa(ecdsa));
        var cms = new SignedCms(new ContentInfo(Document), detached: true);

        cms.ComputeSignature(new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, certificate, ecdsa));

        var decoded = new SignedCms(new ContentInfo(Document), detached: true);
        decoded.Decode(cms.Encode());
        decoded.CheckSignature(verifySignatureOnly: true);
        Assert.Single(decoded.SignerInfos);
    }

    [Fact]
    public void SignedXml_WithHsmRsa_ProducesAVerifyingRsaSha256Signature()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.Rsa2048);
        using var rsa = temporary.Key.AsRsa();
        var xml = new XmlDocument { PreserveWhitespace = true };
        xml.LoadXml("<Document><Prescription Id=\"PrescriptionDocument\">U0oxLDE=</Prescription></Document>");
        var signedXml = new SignedXml(xml) { SigningKey = rsa };
        signedXml.SignedInfo!.SignatureMethod = SignedXml.XmlDsigRSASHA256Url;
        signedXml.SignedInfo.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
        var reference = new Reference("#PrescriptionDocument") { DigestMethod = SignedXml.XmlDsigSHA256Url };
        reference.AddTransform(new XmlDsigExcC14NTransform());
        signedXml.AddReference(reference);

        signedXml.ComputeSignature();
        xml.DocumentElement!.AppendChild(xml.ImportNode(signedXml.GetXml(), true));

        var check = new SignedXml(xml);
        check.LoadXml((XmlElement)xml.GetElementsByTagName("Signature", SignedXml.XmlDsigNamespaceUrl)[0]!);
        using var publicKey = RSA.Create();
        publicKey.ImportSubjectPublicKeyInfo(temporary.Key.SubjectPublicKeyInfo, out _);
        Assert.True(check.CheckSignature(publicKey));
    }

    [Fact]
    public void HsmRsa_PrivateExport_ThrowsCryptographicException()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.Rsa2048);
        using var rsa = temporary.Key.AsRsa();

        Assert.Throws<CryptographicException>(() => rsa.ExportParameters(true));
        Assert.Throws<CryptographicException>(() => rsa.ExportRSAPrivateKey());
        Assert.Throws<CryptographicException>(() => rsa.ExportPkcs8PrivateKey());
        Assert.Throws<CryptographicException>(() => rsa.ExportRSAPrivateKeyPem());
        Assert.Throws<CryptographicException>(
            () => rsa.ExportEncryptedPkcs8PrivateKey("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)));
        Assert.Throws<CryptographicException>(() => rsa.Decrypt(new byte[256], RSAEncryptionPadding.OaepSHA256));
        Assert.Equal(temporary.Key.SubjectPublicKeyInfo, rsa.ExportSubjectPublicKeyInfo());
        Assert.Equal(2048, rsa.KeySize);
    }

    [Fact]
    public void HsmECDsa_PrivateExport_ThrowsCryptographicException()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.EcP256);
        using var ecdsa = temporary.Key.AsECDsa();

        Assert.Throws<CryptographicException>(() => ecdsa.ExportParameters(true));
        Assert.Throws<CryptographicException>(() => ecdsa.ExportExplicitParameters(true));
        Assert.Throws<CryptographicException>(() => ecdsa.ExportECPrivateKey());
        Assert.Throws<CryptographicException>(() => ecdsa.ExportPkcs8PrivateKey());
        Assert.Equal(temporary.Key.SubjectPublicKeyInfo, ecdsa.ExportSubjectPublicKeyInfo());
        Assert.Equal(256, ecdsa.KeySize);
    }

    [Fact]
    public void HsmECDsa_SignHashInDerFormat_VerifiesWithOpenSsl()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.EcP256);
        using var ecdsa = temporary.Key.AsECDsa();

        var der = ecdsa.SignData(Document, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        Assert.True(ecdsa.VerifyData(Document, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var result = ExternalTool.OpenSslVerify(temporary.Key.SubjectPublicKeyInfo, Document, der);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
    }

    [Theory]
    [InlineData("SHA384")]
    [InlineData("SHA512")]
    public void HsmRsa_SignDataWithLongerHashes_VerifiesWithDotNet(string hashName)
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.Rsa2048);
        using var rsa = temporary.Key.AsRsa();
        var hash = new HashAlgorithmName(hashName);

        var pkcs1 = rsa.SignData(Document, hash, RSASignaturePadding.Pkcs1);
        var pss = rsa.SignData(Document, hash, RSASignaturePadding.Pss);

        Assert.True(rsa.VerifyData(Document, pkcs1, hash, RSASignaturePadding.Pkcs1));
        Assert.True(rsa.VerifyData(Document, pss, hash, RSASignaturePadding.Pss));
    }

    [Fact]
    public void AsECDsa_OnRsaKey_ThrowsMechanismMismatch()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.Rsa2048);

        var ex = Assert.Throws<HsmException>(() => temporary.Key.AsECDsa());

        Assert.Equal(HsmErrorCode.MechanismMismatch, ex.Code);
    }

    private static X509Certificate2 SelfSigned(RSA rsa)
    {
        var request = new CertificateRequest("CN=CMS RSA", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return SelfSigned(request, X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1));
    }

    private static X509Certificate2 SelfSigned(CertificateRequest request, X509SignatureGenerator generator)
    {
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-1);
        return request.Create(request.SubjectName, generator, notBefore, notBefore.AddDays(1), RandomNumberGenerator.GetBytes(8));
    }

    private static void AssertOpenSslVerifiesSelfSigned(X509Certificate2 certificate)
    {
        using var directory = new TemporaryDirectory();
        var path = directory.Write("cert.pem", Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));

        var result = ExternalTool.Run("openssl", "verify", "-check_ss_sig", "-partial_chain", "-CAfile", path, path);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
    }
}
