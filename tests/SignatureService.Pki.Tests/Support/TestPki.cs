using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Core.Qualification;
using SignatureService.Pki.Certificates;

namespace SignatureService.Pki.Tests.Support;

/// <summary>
/// A complete test hierarchy with software keys: root → signing sub-CA (doctor EE, OCSP responder, TSA) and
/// root → authentication sub-CA. Built once per test class via IClassFixture.
/// </summary>
public sealed class TestPki : IDisposable
{
    public static readonly DateTimeOffset Epoch = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly Uri CrlUrl = new("http://pki.example.test/crl/sign.crl");
    public static readonly Uri ArlUrl = new("http://pki.example.test/crl/root.arl");
    public static readonly Uri OcspUrl = new("http://pki.example.test/ocsp");
    public static readonly Uri CaIssuersUrl = new("http://pki.example.test/ca/sign.cer");

    public TestPki()
    {
        Clock = new FakeTimeProvider(Epoch);
        Builder = new HpkiCertificateBuilder(Clock);

        RootKey = RSA.Create(2048);
        RootCertificate = Builder.CreateRootCa(
            new RootCaProfile(Name("SignatureService Test", "Test HPKI Root CA", null)),
            X509SignatureGenerator.CreateForRSA(RootKey, RSASignaturePadding.Pkcs1));
        Root = IssuerCredential.FromRsa(RootCertificate, RootKey);

        SigningCaKey = RSA.Create(2048);
        SigningCaCertificate = Builder.CreateSubordinateCa(
            new SubordinateCaProfile(Name("SignatureService Test", "Test HPKI CA", "Test-SignCA-forNonRepudiation"), SubordinateCaPurpose.NonRepudiation)
            {
                Endpoints = new RevocationEndpoints(ArlUrl),
            },
            new PublicKey(SigningCaKey),
            Root);
        SigningCa = IssuerCredential.FromRsa(SigningCaCertificate, SigningCaKey);

        AuthCaKey = RSA.Create(2048);
        AuthCaCertificate = Builder.CreateSubordinateCa(
            new SubordinateCaProfile(Name("SignatureService Test", "Test HPKI CA", "Test-AuthCA-forAuthentication-forIndividual"), SubordinateCaPurpose.Authentication)
            {
                Endpoints = new RevocationEndpoints(ArlUrl),
            },
            new PublicKey(AuthCaKey),
            Root);
        AuthCa = IssuerCredential.FromRsa(AuthCaCertificate, AuthCaKey);

        OcspKey = RSA.Create(2048);
        OcspCertificate = Builder.CreateOcspResponder(
            new OcspResponderProfile(Name("SignatureService Test", null, "Test SignCA OCSP Responder")),
            new PublicKey(OcspKey),
            SigningCa);

        TsaKey = RSA.Create(2048);
        TsaCertificate = Builder.CreateTimestamping(
            new TimestampingProfile(Name("SignatureService Test", null, "Test TSA"))
            {
                Endpoints = new RevocationEndpoints(CrlUrl, OcspUrl, CaIssuersUrl),
            },
            new PublicKey(TsaKey),
            SigningCa);
    }

    public FakeTimeProvider Clock { get; }

    public HpkiCertificateBuilder Builder { get; }

    public RSA RootKey { get; }

    public X509Certificate2 RootCertificate { get; }

    public IssuerCredential Root { get; }

    public RSA SigningCaKey { get; }

    public X509Certificate2 SigningCaCertificate { get; }

    public IssuerCredential SigningCa { get; }

    public RSA AuthCaKey { get; }

    public X509Certificate2 AuthCaCertificate { get; }

    public IssuerCredential AuthCa { get; }

    public RSA OcspKey { get; }

    public X509Certificate2 OcspCertificate { get; }

    public RSA TsaKey { get; }

    public X509Certificate2 TsaCertificate { get; }

    /// <summary>C=JP, O, OU, CN in encoding order (most significant first).</summary>
    public static X500DistinguishedName Name(string organization, string? unit, string? commonName)
    {
        // X500DistinguishedNameBuilder encodes the last added RDN first.
        var builder = new X500DistinguishedNameBuilder();
        if (commonName is not null)
        {
            builder.AddCommonName(commonName);
        }

        if (unit is not null)
        {
            builder.AddOrganizationalUnitName(unit);
        }

        builder.AddOrganizationName(organization);
        builder.AddCountryOrRegion("JP");
        return builder.Build();
    }

    public static HpkiSubject Doctor(string id = "Test117120") =>
        new("MEDIS UNIVERSITY HOSPITAL", "Sanjushi Kagurazaka", id, "医療情報大学病院", "神楽坂　三十四");

    public X509Certificate2 IssueSigningCertificate(HcRole role, RSA key, string id = "Test117120") =>
        Builder.CreateSigningCertificate(
            new SigningCertificateProfile(Doctor(id), [role], new RevocationEndpoints(CrlUrl, OcspUrl, CaIssuersUrl)),
            new PublicKey(key),
            SigningCa);

    public void Dispose()
    {
        RootKey.Dispose();
        SigningCaKey.Dispose();
        AuthCaKey.Dispose();
        OcspKey.Dispose();
        TsaKey.Dispose();
    }
}
