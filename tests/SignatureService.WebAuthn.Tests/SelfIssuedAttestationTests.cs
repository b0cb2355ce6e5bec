using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Testing;
using SignatureService.WebAuthn.Trust;

namespace SignatureService.WebAuthn.Tests;

/// <summary>A self-issued attestation certificate (CA=false, re-signed per registration, as Chromium's virtual authenticator sends)
/// is trusted only through a pinned CA root with the same subject and public key.</summary>
public sealed class SelfIssuedAttestationTests
{
    [Fact]
    public void Verify_SelfIssuedCertificate_PinnedCaRootWithSameKey_IsTrusted()
    {
        using var fixture = new Aal3Fixture(new SoftwareAuthenticatorSettings { SelfIssuedAttestationCertificate = true });
        Pin(fixture, fixture.Authenticator.CreateCertificateForAttestationKey(certificateAuthority: true));

        var result = fixture.Verify(fixture.Authenticator.MakeCredential(fixture.CreateRequest()));

        Assert.True(result.Trust.IsTrusted);
    }

    [Fact]
    public void Verify_SelfIssuedCertificate_PinnedRootNotACa_IsUntrusted()
    {
        using var fixture = new Aal3Fixture(new SoftwareAuthenticatorSettings { SelfIssuedAttestationCertificate = true });
        Pin(fixture, fixture.Authenticator.CreateCertificateForAttestationKey(certificateAuthority: false));

        AssertUntrusted(fixture);
    }

    [Fact]
    public void Verify_SelfIssuedCertificate_PinnedCaRootWithAnotherKey_IsUntrusted()
    {
        using var fixture = new Aal3Fixture(new SoftwareAuthenticatorSettings { SelfIssuedAttestationCertificate = true });
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(fixture.Authenticator.AttestationCertificate.SubjectName, otherKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var other = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Pin(fixture, X509CertificateLoader.LoadCertificate(other.RawData));

        AssertUntrusted(fixture);
    }

    private static void Pin(Aal3Fixture fixture, X509Certificate2 root)
    {
        fixture.Trust.AllowList.Clear();
        fixture.Trust.AllowList.Add(new TrustedAuthenticator(fixture.Authenticator.Aaguid, "Self-issued", [root]));
    }

    private static void AssertUntrusted(Aal3Fixture fixture)
    {
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(fixture.Authenticator.MakeCredential(fixture.CreateRequest())));
        Assert.Equal(WebAuthnErrorCodes.AttestationUntrusted, ex.Code);
    }
}
