using System.Security.Cryptography.X509Certificates;
using SignatureService.WebAuthn.Attestation;
using SignatureService.WebAuthn.Authentication;
using SignatureService.WebAuthn.Cose;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Registration;
using SignatureService.WebAuthn.Trust;

namespace SignatureService.WebAuthn.Tests;

/// <summary>
/// The W3C WebAuthn L3 test vectors are an independent oracle: each registration must verify (with the format,
/// type and trust the vector implies) and each authentication must verify with the registered key.
/// The vectors use random UV/BE/BS flags, so these tests relax the flag policy; the AAL3 defaults are tested elsewhere.
/// </summary>
public sealed class W3cTestVectorTests : IDisposable
{
    private readonly X509Certificate2 _root = X509CertificateLoader.LoadCertificate(W3cTestVectors.AttestationRootCertificate);

    public static TheoryData<string, string, AttestationType, CoseAlgorithm> Registrations => new()
    {
        { "none-es256", "none", AttestationType.None, CoseAlgorithm.ES256 },
        { "packed-self-es256", "packed", AttestationType.Self, CoseAlgorithm.ES256 },
        { "none-es256-crossOrigin", "none", AttestationType.None, CoseAlgorithm.ES256 },
        { "none-es256-topOrigin", "none", AttestationType.None, CoseAlgorithm.ES256 },
        { "none-es256-long-credential-id", "none", AttestationType.None, CoseAlgorithm.ES256 },
        { "packed-es256", "packed", AttestationType.Basic, CoseAlgorithm.ES256 },
        { "packed-es384", "packed", AttestationType.Basic, CoseAlgorithm.ES384 },
        { "packed-es512", "packed", AttestationType.Basic, CoseAlgorithm.ES512 },
        { "packed-rs256", "packed", AttestationType.Basic, CoseAlgorithm.RS256 },
        { "packed-eddsa", "packed", AttestationType.Basic, CoseAlgorithm.EdDSA },
        { "tpm-es256", "tpm", AttestationType.AttCA, CoseAlgorithm.ES256 },
        { "android-key-es256", "android-key", AttestationType.Basic, CoseAlgorithm.ES256 },
        { "apple-es256", "apple", AttestationType.AnonCA, CoseAlgorithm.ES256 },
        { "fido-u2f-es256", "fido-u2f", AttestationType.Basic, CoseAlgorithm.ES256 },
    };

    [Fact]
    public void Vectors_File_ContainsEveryExpectedExample()
    {
        var expected = Registrations.Select(r => (string)r[0]).Append("packed-ed448").Order(StringComparer.Ordinal);
        Assert.Equal(expected, W3cTestVectors.Ids.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Registrations))]
    public void Registration_W3cVector_VerifiesWithExpectedFormatTypeAndTrust(string id, string format, AttestationType type, CoseAlgorithm algorithm)
    {
        var vector = W3cTestVectors.Get(id);
        var result = Register(vector);

        Assert.Equal(format, result.AttestationFormat);
        Assert.Equal(type, result.AttestationType);
        Assert.Equal(algorithm, result.Algorithm);
        Assert.Equal(vector.Registration["credential_id"], result.CredentialId.ToArray());
        Assert.Equal(new Guid(vector.Registration["aaguid"], bigEndian: true), result.Aaguid);
        if (type is AttestationType.None or AttestationType.Self)
        {
            Assert.False(result.Trust.IsTrusted);
            Assert.Equal(type == AttestationType.None ? WebAuthnErrorCodes.AttestationNoneRefused : WebAuthnErrorCodes.SelfAttestationRefused, result.Trust.FailureCode);
        }
        else
        {
            Assert.True(result.Trust.IsTrusted);
            Assert.Equal(AttestationTrustSource.AllowList, result.Trust.Source);
            Assert.Equal(_root.RawData, result.AttestationTrustPath.Count > 1 ? result.AttestationTrustPath[^1].ToArray() : IssuerOf(result));
        }
    }

    [Theory]
    [MemberData(nameof(Registrations))]
    public void Authentication_W3cVector_VerifiesWithRegisteredKey(string id, string format, AttestationType type, CoseAlgorithm algorithm)
    {
        _ = (format, type, algorithm);
        var vector = W3cTestVectors.Get(id);
        var registration = Register(vector);
        var stored = new StoredCredential(registration.CredentialId, registration.PublicKey, registration.SignCount, ReadOnlyMemory<byte>.Empty, registration.BackupEligible);
        var auth = vector.Authentication;
        var request = new AssertionRequest(registration.CredentialId, auth["clientDataJSON"], auth["authenticatorData"], auth["signature"], ReadOnlyMemory<byte>.Empty, auth["challenge"]);

        var result = new AssertionVerifier(RelaxedOptions()).Verify(request, stored);

        Assert.Equal(0u, result.SignCount);
        Assert.Equal(auth["authenticatorData"][32], (byte)result.Flags);
    }

    [Theory]
    [MemberData(nameof(Registrations))]
    public void Authentication_W3cVectorWithFlippedSignatureBit_ReturnsSignatureInvalid(string id, string format, AttestationType type, CoseAlgorithm algorithm)
    {
        _ = (format, type, algorithm);
        var vector = W3cTestVectors.Get(id);
        var registration = Register(vector);
        var stored = new StoredCredential(registration.CredentialId, registration.PublicKey, 0, ReadOnlyMemory<byte>.Empty, registration.BackupEligible);
        var auth = vector.Authentication;
        var signature = auth["signature"].ToArray();
        signature[^1] ^= 0x01;
        var request = new AssertionRequest(registration.CredentialId, auth["clientDataJSON"], auth["authenticatorData"], signature, ReadOnlyMemory<byte>.Empty, auth["challenge"]);

        var ex = Assert.Throws<WebAuthnException>(() => new AssertionVerifier(RelaxedOptions()).Verify(request, stored));
        Assert.Equal(WebAuthnErrorCodes.SignatureInvalid, ex.Code);
    }

    [Fact]
    public void Registration_W3cEd448Vector_ReportsAlgorithmUnsupported()
    {
        var ex = Assert.Throws<WebAuthnException>(() => Register(W3cTestVectors.Get("packed-ed448")));
        Assert.Equal(WebAuthnErrorCodes.AlgorithmUnsupported, ex.Code);
    }

    [Fact]
    public void Registration_W3cEd448VectorWithDefaultAlgorithms_ReportsAlgorithmNotAllowed()
    {
        var vector = W3cTestVectors.Get("packed-ed448");
        var options = RelaxedOptions();
        options.AllowedAlgorithms.Remove(CoseAlgorithm.Ed448);
        var verifier = new RegistrationVerifier(options, TrustOptions(), new FixedTimeProvider(FixedTimeProvider.Default));
        var ex = Assert.Throws<WebAuthnException>(() => verifier.Verify(new RegistrationRequest(vector.Registration["clientDataJSON"], vector.Registration["attestationObject"], vector.Registration["challenge"])));
        Assert.Equal(WebAuthnErrorCodes.AlgorithmNotAllowed, ex.Code);
    }

    [Theory]
    [InlineData("none-es256", WebAuthnErrorCodes.AttestationNoneRefused)]
    [InlineData("packed-self-es256", WebAuthnErrorCodes.SelfAttestationRefused)]
    public void Registration_W3cUntrustedVectorUnderStrictTrust_IsRefused(string id, string code)
    {
        var vector = W3cTestVectors.Get(id);
        var trust = TrustOptions();
        trust.RequireTrustedAttestation = true;
        var verifier = new RegistrationVerifier(RelaxedOptions(), trust, new FixedTimeProvider(FixedTimeProvider.Default));
        var ex = Assert.Throws<WebAuthnException>(() => verifier.Verify(new RegistrationRequest(vector.Registration["clientDataJSON"], vector.Registration["attestationObject"], vector.Registration["challenge"])));
        Assert.Equal(code, ex.Code);
    }

    [Fact]
    public void Registration_W3cCrossOriginVectorWithDefaultOptions_ReturnsCrossOriginNotAllowed()
    {
        var vector = W3cTestVectors.Get("none-es256-crossOrigin");
        var options = RelaxedOptions();
        options.AllowCrossOrigin = false;
        var verifier = new RegistrationVerifier(options, TrustOptions(), new FixedTimeProvider(FixedTimeProvider.Default));
        var ex = Assert.Throws<WebAuthnException>(() => verifier.Verify(new RegistrationRequest(vector.Registration["clientDataJSON"], vector.Registration["attestationObject"], vector.Registration["challenge"])));
        Assert.Equal(WebAuthnErrorCodes.CrossOriginNotAllowed, ex.Code);
    }

    [Fact]
    public void Registration_W3cAndroidKeyVectorWithTeeEnforcedCheck_IsRefusedBecauseListsAreEmpty()
    {
        // Note: the vector's authorization lists are empty, so the AAL3 default (origin GENERATED and purpose SIGN
        // in teeEnforced) must refuse it; the vector only passes with ChallengeAndKeyOnly.
        var vector = W3cTestVectors.Get("android-key-es256");
        var trust = TrustOptions();
        trust.AndroidKeyCheck = AndroidKeyAuthorizationCheck.TeeEnforced;
        var verifier = new RegistrationVerifier(RelaxedOptions(), trust, new FixedTimeProvider(FixedTimeProvider.Default));
        var ex = Assert.Throws<WebAuthnException>(() => verifier.Verify(new RegistrationRequest(vector.Registration["clientDataJSON"], vector.Registration["attestationObject"], vector.Registration["challenge"])));
        Assert.Equal(WebAuthnErrorCodes.AttestationInvalid, ex.Code);
    }

    [Fact]
    public void Registration_W3cPackedVectorAfterRootExpiry_ReturnsAttestationUntrusted()
    {
        var vector = W3cTestVectors.Get("packed-es256");
        var trust = TrustOptions();
        trust.RequireTrustedAttestation = true;
        var verifier = new RegistrationVerifier(RelaxedOptions(), trust, new FixedTimeProvider(new DateTimeOffset(2023, 12, 31, 0, 0, 0, TimeSpan.Zero)));
        var ex = Assert.Throws<WebAuthnException>(() => verifier.Verify(new RegistrationRequest(vector.Registration["clientDataJSON"], vector.Registration["attestationObject"], vector.Registration["challenge"])));
        Assert.Equal(WebAuthnErrorCodes.AttestationUntrusted, ex.Code);
    }

    public void Dispose() => _root.Dispose();

    internal static WebAuthnOptions RelaxedOptions()
    {
        var options = new WebAuthnOptions
        {
            RelyingPartyId = "example.org",
            RequireUserVerification = false,
            RefuseBackupEligible = false,
            AllowCrossOrigin = true,
        };
        options.AllowedOrigins.Add("https://example.org");
        options.AllowedTopOrigins.Add("https://example.com");
        foreach (var algorithm in new[] { CoseAlgorithm.ES384, CoseAlgorithm.ES512, CoseAlgorithm.Ed448 })
        {
            options.AllowedAlgorithms.Add(algorithm);
        }

        return options;
    }

    private RegistrationResult Register(W3cVector vector)
    {
        var verifier = new RegistrationVerifier(RelaxedOptions(), TrustOptions(), new FixedTimeProvider(FixedTimeProvider.Default));
        var values = vector.Registration;
        return verifier.Verify(new RegistrationRequest(values["clientDataJSON"], values["attestationObject"], values["challenge"]));
    }

    private AttestationTrustOptions TrustOptions()
    {
        var trust = new AttestationTrustOptions
        {
            RequireTrustedAttestation = false,
            AndroidKeyCheck = AndroidKeyAuthorizationCheck.ChallengeAndKeyOnly,
        };
        foreach (var id in W3cTestVectors.Ids)
        {
            var values = W3cTestVectors.Get(id).Registration;
            trust.AllowList.Add(new TrustedAuthenticator(new Guid(values["aaguid"], bigEndian: true), "W3C " + id, [_root]));
        }

        return trust;
    }

    private byte[] IssuerOf(RegistrationResult result)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(result.AttestationTrustPath[0].Span);
        Assert.Equal(_root.SubjectName.RawData, leaf.IssuerName.RawData);
        return _root.RawData;
    }
}
