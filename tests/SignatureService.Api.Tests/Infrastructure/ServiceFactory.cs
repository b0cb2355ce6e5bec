using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Hosting;
using SignatureService.Testing;

namespace SignatureService.Api.Tests.Infrastructure;

/// <summary>
/// The real service in process over a real PostgreSQL database (and, where configured, the real SoftHSM2 token).
/// Settings are given as configuration overrides, exactly the keys an operator sets.
/// </summary>
internal sealed class ServiceFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    /// <summary>The configuration overrides this instance runs with (to start a second instance on the same store).</summary>
    public IReadOnlyDictionary<string, string?> Settings => settings;

    public static async Task<(ServiceFactory Factory, TestDatabase Database)> CreateAsync(
        IReadOnlyDictionary<string, string?>? extra = null)
    {
        var db = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:SignatureService"] = db.ConnectionString,
            ["Hsm:ModulePath"] = TestEnvironment.HsmModulePath,
            ["Hsm:TokenLabel"] = TestEnvironment.HsmTokenLabel,
            ["Hsm:PinFile"] = TestEnvironment.HsmPinFile,
            ["Hsm:SessionPoolSize"] = "4",
            ["WebAuthn:RpId"] = TestTrust.RpId,
            ["WebAuthn:Origins:0"] = TestTrust.Origin,
            ["WebAuthn:AllowList:0:Aaguid"] = TestTrust.Default.Aaguid.ToString(),
            ["WebAuthn:AllowList:0:Description"] = "Software authenticator (tests)",
            ["WebAuthn:AllowList:0:RootPemFile"] = TestTrust.Default.RootPemFile,
            ["Proofing:EvidenceKeyFile"] = TestEnvironment.ProofingKeyFile,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return (new ServiceFactory(settings), db);
    }

    /// <summary>Starts the service and waits until the schema is migrated, so a test never races start-up.</summary>
    public async Task<HttpClient> StartAsync()
    {
        var client = CreateClient();
        var status = Services.GetRequiredService<DatabaseStatus>();
        for (var i = 0; !status.IsMigrated; i++)
        {
            if (i == 300)
            {
                throw new TimeoutException($"The service did not finish migrating: {status.State}");
            }

            await Task.Delay(50);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
