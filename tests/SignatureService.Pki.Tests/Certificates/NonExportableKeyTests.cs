using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Core.Qualification;
using SignatureService.Pki.Certificates;
using SignatureService.Pki.Ocsp;
using SignatureService.Pki.Revocation;
using SignatureService.Pki.Tests.Support;
using SignatureService.Pki.Timestamping;

namespace SignatureService.Pki.Tests.Certificates;

/// <summary>Every private-key operation works with keys that refuse export, as HSM-backed keys do.</summary>
public sealed class NonExportableKeyTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed class AllGood : ICertificateStatusLookup
    {
        public ValueTask<CertificateStatus> GetStatusAsync(X509Certificate2 issuer, ReadOnlyMemory<byte> serialNumber, CancellationToken cancellationToken) =>
            ValueTask.FromResult(CertificateStatus.Good);
    }

    private sealed class Serials : ITimestampSerialNumberGenerator
    {
        public System.Numerics.BigInteger NextSerialNumber() => 7;
    }

    [Fact]
    public async Task WholeHierarchy_WithNonExportableKeys_IssuesSignsAndAnswers()
    {
        var builder = new HpkiCertificateBuilder(new FakeTimeProvider(Now));
        using var rootKey = new NonExportableRsa();
        using var caKey = new NonExportableRsa();
        using var tsaKey = new NonExportableRsa();
        using var eeKey = new NonExportableRsa();
        Assert.Throws<CryptographicException>(() => rootKey.ExportRSAPrivateKey());

        using var root = builder.CreateRootCa(new RootCaProfile(TestPki.Name("HSM Test", "Root", null)),
            X509SignatureGenerator.CreateForRSA(rootKey, RSASignaturePadding.Pkcs1));
        using var ca = builder.CreateSubordinateCa(new SubordinateCaProfile(TestPki.Name("HSM Test", "CA", "Sign-forNonRepudiation"), SubordinateCaPurpose.NonRepudiation),
            new PublicKey(caKey), IssuerCredential.FromRsa(root, rootKey));
        var caCredential = IssuerCredential.FromRsa(ca, caKey);
        using var ee = builder.CreateSigningCertificate(
            new SigningCertificateProfile(TestPki.Doctor(), [HcRole.MedicalDoctor], new RevocationEndpoints(TestPki.CrlUrl)),
            new PublicKey(eeKey), caCredential);
        using var tsaCert = builder.CreateTimestamping(new TimestampingProfile(TestPki.Name("HSM Test", null, "TSA")), new PublicKey(tsaKey), caCredential);

        var crl = CrlBuilder.Build(new CrlContent(1, Now, Now.AddDays(1), [new RevokedCertificate(new byte[] { 9 }, Now)]), caCredential);
        var ocsp = await new OcspResponder([new OcspAuthority(ca, caCredential)], new AllGood(), new FakeTimeProvider(Now))
            .RespondAsync(OcspRequestFor(ca, ee), CancellationToken.None);
        var token = await new LocalTimestampAuthority(new TimestampAuthority(tsaCert, tsaKey, new Serials(), new FakeTimeProvider(Now)))
            .TimestampAsync(new byte[] { 1, 2, 3 }, HashAlgorithmName.SHA256, CancellationToken.None);

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = Now.AddDays(1).UtcDateTime;
        Assert.True(chain.Build(ee), string.Join(", ", chain.ChainStatus.Select(s => s.Status)));
        Assert.NotEmpty(crl);
        Assert.Equal(OcspResponseStatus.Successful, ocsp.Status);
        Assert.NotEmpty(token);
        Assert.True(caKey.SignCount >= 3);
        Assert.True(tsaKey.SignCount >= 1);
    }

    private static byte[] OcspRequestFor(X509Certificate2 issuer, X509Certificate2 certificate)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("2.16.840.1.101.3.4.2.1");
            }

            writer.WriteOctetString(SHA256.HashData(issuer.SubjectName.RawData));
            writer.WriteOctetString(SHA256.HashData(issuer.PublicKey.EncodedKeyValue.RawData));
            writer.WriteInteger(certificate.SerialNumberBytes.Span);
        }

        return writer.Encode();
    }
}
