using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Core.Qualification;
using SignatureService.Pki.Certificates;
using SignatureService.Pki.Errors;
using SignatureService.Pki.Tests.Support;

namespace SignatureService.Pki.Tests.Certificates;

public sealed class HpkiCertificateBuilderTests(TestPki pki) : IClassFixture<TestPki>
{
    private static readonly string AtTime = TestPki.Epoch.AddDays(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void SigningCertificate_OpenSslText_ShowsHpkiProfile()
    {
        using var key = RSA.Create(2048);
        using var certificate = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        using var dir = new TempDir();
        var path = dir.WritePem("ee.pem", certificate);

        var text = OpenSsl.Run(dir.Path, "x509", "-in", path, "-noout", "-text", "-nameopt", "RFC2253,-esc_msb").All;

        Assert.Contains("X509v3 Key Usage: critical", text, StringComparison.Ordinal);
        Assert.Matches(@"X509v3 Key Usage: critical\s+Non Repudiation\s*\n", text);
        Assert.Contains("X509v3 Certificate Policies: critical", text, StringComparison.Ordinal);
        Assert.Contains("Policy: " + HpkiPolicyOids.SigningEndEntity, text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Subject Directory Attributes", text, StringComparison.Ordinal);
        Assert.Contains("Medical Doctor", text, StringComparison.Ordinal);
        Assert.Contains("URI:" + TestPki.CrlUrl.AbsoluteUri, text, StringComparison.Ordinal);
        Assert.Contains("OCSP - URI:" + TestPki.OcspUrl.AbsoluteUri, text, StringComparison.Ordinal);
        Assert.Contains("CA Issuers - URI:" + TestPki.CaIssuersUrl.AbsoluteUri, text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Authority Key Identifier", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Subject Key Identifier", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Extended Key Usage", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Digital Signature", text, StringComparison.Ordinal);
        Assert.Contains("sha256WithRSAEncryption", text, StringComparison.Ordinal);
        Assert.Contains("Public-Key: (2048 bit)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SigningCertificate_SubjectAndAltName_InHpkiOrderWithKanji()
    {
        using var key = RSA.Create(2048);
        using var certificate = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        using var dir = new TempDir();
        var path = dir.WritePem("ee.pem", certificate);

        var subject = OpenSsl.Run(dir.Path, "x509", "-in", path, "-noout", "-subject", "-nameopt", "oneline,-esc_msb,utf8").StdOut;
        var altName = OpenSsl.Run(dir.Path, "x509", "-in", path, "-noout", "-ext", "subjectAltName").StdOut;

        Assert.Contains("C = JP, O = MEDIS UNIVERSITY HOSPITAL, CN = Sanjushi Kagurazaka, serialNumber = Test117120", subject, StringComparison.Ordinal);
        // openssl prints DirName in the legacy /A=v form with UTF-8 bytes escaped as \xHH.
        Assert.Contains($"DirName:/C=JP/O={Escaped("医療情報大学病院")}/CN={Escaped("神楽坂　三十四")}/serialNumber=Test117120", altName, StringComparison.Ordinal);
    }

    private static string Escaped(string text) =>
        string.Concat(System.Text.Encoding.UTF8.GetBytes(text).Select(b => $"\\x{b:X2}"));

    [Fact]
    public void SigningCertificate_Serial_IsPositiveSixteenBytes()
    {
        using var key = RSA.Create(2048);
        using var first = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        using var second = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);

        var serial = first.SerialNumberBytes.Span;
        Assert.Equal(16, serial.Length);
        Assert.Equal(0, serial[0] & 0x80);
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
    }

    [Fact]
    public void Chain_OpenSslVerifyStrict_AcceptsEveryIssuedProfile()
    {
        using var key = RSA.Create(2048);
        using var signer = pki.IssueSigningCertificate(HcRole.Pharmacist, key);
        using var auth = pki.Builder.CreateAuthenticationCertificate(
            new AuthenticationCertificateProfile(TestPki.Doctor(), new RevocationEndpoints(TestPki.CrlUrl)),
            new PublicKey(key),
            pki.AuthCa);
        using var dir = new TempDir();
        var root = dir.WritePem("root.pem", pki.RootCertificate);
        var untrusted = dir.File("untrusted.pem");
        File.WriteAllText(untrusted, pki.SigningCaCertificate.ExportCertificatePem() + "\n" + pki.AuthCaCertificate.ExportCertificatePem() + "\n");
        var leaves = new[]
        {
            dir.WritePem("signer.pem", signer), dir.WritePem("auth.pem", auth), dir.WritePem("ocsp.pem", pki.OcspCertificate),
            dir.WritePem("tsa.pem", pki.TsaCertificate), dir.WritePem("sub.pem", pki.SigningCaCertificate),
        };

        foreach (var leaf in leaves)
        {
            var result = OpenSsl.Run(dir.Path, "verify", "-x509_strict", "-attime", AtTime, "-CAfile", root, "-untrusted", untrusted, leaf);
            Assert.True(result.ExitCode == 0, leaf + ": " + result.All);
        }
    }

    [Fact]
    public void SigningCa_OpenSslText_IsCaWithCriticalPolicyAndNoPathBeyondZero()
    {
        using var dir = new TempDir();
        var text = OpenSsl.Run(dir.Path, "x509", "-in", dir.WritePem("ca.pem", pki.SigningCaCertificate), "-noout", "-text").All;

        Assert.Matches(@"Basic Constraints: critical\s+CA:TRUE, pathlen:0", text);
        Assert.Matches(@"Key Usage: critical\s+Certificate Sign, CRL Sign", text);
        Assert.Contains("X509v3 Certificate Policies: critical", text, StringComparison.Ordinal);
        Assert.Contains(HpkiPolicyOids.SigningCa, text, StringComparison.Ordinal);
        Assert.Equal(TestPki.Epoch.AddYears(20).AddSeconds(-1), new DateTimeOffset(pki.SigningCaCertificate.NotAfter.ToUniversalTime()));
        Assert.Equal(TestPki.Epoch.AddYears(30).AddSeconds(-1), new DateTimeOffset(pki.RootCertificate.NotAfter.ToUniversalTime()));
    }

    [Fact]
    public void TimestampingCertificate_OpenSslText_HasOnlyCriticalTimeStampingEku()
    {
        using var dir = new TempDir();
        var text = OpenSsl.Run(dir.Path, "x509", "-in", dir.WritePem("tsa.pem", pki.TsaCertificate), "-noout", "-text").All;

        Assert.Matches(@"Extended Key Usage: critical\s+Time Stamping\s*\n", text);
    }

    [Fact]
    public void OcspResponderCertificate_OpenSslText_HasOcspSigningAndNoCheck()
    {
        using var dir = new TempDir();
        var text = OpenSsl.Run(dir.Path, "x509", "-in", dir.WritePem("ocsp.pem", pki.OcspCertificate), "-noout", "-text").All;

        Assert.Matches(@"Extended Key Usage: \s+OCSP Signing", text);
        Assert.Contains("OCSP No Check", text, StringComparison.Ordinal);
        Assert.Equal(TestPki.Epoch.AddYears(1).AddSeconds(-1), new DateTimeOffset(pki.OcspCertificate.NotAfter.ToUniversalTime()));
    }

    [Fact]
    public void CertificateSummary_SigningCertificate_ReadsIndexedFields()
    {
        using var key = RSA.Create(2048);
        using var certificate = pki.IssueSigningCertificate(HcRole.Dentist, key, "D-0042");

        var summary = CertificateSummary.Read(certificate.RawData);

        Assert.Equal(certificate.SerialNumber, summary.SerialNumberHex);
        Assert.Equal(pki.SigningCaCertificate.Subject, summary.Issuer);
        Assert.Equal("D-0042", summary.SubjectSerialNumber);
        Assert.Equal("Sanjushi Kagurazaka", summary.SubjectCommonName);
        Assert.Equal(TestPki.Epoch, summary.NotBefore);
        Assert.Equal(TestPki.Epoch.AddYears(5).AddSeconds(-1), summary.NotAfter);
        Assert.Equal([HcRole.Dentist], summary.Roles);
        Assert.Equal(X509KeyUsageFlags.NonRepudiation, summary.KeyUsage);
        Assert.Equal([HpkiPolicyOids.SigningEndEntity], summary.PolicyOids);
        Assert.True(summary.IsSigningCertificate);
        Assert.False(summary.IsCertificateAuthority);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(certificate.RawData)), summary.Sha256Thumbprint);
    }

    [Fact]
    public void CertificateSummary_AuthenticationCertificate_IsNotSigningCertificate()
    {
        using var key = RSA.Create(2048);
        using var auth = pki.Builder.CreateAuthenticationCertificate(
            new AuthenticationCertificateProfile(TestPki.Doctor(), new RevocationEndpoints(TestPki.CrlUrl)) { Roles = [HcRole.MedicalDoctor] },
            new PublicKey(key),
            pki.AuthCa);

        var summary = CertificateSummary.Read(auth);

        Assert.False(summary.IsSigningCertificate);
        Assert.Equal([HpkiPolicyOids.AuthenticationEndEntity], summary.PolicyOids);
    }

    [Theory]
    [InlineData("")]
    [InlineData("3082")]
    [InlineData("308201000102")]
    public void CertificateSummary_Garbage_ThrowsMalformedEncoding(string hex)
    {
        var ex = Assert.Throws<PkiException>(() => CertificateSummary.Read(Convert.FromHexString(hex)));

        Assert.Equal(PkiErrorCodes.MalformedEncoding, ex.Code);
    }

    [Fact]
    public void CreateSigningCertificate_IssuerIsEndEntity_ThrowsInvalidIssuer()
    {
        using var key = RSA.Create(2048);
        using var endEntity = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        var bogusIssuer = IssuerCredential.FromRsa(endEntity, key);

        var ex = Assert.Throws<PkiException>(() => pki.Builder.CreateSigningCertificate(
            new SigningCertificateProfile(TestPki.Doctor(), [HcRole.MedicalDoctor], new RevocationEndpoints(TestPki.CrlUrl)),
            new PublicKey(key),
            bogusIssuer));

        Assert.Equal(PkiErrorCodes.InvalidIssuer, ex.Code);
    }

    [Fact]
    public void IssuerCredential_KeyDoesNotMatchCertificate_ThrowsInvalidIssuer()
    {
        using var otherKey = RSA.Create(2048);

        var ex = Assert.Throws<PkiException>(() => IssuerCredential.FromRsa(pki.SigningCaCertificate, otherKey));

        Assert.Equal(PkiErrorCodes.InvalidIssuer, ex.Code);
    }

    [Fact]
    public void CreateSigningCertificate_ValidityBeyondIssuer_ThrowsInvalidProfile()
    {
        using var key = RSA.Create(2048);

        var ex = Assert.Throws<PkiException>(() => pki.Builder.CreateSigningCertificate(
            new SigningCertificateProfile(TestPki.Doctor(), [HcRole.MedicalDoctor], new RevocationEndpoints(TestPki.CrlUrl)) { Validity = TimeSpan.FromDays(365 * 25) },
            new PublicKey(key),
            pki.SigningCa));

        Assert.Equal(PkiErrorCodes.InvalidProfile, ex.Code);
    }

    [Theory]
    [InlineData("", "Test1")]
    [InlineData("Sanjushi", "bad_id*")]
    public void CreateSigningCertificate_BadName_ThrowsInvalidProfile(string name, string id)
    {
        using var key = RSA.Create(2048);
        var subject = TestPki.Doctor(id) with { NameRomaji = name };

        var ex = Assert.Throws<PkiException>(() => pki.Builder.CreateSigningCertificate(
            new SigningCertificateProfile(subject, [HcRole.MedicalDoctor], new RevocationEndpoints(TestPki.CrlUrl)),
            new PublicKey(key),
            pki.SigningCa));

        Assert.Equal(PkiErrorCodes.InvalidProfile, ex.Code);
    }

    [Fact]
    public void CreateSigningCertificate_NoCrlDistributionPoint_ThrowsInvalidProfile()
    {
        using var key = RSA.Create(2048);

        var ex = Assert.Throws<PkiException>(() => pki.Builder.CreateSigningCertificate(
            new SigningCertificateProfile(TestPki.Doctor(), [HcRole.MedicalDoctor], new RevocationEndpoints()),
            new PublicKey(key),
            pki.SigningCa));

        Assert.Equal(PkiErrorCodes.InvalidProfile, ex.Code);
    }
}
