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
}
