using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Identity;
using SignatureService.Testing;

namespace SignatureService.Api.Tests.Demo;

/// <summary>The Development-only trust of the browser's WebAuthn emulation: present in Development, impossible elsewhere.</summary>
[Collection(SignatureService.Api.Tests.Demo.ProcessTests.Name)]
public sealed class BrowserEmulatorTrustTests
{
    [Fact]
    public void RelyingParty_EmulatorOutsideDevelopment_IsRefused()
    {
        var settings = new WebAuthnSettings { RpId = "localhost", DevelopmentBrowserEmulator = true };
        settings.Origins.Add("http://localhost:5080");

        var ex = Assert.Throws<OptionsValidationException>(() => RelyingParty.Load(settings, DateTimeOffset.UtcNow, development: false));

        Assert.Contains(ex.Failures, f => f.Contains("DevelopmentBrowserEmulator is only allowed", StringComparison.Ordinal));
    }

    [Fact]
    public void RelyingParty_EmulatorInDevelopment_TrustsOnlyTheChromiumAaguid()
    {
        var settings = new WebAuthnSettings { RpId = "localhost", DevelopmentBrowserEmulator = true };
        settings.Origins.Add("http://localhost:5080");

        var relyingParty = RelyingParty.Load(settings, DateTimeOffset.UtcNow, development: true);

        var entry = Assert.Single(relyingParty.Trust.AllowList);
        Assert.Equal(Guid.Parse("01020304-0506-0708-0102-030405060708"), entry.Aaguid);
        var root = Assert.Single(entry.AttestationRoots);
        Assert.Equal(BrowserEmulatorTrust.Subject, root.Subject);
    }

    [Fact]
    public async Task Service_EmulatorInProduction_RefusesToStart()
    {
        await using var db = await TestDatabase.CreateAsync();
        var env = DemoProcess.Environment(db, "Production");
        env["WebAuthn__RpId"] = "localhost";
        env["WebAuthn__Origins__0"] = "http://localhost:5080";
        env["WebAuthn__DevelopmentBrowserEmulator"] = "true";
        env["Logging__Console__FormatterName"] = "simple";

        var (exit, output, error) = await DemoProcess.ServiceAsync(env, "--urls", "http://127.0.0.1:0");

        Assert.NotEqual(0, exit);
        Assert.Contains("DevelopmentBrowserEmulator is only allowed", output + error, StringComparison.Ordinal);
    }
}
