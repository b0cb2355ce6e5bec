namespace SignatureService.WebAuthn.Tests;

public sealed class WebAuthnOptionsTests
{
    [Fact]
    public void Validate_Defaults_RequireRpIdAndOrigins()
        => Assert.Equal(2, new WebAuthnOptions().Validate().Count);

    [Fact]
    public void Validate_CompleteConfiguration_HasNoErrors()
    {
        var options = new WebAuthnOptions { RelyingPartyId = "sign.example.jp" };
        options.AllowedOrigins.Add("https://sign.example.jp");
        Assert.Empty(options.Validate());
        Assert.True(options.RequireUserVerification);
        Assert.True(options.RefuseBackupEligible);
        Assert.False(options.AllowCrossOrigin);
    }

    [Theory]
    [InlineData("https://sign.example.jp/")]
    [InlineData("https://sign.example.jp/path")]
    [InlineData("sign.example.jp")]
    public void Validate_OriginWithPathOrWithoutScheme_IsAnError(string origin)
    {
        var options = new WebAuthnOptions { RelyingPartyId = "sign.example.jp" };
        options.AllowedOrigins.Add(origin);
        Assert.Single(options.Validate());
    }

    [Theory]
    [InlineData("https://sign.example.jp")]
    [InlineData("Sign.Example.jp")]
    public void Validate_RpIdWithSchemeOrUpperCase_IsAnError(string rpId)
    {
        var options = new WebAuthnOptions { RelyingPartyId = rpId };
        options.AllowedOrigins.Add("https://sign.example.jp");
        Assert.Single(options.Validate());
    }

    [Fact]
    public void Verifiers_InvalidOptions_RefuseToConstruct()
    {
        var options = new WebAuthnOptions { RelyingPartyId = "sign.example.jp" };
        Assert.Throws<ArgumentException>(() => new Authentication.AssertionVerifier(options));
        Assert.Throws<ArgumentException>(() => new Registration.RegistrationVerifier(options, new Trust.AttestationTrustOptions(), TimeProvider.System));
    }

    [Fact]
    public void CreationOptions_Aal3Policy_RequestDirectAttestationAndUserVerification()
    {
        var options = new WebAuthnOptions { RelyingPartyId = "sign.example.jp" };
        options.AllowedOrigins.Add("https://sign.example.jp");
        var json = System.Text.Json.JsonSerializer.Serialize(Registration.PublicKeyCredentialCreationOptionsJson.Create(
            options, new Trust.AttestationTrustOptions(), "Signature Service", [1, 2, 3], "doctor@example.jp", "Doctor", new byte[32], TimeSpan.FromMinutes(5), [new byte[] { 0xFF, 0xEE }]));
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("direct", root.GetProperty("attestation").GetString());
        Assert.Equal("required", root.GetProperty("authenticatorSelection").GetProperty("userVerification").GetString());
        Assert.Equal("sign.example.jp", root.GetProperty("rp").GetProperty("id").GetString());
        Assert.Equal("AQID", root.GetProperty("user").GetProperty("id").GetString());
        Assert.Equal("_-4", root.GetProperty("excludeCredentials")[0].GetProperty("id").GetString());
        Assert.Equal(new[] { -7, -257, -37, -8 }, root.GetProperty("pubKeyCredParams").EnumerateArray().Select(p => p.GetProperty("alg").GetInt32()));
        Assert.Equal(300000, root.GetProperty("timeout").GetInt64());
    }

    [Fact]
    public void RequestOptions_Aal3Policy_RequireUserVerification()
    {
        var options = new WebAuthnOptions { RelyingPartyId = "sign.example.jp" };
        options.AllowedOrigins.Add("https://sign.example.jp");
        var request = Authentication.PublicKeyCredentialRequestOptionsJson.Create(options, new byte[32], TimeSpan.FromMinutes(5), [new byte[] { 1 }]);
        Assert.Equal("required", request.UserVerification);
        Assert.Equal("AQ", request.AllowCredentials[0].Id);
        Assert.Equal("sign.example.jp", request.RpId);
    }
}
