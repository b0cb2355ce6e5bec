using System.Formats.Cbor;
using SignatureService.WebAuthn.Authenticator;
using SignatureService.WebAuthn.Cose;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Registration;
using SignatureService.WebAuthn.Testing;

namespace SignatureService.WebAuthn.Tests;

/// <summary>Malformed input of any kind must end as a <see cref="WebAuthnException"/>, never another exception or a hang.</summary>
public sealed class MalformedInputTests
{
    [Theory]
    [InlineData("")]
    [InlineData("ff")]
    [InlineData("a1")]
    [InlineData("a363666d74")]
    [InlineData("80")]
    [InlineData("c0a0")]
    [InlineData("5f41004100ff")]
    [InlineData("a2616101616101")]
    public void VerifyRegistration_MalformedCbor_ReturnsMalformed(string hex)
    {
        using var fixture = new Aal3Fixture();
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(registration with { AttestationObject = Convert.FromHexString(hex) }));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    [Fact]
    public void VerifyRegistration_TrailingByteAfterAttestationObject_ReturnsMalformed()
    {
        using var fixture = new Aal3Fixture();
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(registration with { AttestationObject = [.. registration.AttestationObject, 0x00] }));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    [Fact]
    public void VerifyRegistration_OversizedAttestationObject_ReturnsMalformed()
    {
        using var fixture = new Aal3Fixture();
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(registration with { AttestationObject = new byte[WebAuthnLimits.MaxAttestationObjectLength + 1] }));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    [Fact]
    public void VerifyRegistration_DeeplyNestedStatement_ReturnsMalformed()
    {
        using var fixture = new Aal3Fixture();
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());
        var writer = new CborWriter();
        writer.WriteStartMap(3);
        writer.WriteTextString("fmt");
        writer.WriteTextString("packed");
        writer.WriteTextString("attStmt");
        writer.WriteStartMap(1);
        writer.WriteTextString("deep");
        for (var i = 0; i < 10_000; i++)
        {
            writer.WriteStartArray(1);
        }

        writer.WriteInt32(0);
        for (var i = 0; i < 10_000; i++)
        {
            writer.WriteEndArray();
        }

        writer.WriteEndMap();
        writer.WriteTextString("authData");
        writer.WriteByteString(registration.AuthenticatorData);
        writer.WriteEndMap();

        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(registration with { AttestationObject = writer.Encode() }));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    [Fact]
    public void VerifyRegistration_EveryTruncationOfAttestationObject_ReturnsTypedError()
    {
        using var fixture = new Aal3Fixture();
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());
        for (var length = 0; length < registration.AttestationObject.Length; length++)
        {
            var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(registration with { AttestationObject = registration.AttestationObject[..length] }));
            Assert.Contains(ex.Code, WebAuthnErrorCodes.All);
        }
    }

    [Fact]
    public void ParseAuthenticatorData_EveryTruncation_ReturnsMalformed()
    {
        using var fixture = new Aal3Fixture();
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());
        for (var length = 0; length < registration.AuthenticatorData.Length; length++)
        {
            var ex = Assert.Throws<WebAuthnException>(() => AuthenticatorData.Parse(registration.AuthenticatorData.AsMemory(0, length)));
            Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
        }
    }

    [Fact]
    public void VerifyRegistration_RandomByteMutations_OnlyEverThrowWebAuthnException()
    {
        using var fixture = new Aal3Fixture();
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());
        var verifier = new RegistrationVerifier(fixture.Options, fixture.Trust, fixture.Clock);
        var random = new Random(20261121);
        var accepted = 0;
        for (var i = 0; i < 1500; i++)
        {
            var mutated = registration.AttestationObject.ToArray();
            for (var j = random.Next(1, 4); j > 0; j--)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            try
            {
                verifier.Verify(new RegistrationRequest(registration.ClientDataJson, mutated, fixture.Challenge));
                accepted++;
            }
            catch (WebAuthnException ex)
            {
                Assert.Contains(ex.Code, WebAuthnErrorCodes.All);
            }
        }

        // Note: a mutation can land in a byte nobody checks (e.g. the certificate's signature padding is not one of them),
        // but nearly all must be refused.
        Assert.True(accepted < 15, accepted.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void DecodeCoseKey_RandomBytes_OnlyEverThrowWebAuthnException()
    {
        var random = new Random(17090);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = new byte[random.Next(0, 120)];
            random.NextBytes(bytes);
            if (bytes.Length > 0)
            {
                bytes[0] = (byte)(0xA0 | random.Next(0, 6));
            }

            try
            {
                _ = CoseKey.Decode(bytes);
            }
            catch (WebAuthnException ex)
            {
                Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
            }
        }
    }

    [Fact]
    public void ParseAuthenticatorData_CredentialIdLengthBeyondData_ReturnsMalformed()
    {
        var data = new byte[37 + 18];
        data[32] = 0x45;
        data[37 + 16] = 0x03;
        data[37 + 17] = 0xFF;
        var ex = Assert.Throws<WebAuthnException>(() => AuthenticatorData.Parse(data));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    [Fact]
    public void ParseAuthenticatorData_AssertionWithExtensions_ExposesRawExtensions()
    {
        var data = new byte[37 + 1];
        data[32] = 0x85;
        data[37] = 0xA0;
        var parsed = AuthenticatorData.Parse(data);
        Assert.Equal(AuthenticatorFlags.UserPresent | AuthenticatorFlags.UserVerified | AuthenticatorFlags.ExtensionData, parsed.Flags);
        Assert.Equal(new byte[] { 0xA0 }, parsed.Extensions.ToArray());
    }

    [Fact]
    public void VerifyAssertion_StoredKeyBytesCorrupt_ReturnsMalformed()
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        var assertion = SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest());
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(assertion, stored with { PublicKey = new byte[] { 0xA1, 0x01 } }));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    [Theory]
    [InlineData("tpm-es256")]
    [InlineData("android-key-es256")]
    [InlineData("apple-es256")]
    [InlineData("fido-u2f-es256")]
    [InlineData("packed-rs256")]
    [InlineData("packed-eddsa")]
    public void VerifyRegistration_MutatedW3cVector_OnlyEverThrowsWebAuthnException(string id)
    {
        var values = W3cTestVectors.Get(id).Registration;
        var options = W3cTestVectorTests.RelaxedOptions();
        var trust = new Trust.AttestationTrustOptions { RequireTrustedAttestation = false, AndroidKeyCheck = Attestation.AndroidKeyAuthorizationCheck.ChallengeAndKeyOnly };
        var verifier = new RegistrationVerifier(options, trust, new FixedTimeProvider(FixedTimeProvider.Default));
        var random = new Random(id.Length * 7919);
        var original = values["attestationObject"];
        for (var i = 0; i < 400; i++)
        {
            var mutated = original.ToArray();
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            try
            {
                verifier.Verify(new RegistrationRequest(values["clientDataJSON"], mutated, values["challenge"]));
            }
            catch (WebAuthnException ex)
            {
                Assert.Contains(ex.Code, WebAuthnErrorCodes.All);
            }
        }
    }

    [Fact]
    public void VerifyAssertion_RandomByteMutations_OnlyEverThrowWebAuthnException()
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        var assertion = SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest());
        var random = new Random(4242);
        for (var i = 0; i < 600; i++)
        {
            var authData = assertion.AuthenticatorData.ToArray();
            var clientData = assertion.ClientDataJson.ToArray();
            var signature = assertion.Signature.ToArray();
            var target = (i % 3) switch { 0 => authData, 1 => clientData, _ => signature };
            target[random.Next(target.Length)] ^= (byte)random.Next(1, 256);
            var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(assertion with { AuthenticatorData = authData, ClientDataJson = clientData, Signature = signature }, stored));
            Assert.Contains(ex.Code, WebAuthnErrorCodes.All);
        }
    }
}
