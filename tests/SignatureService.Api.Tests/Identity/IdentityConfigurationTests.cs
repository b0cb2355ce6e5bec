using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Tests.Infrastructure;

namespace SignatureService.Api.Tests.Identity;

// Note: like PkiOptionsTests, a start refused for a bad setting once surfaced as an ObjectDisposedException under the full
// suite's parallel load (in the RA engineer's run, session 3), so this class runs in the non-parallel start-failure collection.
[Collection(SignatureService.Api.Tests.Pki.StartFailureTests.Name)]
public sealed class IdentityConfigurationTests
{
    [Theory]
    [InlineData("12:00:00", "00:15:00", true)]
    [InlineData("08:00:00", "00:05:00", true)]
    [InlineData("12:00:01", "00:15:00", false)]
    [InlineData("12:00:00", "00:15:01", false)]
    [InlineData("00:00:00", "00:15:00", false)]
    public void SessionSettings_LifetimesOnlyDownward(string absolute, string idle, bool valid)
    {
        var settings = new SessionSettings { AbsoluteLifetime = TimeSpan.Parse(absolute, System.Globalization.CultureInfo.InvariantCulture), IdleTimeout = TimeSpan.Parse(idle, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.Equal(valid, new SessionSettingsValidator().Validate(null, settings).Succeeded);
    }

    [Fact]
    public void RelyingParty_NoTrustSource_IsRefused()
    {
        var settings = new WebAuthnSettings { RpId = "sign.example.jp" };
        settings.Origins.Add("https://sign.example.jp");

        var ex = Assert.Throws<OptionsValidationException>(() => RelyingParty.Load(settings, DateTimeOffset.UtcNow));
        Assert.Contains(ex.Failures, f => f.Contains("AllowList", StringComparison.Ordinal));
    }

    [Fact]
    public void RelyingParty_MissingRootFileOrBadOrigin_IsRefused()
    {
        var settings = new WebAuthnSettings { RpId = "sign.example.jp" };
        settings.Origins.Add("https://sign.example.jp/path");
        settings.AllowList.Add(new TrustedAuthenticatorSettings { Aaguid = Guid.NewGuid(), RootPemFile = "/nonexistent/root.pem" });

        var ex = Assert.Throws<OptionsValidationException>(() => RelyingParty.Load(settings, DateTimeOffset.UtcNow));
        Assert.Equal(2, ex.Failures.Count());
    }

    [Theory]
    [InlineData("https://sign.example.jp", true)]
    [InlineData("http://localhost:5080", false)]
    public void RelyingParty_CookiesAreSecureOutsideLocalhost(string origin, bool secure)
    {
        var settings = new WebAuthnSettings { RpId = new Uri(origin).Host };
        settings.Origins.Add(origin);
        settings.AllowList.Add(new TrustedAuthenticatorSettings { Aaguid = TestTrust.Default.Aaguid, RootPemFile = TestTrust.Default.RootPemFile });

        var relyingParty = RelyingParty.Load(settings, DateTimeOffset.UtcNow);

        Assert.Equal(secure, relyingParty.SecureCookies);
        Assert.Equal(secure ? "__Host-signsvc_session" : "signsvc_session", SessionAuthenticationHandler.CookieName(relyingParty));
    }

    [Fact]
    public async Task Service_IdleTimeoutAboveAal3_DoesNotStart()
    {
        var (factory, db) = await ServiceFactory.CreateAsync(new Dictionary<string, string?> { ["Sessions:IdleTimeout"] = "00:20:00" });
        await using var _ = db;
        await using var __ = factory;

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => factory.StartAsync());
        Assert.Contains(ex.Failures, f => f.Contains("IdleTimeout", StringComparison.Ordinal));
    }
}
