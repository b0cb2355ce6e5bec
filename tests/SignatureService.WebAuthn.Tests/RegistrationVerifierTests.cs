using System.Formats.Cbor;
using SignatureService.WebAuthn.Attestation;
using SignatureService.WebAuthn.Cose;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Registration;
using SignatureService.WebAuthn.Testing;
using SignatureService.WebAuthn.Trust;

namespace SignatureService.WebAuthn.Tests;

public sealed class RegistrationVerifierTests
{
    [Fact]
    public void Verify_PackedFullAttestationFromAllowListedAuthenticator_ReturnsTrustedCredential()
    {
        using var fixture = new Aal3Fixture();
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());

        var result = fixture.Verify(registration);

        Assert.Equal(registration.Credential.Id, result.CredentialId.ToArray());
        Assert.Equal(CoseAlgorithm.ES256, result.Algorithm);
        Assert.Equal(fixture.Authenticator.Aaguid, result.Aaguid);
        Assert.Equal("packed", result.AttestationFormat);
        Assert.Equal(AttestationType.Basic, result.AttestationType);
        Assert.True(result.Trust.IsTrusted);
        Assert.Equal(AttestationTrustSource.AllowList, result.Trust.Source);
        Assert.True(result.UserVerified);
        Assert.False(result.BackupEligible);
        Assert.Equal(fixture.Authenticator.AttestationCertificate.RawData, result.AttestationTrustPath[0].ToArray());
    }

    [Fact]
    public void Verify_WrongType_ReturnsTypeMismatch()
        => AssertCode(WebAuthnErrorCodes.TypeMismatch, f => f.CreateRequest() with { Type = "webauthn.get" });

    [Fact]
    public void Verify_OtherChallenge_ReturnsChallengeMismatch()
        => AssertCode(WebAuthnErrorCodes.ChallengeMismatch, f => f.CreateRequest() with { Challenge = new byte[32] });

    [Fact]
    public void Verify_ChallengePrefix_ReturnsChallengeMismatch()
        => AssertCode(WebAuthnErrorCodes.ChallengeMismatch, f => f.CreateRequest() with { Challenge = f.Challenge[..31] });

    [Fact]
    public void Verify_OriginNotAllowed_ReturnsOriginNotAllowed()
        => AssertCode(WebAuthnErrorCodes.OriginNotAllowed, f => f.CreateRequest() with { Origin = "https://sign.example.jp.evil.example" });

    [Fact]
    public void Verify_CrossOrigin_ReturnsCrossOriginNotAllowed()
        => AssertCode(WebAuthnErrorCodes.CrossOriginNotAllowed, f => f.CreateRequest() with { CrossOrigin = true });

    [Fact]
    public void Verify_TopOriginNotListed_ReturnsCrossOriginNotAllowed()
        => AssertCode(WebAuthnErrorCodes.CrossOriginNotAllowed, f => f.CreateRequest() with { CrossOrigin = true, TopOrigin = "https://evil.example" }, f => f.Options.AllowCrossOrigin = true);

    [Fact]
    public void Verify_OtherRpId_ReturnsRpIdHashMismatch()
        => AssertCode(WebAuthnErrorCodes.RpIdHashMismatch, f => f.CreateRequest() with { RpId = "example.jp" });

    [Fact]
    public void Verify_UserNotPresent_ReturnsUserNotPresent()
        => AssertCode(WebAuthnErrorCodes.UserNotPresent, f => f.CreateRequest() with { UserPresent = false });

    [Fact]
    public void Verify_UserNotVerified_ReturnsUserNotVerified()
        => AssertCode(WebAuthnErrorCodes.UserNotVerified, f => f.CreateRequest() with { UserVerified = false });

    [Fact]
    public void Verify_BackupEligible_ReturnsBackupEligible()
        => AssertCode(WebAuthnErrorCodes.BackupEligible, f => f.CreateRequest() with { BackupEligible = true });

    [Fact]
    public void Verify_BackupStateWithoutEligibility_ReturnsInvalidBackupState()
        => AssertCode(WebAuthnErrorCodes.InvalidBackupState, f => f.CreateRequest() with { BackupState = true }, f => f.Options.RefuseBackupEligible = false);

    [Fact]
    public void Verify_AlgorithmNotOffered_ReturnsAlgorithmNotAllowed()
    {
        using var fixture = new Aal3Fixture();
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());
        var verifier = new RegistrationVerifier(fixture.Options, fixture.Trust, fixture.Clock);

        var ex = Assert.Throws<WebAuthnException>(() => verifier.Verify(
            new RegistrationRequest(registration.ClientDataJson, registration.AttestationObject, fixture.Challenge, [CoseAlgorithm.RS256])));

        Assert.Equal(WebAuthnErrorCodes.AlgorithmNotAllowed, ex.Code);
    }

    [Fact]
    public void Verify_AlgorithmRemovedFromConfiguration_ReturnsAlgorithmNotAllowed()
        => AssertCode(WebAuthnErrorCodes.AlgorithmNotAllowed, f => f.CreateRequest(), f => f.Options.AllowedAlgorithms.Remove(CoseAlgorithm.ES256));

    [Fact]
    public void Verify_CredentialIdOf1024Bytes_ReturnsCredentialIdTooLong()
        => AssertCode(WebAuthnErrorCodes.CredentialIdTooLong, f => f.CreateRequest() with { CredentialIdLength = 1024 });

    [Fact]
    public void Verify_CredentialIdOf1023Bytes_IsAccepted()
    {
        using var fixture = new Aal3Fixture();
        var result = fixture.Verify(fixture.Authenticator.MakeCredential(fixture.CreateRequest() with { CredentialIdLength = 1023 }));
        Assert.Equal(1023, result.CredentialId.Length);
    }

    [Fact]
    public void Verify_AttestationCertificateIsCa_ReturnsAttestationInvalid()
        => AssertCode(WebAuthnErrorCodes.AttestationInvalid, f => f.CreateRequest(), settings: new SoftwareAuthenticatorSettings { AttestationCertificateIsCa = true });

    [Fact]
    public void Verify_CertificateAaguidDiffers_ReturnsAttestationInvalid()
        => AssertCode(WebAuthnErrorCodes.AttestationInvalid, f => f.CreateRequest(), settings: new SoftwareAuthenticatorSettings { CertificateAaguid = Guid.NewGuid() });

    [Fact]
    public void Verify_CertificateWithoutAaguidExtension_IsAccepted()
    {
        using var fixture = new Aal3Fixture(new SoftwareAuthenticatorSettings { OmitAaguidExtension = true });
        Assert.True(fixture.Verify(fixture.Authenticator.MakeCredential(fixture.CreateRequest())).Trust.IsTrusted);
    }

    [Fact]
    public void Verify_ExpiredAttestationChain_ReturnsAttestationUntrusted()
        => AssertCode(WebAuthnErrorCodes.AttestationUntrusted, f => f.CreateRequest(), settings: new SoftwareAuthenticatorSettings
        {
            NotBefore = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            NotAfter = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
        });

    [Fact]
    public void Verify_ChainToAnotherRoot_ReturnsAttestationUntrusted()
    {
        using var other = new SoftwareAuthenticator();
        AssertCode(WebAuthnErrorCodes.AttestationUntrusted, f => f.CreateRequest(), f =>
        {
            f.Trust.AllowList.Clear();
            f.Trust.AllowList.Add(new TrustedAuthenticator(f.Authenticator.Aaguid, "wrong root", [other.AttestationRoot]));
        });
    }

    [Fact]
    public void Verify_UnknownAaguid_ReturnsUnknownAaguid()
        => AssertCode(WebAuthnErrorCodes.UnknownAaguid, f => f.CreateRequest(), f => f.Trust.AllowList.Clear());

    [Fact]
    public void Verify_NoneAttestation_ReturnsAttestationNoneRefused()
        => AssertCode(WebAuthnErrorCodes.AttestationNoneRefused, f => f.CreateRequest() with { Attestation = SoftwareAttestationMode.None });

    [Fact]
    public void Verify_SelfAttestation_ReturnsSelfAttestationRefused()
        => AssertCode(WebAuthnErrorCodes.SelfAttestationRefused, f => f.CreateRequest() with { Attestation = SoftwareAttestationMode.PackedSelf });

    [Fact]
    public void Verify_NoneAttestationWhenTrustNotRequired_ReportsUntrusted()
    {
        using var fixture = new Aal3Fixture();
        fixture.Trust.RequireTrustedAttestation = false;
        var result = fixture.Verify(fixture.Authenticator.MakeCredential(fixture.CreateRequest() with { Attestation = SoftwareAttestationMode.None }));
        Assert.False(result.Trust.IsTrusted);
        Assert.Equal(WebAuthnErrorCodes.AttestationNoneRefused, result.Trust.FailureCode);
    }

    [Fact]
    public void Verify_SignCountChangedAfterAttestation_ReturnsAttestationInvalid()
    {
        using var fixture = new Aal3Fixture();
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());
        var tampered = RewriteAttestationObject(registration.AttestationObject, authData => authData[36] ^= 0x01);
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(registration with { AttestationObject = tampered }));
        Assert.Equal(WebAuthnErrorCodes.AttestationInvalid, ex.Code);
    }

    [Fact]
    public void Verify_CredentialKeyPointOffCurve_ReturnsMalformed()
    {
        using var fixture = new Aal3Fixture();
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());
        var tampered = RewriteAttestationObject(registration.AttestationObject, authData => authData[^1] ^= 0x01);
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(registration with { AttestationObject = tampered }));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    [Fact]
    public void Verify_AuthenticatorDataFlagFlippedAfterSigning_ReturnsAttestationInvalid()
    {
        using var fixture = new Aal3Fixture();
        fixture.Options.RefuseBackupEligible = false;
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());
        var tampered = RewriteAttestationObject(registration.AttestationObject, authData => authData[32] |= 0x08);
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(registration with { AttestationObject = tampered }));
        Assert.Equal(WebAuthnErrorCodes.AttestationInvalid, ex.Code);
    }

    [Fact]
    public void Verify_UnsupportedFormat_ReturnsAttestationFormatUnsupported()
    {
        using var fixture = new Aal3Fixture();
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());
        var tampered = RewriteAttestationObject(registration.AttestationObject, _ => { }, format: "Packed");
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(registration with { AttestationObject = tampered }));
        Assert.Equal(WebAuthnErrorCodes.AttestationFormatUnsupported, ex.Code);
    }

    private static void AssertCode(string code, Func<Aal3Fixture, MakeCredentialRequest> request, Action<Aal3Fixture>? configure = null, SoftwareAuthenticatorSettings? settings = null)
    {
        using var fixture = new Aal3Fixture(settings);
        configure?.Invoke(fixture);
        var registration = fixture.Authenticator.MakeCredential(request(fixture));
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(registration));
        Assert.Equal(code, ex.Code);
    }

    /// <summary>Re-encodes an attestation object after changing its authData (and optionally fmt), keeping attStmt.</summary>
    internal static byte[] RewriteAttestationObject(byte[] attestationObject, Action<byte[]> changeAuthData, string? format = null)
    {
        var reader = new CborReader(attestationObject);
        reader.ReadStartMap();
        reader.ReadTextString();
        var fmt = reader.ReadTextString();
        reader.ReadTextString();
        var statement = reader.ReadEncodedValue();
        reader.ReadTextString();
        var authData = reader.ReadByteString();
        changeAuthData(authData);
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartMap(3);
        writer.WriteTextString("fmt");
        writer.WriteTextString(format ?? fmt);
        writer.WriteTextString("attStmt");
        writer.WriteEncodedValue(statement.Span);
        writer.WriteTextString("authData");
        writer.WriteByteString(authData);
        writer.WriteEndMap();
        return writer.Encode();
    }
}
