using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Core.Qualification;
using SignatureService.Pki.Certificates;
using SignatureService.Pki.Revocation;
using SignatureService.Pki.Tests.Support;
using SignatureService.Pki.Timestamping;

namespace SignatureService.Pki.Tests.Certificates;

/// <summary>The builders are algorithm-agnostic: an ECDSA P-256 sub-CA and TSA under the RSA root.</summary>
public sealed class EcdsaHierarchyTests(TestPki pki) : IClassFixture<TestPki>
{
    private sealed class Serials : ITimestampSerialNumberGenerator
    {
        public BigInteger NextSerialNumber() => 99;
    }

    [Fact]
    public async Task EcdsaSubCa_IssuesCertificateCrlAndTimestamp_OpenSslVerifies()
    {
        var now = TestPki.Epoch.AddDays(2);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var eeKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var tsaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = pki.Builder.CreateSubordinateCa(
            new SubordinateCaProfile(TestPki.Name("SignatureService Test", "EC", "EC-forNonRepudiation"), SubordinateCaPurpose.NonRepudiation),
            new PublicKey(caKey), pki.Root);
        var caCredential = IssuerCredential.FromECDsa(ca, caKey);
        using var revoked = pki.Builder.CreateSigningCertificate(
            new SigningCertificateProfile(TestPki.Doctor(), [HcRole.Dentist], new RevocationEndpoints(TestPki.CrlUrl)), new PublicKey(eeKey), caCredential);
        using var tsaCert = pki.Builder.CreateTimestamping(new TimestampingProfile(TestPki.Name("SignatureService Test", null, "EC TSA")), new PublicKey(tsaKey), caCredential);
        var crl = CrlBuilder.Build(new CrlContent(7, now, now.AddDays(1), [new RevokedCertificate(revoked.SerialNumberBytes, now.AddMinutes(-1), RevocationReason.AffiliationChanged)]), caCredential);
        var data = "ecdsa"u8.ToArray();
        var token = await new LocalTimestampAuthority(new TimestampAuthority(tsaCert, tsaKey, new Serials(), new FakeTimeProvider(now)))
            .TimestampAsync(data, HashAlgorithmName.SHA384, CancellationToken.None);
        using var dir = new TempDir();
        var atTime = now.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var root = dir.WritePem("root.pem", pki.RootCertificate);
        var caPem = dir.WritePem("ca.pem", ca);
        File.WriteAllText(dir.File("crl.pem"), new string(PemEncoding.Write("X509 CRL", crl)) + "\n");

        var crlCheck = OpenSsl.Run(dir.Path, "verify", "-crl_check", "-attime", atTime, "-CAfile", root, "-untrusted", caPem,
            "-CRLfile", dir.File("crl.pem"), dir.WritePem("ee.pem", revoked));
        var tsVerify = OpenSsl.Run(dir.Path, "ts", "-verify", "-token_in", "-in", dir.Write("token.der", token), "-data", dir.Write("data.bin", data),
            "-CAfile", root, "-untrusted", caPem, "-attime", atTime);

        Assert.Contains("ecdsa-with-SHA256", OpenSsl.Run(dir.Path, "x509", "-in", dir.WritePem("ee2.pem", revoked), "-noout", "-text").All, StringComparison.Ordinal);
        Assert.Contains("certificate revoked", crlCheck.All, StringComparison.Ordinal);
        Assert.True(tsVerify.ExitCode == 0, tsVerify.All);
    }
}
