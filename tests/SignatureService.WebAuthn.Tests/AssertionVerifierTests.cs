using SignatureService.WebAuthn.Authentication;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Testing;

namespace SignatureService.WebAuthn.Tests;

public sealed class AssertionVerifierTests
{
    [Fact]
    public void Verify_ValidAssertion_ReturnsIncreasedSignCount()
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll(signCount: 5);

        var result = fixture.Verify(SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest()), stored);

        Assert.Equal(6u, result.SignCount);
        Assert.True(result.UserVerified);
        Assert.Equal(credential.Id, result.CredentialId.ToArray());
    }

    [Fact]
    public void Verify_BothCountersZero_IsAccepted()
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        var result = fixture.Verify(SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest() with { SignCount = 0 }), stored);
        Assert.Equal(0u, result.SignCount);
    }

    [Theory]
    [InlineData(5u, 5u)]
    [InlineData(5u, 4u)]
    [InlineData(5u, 0u)]
    [InlineData(1u, 0u)]
    public void Verify_CounterNotIncreased_ReturnsSignCountRegressed(uint stored, uint presented)
    {
        using var fixture = new Aal3Fixture();
        var (credential, record) = fixture.Enroll(signCount: stored);
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest() with { SignCount = presented }), record));
        Assert.Equal(WebAuthnErrorCodes.SignCountRegressed, ex.Code);
    }

    [Fact]
    public void Verify_TamperedSignature_ReturnsSignatureInvalid()
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        var assertion = SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest());
        var signature = assertion.Signature.ToArray();
        signature[^3] ^= 0x10;
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(assertion with { Signature = signature }, stored));
        Assert.Equal(WebAuthnErrorCodes.SignatureInvalid, ex.Code);
    }

    [Fact]
    public void Verify_SignatureFromAnotherCredential_ReturnsSignatureInvalid()
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        var (other, _) = fixture.Enroll();
        var assertion = SoftwareAuthenticator.GetAssertion(other, fixture.GetRequest()) with { CredentialId = credential.Id, UserHandle = credential.UserHandle };
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(assertion, stored));
        Assert.Equal(WebAuthnErrorCodes.SignatureInvalid, ex.Code);
    }

    [Fact]
    public void Verify_RegressedCounterWithForgedSignature_ReturnsSignatureInvalidNotSuspension()
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll(signCount: 10);
        var assertion = SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest() with { SignCount = 1 });
        var signature = assertion.Signature.ToArray();
        signature[^1] ^= 0x01;
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(assertion with { Signature = signature }, stored));
        Assert.Equal(WebAuthnErrorCodes.SignatureInvalid, ex.Code);
    }

    [Fact]
    public void Verify_WrongType_ReturnsTypeMismatch()
        => AssertCode(WebAuthnErrorCodes.TypeMismatch, f => f.GetRequest() with { Type = "webauthn.create" });

    [Fact]
    public void Verify_OtherChallenge_ReturnsChallengeMismatch()
        => AssertCode(WebAuthnErrorCodes.ChallengeMismatch, f => f.GetRequest() with { Challenge = new byte[32] });

    [Fact]
    public void Verify_OriginNotAllowed_ReturnsOriginNotAllowed()
        => AssertCode(WebAuthnErrorCodes.OriginNotAllowed, f => f.GetRequest() with { Origin = "http://sign.example.jp" });

    [Fact]
    public void Verify_CrossOrigin_ReturnsCrossOriginNotAllowed()
        => AssertCode(WebAuthnErrorCodes.CrossOriginNotAllowed, f => f.GetRequest() with { CrossOrigin = true, TopOrigin = "https://evil.example" });

    [Fact]
    public void Verify_OtherRpId_ReturnsRpIdHashMismatch()
        => AssertCode(WebAuthnErrorCodes.RpIdHashMismatch, f => f.GetRequest() with { RpId = "evil.example" });

    [Fact]
    public void Verify_UserNotPresent_ReturnsUserNotPresent()
        => AssertCode(WebAuthnErrorCodes.UserNotPresent, f => f.GetRequest() with { UserPresent = false });

    [Fact]
    public void Verify_UserNotVerified_ReturnsUserNotVerified()
        => AssertCode(WebAuthnErrorCodes.UserNotVerified, f => f.GetRequest() with { UserVerified = false });

    [Fact]
    public void Verify_BackupEligibleAppears_ReturnsBackupEligible()
        => AssertCode(WebAuthnErrorCodes.BackupEligible, f => f.GetRequest() with { BackupEligible = true });

    [Fact]
    public void Verify_BackupEligibilityChangedWhenAllowed_ReturnsInvalidBackupState()
        => AssertCode(WebAuthnErrorCodes.InvalidBackupState, f => f.GetRequest() with { BackupEligible = true }, f => f.Options.RefuseBackupEligible = false);

    [Fact]
    public void Verify_BackupStateWithoutEligibility_ReturnsInvalidBackupState()
        => AssertCode(WebAuthnErrorCodes.InvalidBackupState, f => f.GetRequest() with { BackupState = true });

    [Fact]
    public void Verify_OtherUserHandle_ReturnsUserHandleMismatch()
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        var assertion = SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest()) with { UserHandle = new byte[16] };
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(assertion, stored));
        Assert.Equal(WebAuthnErrorCodes.UserHandleMismatch, ex.Code);
    }

    [Fact]
    public void Verify_NoUserHandle_IsAccepted()
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        var result = fixture.Verify(SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest() with { IncludeUserHandle = false }), stored);
        Assert.Equal(1u, result.SignCount);
    }

    [Fact]
    public void Verify_NoUserHandleInDiscoverableLogin_ReturnsUserHandleMismatch()
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        var assertion = SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest() with { IncludeUserHandle = false });
        var request = new AssertionRequest(assertion.CredentialId, assertion.ClientDataJson, assertion.AuthenticatorData, assertion.Signature, assertion.UserHandle, fixture.Challenge, UserIdentifiedBeforehand: false);
        var ex = Assert.Throws<WebAuthnException>(() => new AssertionVerifier(fixture.Options).Verify(request, stored));
        Assert.Equal(WebAuthnErrorCodes.UserHandleMismatch, ex.Code);
    }

    [Fact]
    public void Verify_OtherCredentialId_ReturnsCredentialMismatch()
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        var assertion = SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest()) with { CredentialId = new byte[32] };
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(assertion, stored));
        Assert.Equal(WebAuthnErrorCodes.CredentialMismatch, ex.Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(36)]
    public void Verify_TruncatedAuthenticatorData_ReturnsMalformed(int length)
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        var assertion = SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest());
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(assertion with { AuthenticatorData = assertion.AuthenticatorData[..length] }, stored));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    [Fact]
    public void Verify_TrailingByteAfterAuthenticatorData_ReturnsMalformed()
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        var assertion = SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest());
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(assertion with { AuthenticatorData = [.. assertion.AuthenticatorData, 0] }, stored));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"type\":\"webauthn.get\",\"challenge\":\"***\",\"origin\":\"https://sign.example.jp\"}")]
    [InlineData("{\"type\":\"webauthn.get\",\"challenge\":\"AAAA==\",\"origin\":\"https://sign.example.jp\"}")]
    [InlineData("{\"type\":\"webauthn.get\",\"origin\":\"https://sign.example.jp\"}")]
    [InlineData("{\"type\":\"webauthn.get\",\"type\":\"webauthn.get\",\"challenge\":\"AAAA\",\"origin\":\"https://sign.example.jp\"}")]
    [InlineData("{\"type\":\"webauthn.get\",\"challenge\":\"AAAA\",\"origin\":\"https://sign.example.jp\"} x")]
    [InlineData("{\"type\":1,\"challenge\":\"AAAA\",\"origin\":\"https://sign.example.jp\"}")]
    [InlineData("{\"type\":\"webauthn.get\",\"challenge\":\"AAAA\",\"origin\":\"https://sign.example.jp\",\"crossOrigin\":\"no\"}")]
    public void Verify_MalformedClientDataJson_ReturnsMalformed(string json)
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        var assertion = SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest()) with { ClientDataJson = System.Text.Encoding.UTF8.GetBytes(json) };
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(assertion, stored));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    [Fact]
    public void Verify_InvalidUtf8ClientDataJson_ReturnsMalformed()
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        var assertion = SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest());
        byte[] json = [.. assertion.ClientDataJson[..^1], .. "\"x\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(assertion with { ClientDataJson = json }, stored));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    private static void AssertCode(string code, Func<Aal3Fixture, GetAssertionRequest> request, Action<Aal3Fixture>? configure = null)
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        configure?.Invoke(fixture);
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(SoftwareAuthenticator.GetAssertion(credential, request(fixture)), stored));
        Assert.Equal(code, ex.Code);
    }
}
