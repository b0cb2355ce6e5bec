using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Proofing;
using SignatureService.Core.Errors;
using SignatureService.Pki.Certificates;
using SignatureService.Pki.Revocation;

namespace SignatureService.Api.Tests.Proofing;

/// <summary>
/// The online route's revocation check (Proofing:JpkiCrlFiles) on a test JPKI hierarchy: a card certificate listed on the CA's
/// CRL is refused, an unlisted one passes, and without a current CRL the signature is not accepted. Real RSA keys and CMS; the CRL
/// files are written, rewritten and read back from disk as an operator's refresh would.
/// </summary>
public sealed class JpkiRevocationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("signsvc-jpki-").FullName;
    private readonly RSA _caKey = RSA.Create(2048);
    private readonly X509Certificate2 _ca;
    private readonly string _rootFile;
    private readonly string _crlFile;
    private readonly byte[] _input = "SignatureService identity proofing application v1\nid=test\n"u8.ToArray();

    public JpkiRevocationTests()
    {
        var request = new CertificateRequest("CN=Test JPKI Signing CA, O=Test J-LIS, C=JP", _caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
        {
            CertificateExtensions =
            {
                new X509BasicConstraintsExtension(true, false, 0, true),
                new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true),
            },
        };
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddYears(5));
        _rootFile = Path.Combine(_dir, "jpki-root.pem");
        File.WriteAllText(_rootFile, _ca.ExportCertificatePem());
        _crlFile = Path.Combine(_dir, "jpki.crl");
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private X509Certificate2 Card(byte serial)
    {
        using var key = RSA.Create(2048);
        using var certificate = new CertificateRequest($"CN=JPKI Card {serial}, C=JP", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
        {
            CertificateExtensions = { new X509KeyUsageExtension(X509KeyUsageFlags.NonRepudiation, true) },
        }.Create(_ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), [0x11, serial]);
        return certificate.CopyWithPrivateKey(key);
    }

    private void WriteCrl(DateTimeOffset thisUpdate, DateTimeOffset nextUpdate, params X509Certificate2[] revoked)
    {
        var crl = CrlBuilder.Build(new CrlContent(Random.Shared.Next(1, 1_000_000), thisUpdate, nextUpdate,
            [.. revoked.Select(c => new RevokedCertificate(c.SerialNumberBytes, thisUpdate.AddMinutes(-30), RevocationReason.KeyCompromise))]),
            IssuerCredential.FromRsa(_ca, _caKey));
        File.WriteAllBytes(_crlFile, crl);
        File.SetLastWriteTimeUtc(_crlFile, DateTime.UtcNow.AddSeconds(Random.Shared.Next(1, 10_000)));
    }

    private VerifyJpkiSignature Verifier(bool withCrls = true) => new(Options.Create(new ProofingOptions
    {
        JpkiRootPemFiles = [_rootFile],
        JpkiCrlFiles = withCrls ? [_crlFile] : [],
    }), TimeProvider.System);

    private byte[] Sign(X509Certificate2 signer)
    {
        var cms = new SignedCms(new ContentInfo(_input), detached: true);
        cms.ComputeSignature(new CmsSigner(signer) { IncludeOption = X509IncludeOption.EndCertOnly, DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1") });
        return cms.Encode();
    }

    [Fact]
    public void Verify_CardListedOnTheCurrentCrl_IsRefusedAsInvalid_AndAnUnlistedCardPasses()
    {
        using var revoked = Card(1);
        using var good = Card(2);
        WriteCrl(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), revoked);
        var verifier = Verifier();

        var refusal = Assert.Throws<ServiceException>(() => verifier.Verify(_input, Sign(revoked)));
        using var accepted = verifier.Verify(_input, Sign(good));

        Assert.Equal(ErrorCatalogue.ProofingJpkiSignatureInvalid.Code, refusal.Error.Code);
        Assert.Contains("revoked", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(good.Thumbprint, accepted.Thumbprint);
    }

    [Fact]
    public void Verify_OnlyAnExpiredCrl_IsRefusedAsRevocationUnknown_UntilTheOperatorRefreshesIt()
    {
        using var card = Card(3);
        WriteCrl(DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddDays(-1));
        var verifier = Verifier();

        var refusal = Assert.Throws<ServiceException>(() => verifier.Verify(_input, Sign(card)));
        WriteCrl(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var accepted = verifier.Verify(_input, Sign(card));

        Assert.Equal(ErrorCatalogue.ProofingJpkiRevocationUnknown.Code, refusal.Error.Code);
        Assert.Equal(409, refusal.Error.Status);
        Assert.Equal(card.Thumbprint, accepted.Thumbprint);
    }

    [Fact]
    public void Verify_ListedCardWithoutConfiguredCrls_IsAcceptedAsBefore()
    {
        using var revoked = Card(4);
        WriteCrl(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), revoked);

        using var accepted = Verifier(withCrls: false).Verify(_input, Sign(revoked));

        Assert.Equal(revoked.Thumbprint, accepted.Thumbprint);
    }
}
