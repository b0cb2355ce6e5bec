using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Core.Qualification;
using SignatureService.Pki.Errors;
using SignatureService.Pki.Revocation;
using SignatureService.Pki.Tests.Support;

namespace SignatureService.Pki.Tests.Revocation;

public sealed class CrlBuilderTests(TestPki pki) : IClassFixture<TestPki>
{
    private static readonly DateTimeOffset ThisUpdate = TestPki.Epoch.AddDays(10);
    private static readonly string AtTime = ThisUpdate.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static string Pem(string label, byte[] der) => new(PemEncoding.Write(label, der));

    private byte[] SignCaCrl(params RevokedCertificate[] entries) =>
        CrlBuilder.Build(new CrlContent(42, ThisUpdate, ThisUpdate.AddDays(1), entries), pki.SigningCa);

    private OpenSsl.Result VerifyWithCrl(TempDir dir, X509Certificate2 leaf, byte[] crl, bool checkAll = false, byte[]? arl = null)
    {
        var crlPath = dir.File("crls.pem");
        File.WriteAllText(crlPath, Pem("X509 CRL", crl) + "\n" + (arl is null ? string.Empty : Pem("X509 CRL", arl) + "\n"));
        return OpenSsl.Run(dir.Path, "verify", checkAll ? "-crl_check_all" : "-crl_check", "-x509_strict", "-attime", AtTime,
            "-CAfile", dir.WritePem("root.pem", pki.RootCertificate), "-untrusted", dir.WritePem("ca.pem", pki.SigningCaCertificate),
            "-CRLfile", crlPath, dir.WritePem("leaf.pem", leaf));
    }

    [Fact]
    public void OpenSslVerifyCrlCheck_GoodCertificate_Passes()
    {
        using var key = RSA.Create(2048);
        using var good = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        using var other = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        using var dir = new TempDir();
        var crl = SignCaCrl(new RevokedCertificate(other.SerialNumberBytes, ThisUpdate.AddHours(-1), RevocationReason.KeyCompromise));

        var result = VerifyWithCrl(dir, good, crl);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("OK", result.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RevocationReason.KeyCompromise)]
    [InlineData(RevocationReason.CertificateHold)]
    [InlineData(RevocationReason.Unspecified)]
    [InlineData(RevocationReason.PrivilegeWithdrawn)]
    public void OpenSslVerifyCrlCheck_RevokedCertificate_FailsAsRevoked(RevocationReason reason)
    {
        using var key = RSA.Create(2048);
        using var revoked = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        using var dir = new TempDir();
        var crl = SignCaCrl(new RevokedCertificate(revoked.SerialNumberBytes, ThisUpdate.AddHours(-2), reason, ThisUpdate.AddDays(-3)));

        var result = VerifyWithCrl(dir, revoked, crl);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("certificate revoked", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenSslVerifyCrlCheckAll_WithRootArl_PassesThenFailsWhenSubCaRevoked()
    {
        using var key = RSA.Create(2048);
        using var leaf = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        using var dir = new TempDir();
        var crl = SignCaCrl();
        var emptyArl = CrlBuilder.Build(new CrlContent(1, ThisUpdate, ThisUpdate.AddDays(30), []), pki.Root);
        var revokingArl = CrlBuilder.Build(new CrlContent(2, ThisUpdate, ThisUpdate.AddDays(30),
            [new RevokedCertificate(pki.SigningCaCertificate.SerialNumberBytes, ThisUpdate.AddMinutes(-5), RevocationReason.CACompromise)]), pki.Root);

        var passing = VerifyWithCrl(dir, leaf, crl, checkAll: true, arl: emptyArl);
        var failing = VerifyWithCrl(dir, leaf, crl, checkAll: true, arl: revokingArl);

        Assert.True(passing.ExitCode == 0, passing.All);
        Assert.NotEqual(0, failing.ExitCode);
        Assert.Contains("certificate revoked", failing.All, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenSslCrlText_Entry_ShowsNumberReasonInvalidityDateAndAki()
    {
        using var dir = new TempDir();
        var serial = new byte[] { 0x4A, 0x01, 0x02, 0x03 };
        var crl = SignCaCrl(new RevokedCertificate(serial, new DateTimeOffset(2026, 4, 10, 12, 0, 0, TimeSpan.Zero),
            RevocationReason.CertificateHold, new DateTimeOffset(2026, 4, 9, 8, 30, 0, TimeSpan.Zero)));
        var path = dir.Write("crl.der", crl);

        var text = OpenSsl.Run(dir.Path, "crl", "-inform", "DER", "-in", path, "-noout", "-text").All;
        var verify = OpenSsl.Run(dir.Path, "crl", "-inform", "DER", "-in", path, "-noout", "-CAfile", dir.WritePem("ca.pem", pki.SigningCaCertificate));

        Assert.Contains("Version 2", text, StringComparison.Ordinal);
        Assert.Matches(@"X509v3 CRL Number:\s+42", text);
        Assert.Contains("X509v3 Authority Key Identifier", text, StringComparison.Ordinal);
        Assert.Contains("Serial Number: 4A010203", text, StringComparison.Ordinal);
        Assert.Contains("Revocation Date: Apr 10 12:00:00 2026 GMT", text, StringComparison.Ordinal);
        Assert.Matches(@"X509v3 CRL Reason Code:\s+Certificate Hold", text);
        Assert.Matches(@"Invalidity Date:\s+Apr  9 08:30:00 2026 GMT", text);
        Assert.Contains("Next Update: Apr 12 00:00:00 2026 GMT", text, StringComparison.Ordinal);
        Assert.Contains("verify OK", verify.All, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_DotNetCrlReader_ReadsEntriesBack()
    {
        var serial = new byte[] { 0x01, 0x02 };
        var crl = SignCaCrl(new RevokedCertificate(serial, ThisUpdate.AddHours(-1), RevocationReason.Superseded));

        var loaded = CertificateRevocationListBuilder.Load(crl, out var number);

        Assert.Equal(42, number);
        Assert.True(loaded.RemoveEntry(serial));
    }

    [Fact]
    public void Build_NextUpdateBeforeThisUpdate_ThrowsInvalidRevocationEntry()
    {
        var ex = Assert.Throws<PkiException>(() =>
            CrlBuilder.Build(new CrlContent(1, ThisUpdate, ThisUpdate.AddSeconds(-1), []), pki.SigningCa));

        Assert.Equal(PkiErrorCodes.InvalidRevocationEntry, ex.Code);
    }

    [Theory]
    [InlineData("80")] // negative
    [InlineData("0001")] // not minimal
    [InlineData("")] // empty
    public void Build_BadSerial_ThrowsInvalidRevocationEntry(string serialHex)
    {
        var ex = Assert.Throws<PkiException>(() => SignCaCrl(new RevokedCertificate(Convert.FromHexString(serialHex), ThisUpdate)));

        Assert.Equal(PkiErrorCodes.InvalidRevocationEntry, ex.Code);
    }

    [Fact]
    public void Build_RemoveFromCrlInFullCrl_ThrowsInvalidRevocationEntry()
    {
        var ex = Assert.Throws<PkiException>(() =>
            SignCaCrl(new RevokedCertificate(new byte[] { 1 }, ThisUpdate, RevocationReason.RemoveFromCrl)));

        Assert.Equal(PkiErrorCodes.InvalidRevocationEntry, ex.Code);
    }

    [Fact]
    public void Build_IssuerWithoutCrlSign_ThrowsInvalidIssuer()
    {
        var ocspAsIssuer = SignatureService.Pki.Certificates.IssuerCredential.FromRsa(pki.OcspCertificate, pki.OcspKey);

        var ex = Assert.Throws<PkiException>(() => CrlBuilder.Build(new CrlContent(1, ThisUpdate, ThisUpdate.AddDays(1), []), ocspAsIssuer));

        Assert.Equal(PkiErrorCodes.InvalidIssuer, ex.Code);
    }
}
