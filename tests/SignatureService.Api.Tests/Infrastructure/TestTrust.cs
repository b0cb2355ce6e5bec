using SignatureService.WebAuthn.Testing;

namespace SignatureService.Api.Tests.Infrastructure;

/// <summary>
/// WebAuthn trust for tests: a software authenticator whose attestation root is written to a PEM file, pinned by the
/// allow-list settings exactly as an operator configures a vendor root.
/// </summary>
internal sealed class TestTrust : IDisposable
{
    public const string RpId = "localhost";
    public const string Origin = "http://localhost";

    private static readonly Lazy<TestTrust> Shared = new(() => new TestTrust());

    public TestTrust(SoftwareAuthenticatorSettings? settings = null)
    {
        Authenticator = new SoftwareAuthenticator(settings);
        RootPemFile = Path.Combine(Path.GetTempPath(), $"signsvc-webauthn-root-{Guid.NewGuid():N}.pem");
        File.WriteAllText(RootPemFile, Authenticator.AttestationRoot.ExportCertificatePem());
    }

    /// <summary>The allow-list entry every <see cref="ServiceFactory"/> gets unless a test pins its own.</summary>
    public static TestTrust Default => Shared.Value;

    public SoftwareAuthenticator Authenticator { get; }

    public Guid Aaguid => Authenticator.Aaguid;

    public string RootPemFile { get; }

    /// <summary>Settings that pin this authenticator as the only trusted model.</summary>
    public Dictionary<string, string?> Settings(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["WebAuthn:AllowList:0:Aaguid"] = Aaguid.ToString(),
            ["WebAuthn:AllowList:0:RootPemFile"] = RootPemFile,
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    public void Dispose()
    {
        Authenticator.Dispose();
        File.Delete(RootPemFile);
    }
}
