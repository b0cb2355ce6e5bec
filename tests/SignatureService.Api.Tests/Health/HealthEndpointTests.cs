using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SignatureService.Api.Tests.Infrastructure;

namespace SignatureService.Api.Tests.Health;

// Note: the start-failure cases here hit the same once-in-a-while ObjectDisposedException under parallel load as
// PkiOptionsTests (the host is disposed while the failing start is still being reported); they run in that collection.
[Collection(SignatureService.Api.Tests.Pki.StartFailureTests.Name)]
public sealed class HealthEndpointTests
{
    private static async Task<JsonElement> WaitForReadyAsync(HttpClient client, HttpStatusCode expected)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (response.StatusCode == expected || attempt == 100)
            {
                Assert.Equal(expected, response.StatusCode);
                return body;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Ready_MigratedDatabase_ReportsHealthyAndAppliesMigrations()
    {
        var (factory, db) = await ServiceFactory.CreateAsync();
        await using var _ = db;
        await using var __ = factory;
        using var client = factory.CreateClient();

        var body = await WaitForReadyAsync(client, HttpStatusCode.OK);

        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("hsm").GetProperty("status").GetString());
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations") > 0);
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM hsm_keys WHERE purpose = 'health-test'"));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'hsm.key-generated'"));
    }

    [Fact]
    public async Task Ready_SecondStartOnSameStore_ReusesTheHealthKey()
    {
        var (first, db) = await ServiceFactory.CreateAsync();
        await using var _ = db;
        await using (first)
        {
            using var client = first.CreateClient();
            await WaitForReadyAsync(client, HttpStatusCode.OK);
        }

        await using var second = new ServiceFactory(new Dictionary<string, string?>(first.Settings));
        using var secondClient = second.CreateClient();
        await WaitForReadyAsync(secondClient, HttpStatusCode.OK);

        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM hsm_keys WHERE purpose = 'health-test'"));
    }

    [Fact]
    public async Task Ready_WrongPin_ReportsLoginRefusedAndDoesNotRetry()
    {
        var pinFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(pinFile, "definitely-not-the-pin");
        try
        {
            var (factory, db) = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
            {
                ["Hsm:PinFile"] = pinFile,
                ["Hsm:TokenLabel"] = SignatureService.Testing.TestEnvironment.HsmPinTestTokenLabel,
            });
            await using var _ = db;
            await using var __ = factory;
            using var client = factory.CreateClient();

            var body = await WaitForReadyAsync(client, HttpStatusCode.ServiceUnavailable);
            var hsm = body.GetProperty("checks").GetProperty("hsm").GetProperty("description").GetString();
            for (var i = 0; i < 50 && hsm?.Contains("login refused", StringComparison.Ordinal) != true; i++)
            {
                await Task.Delay(100);
                hsm = (await WaitForReadyAsync(client, HttpStatusCode.ServiceUnavailable)).GetProperty("checks").GetProperty("hsm").GetProperty("description").GetString();
            }

            Assert.Contains("CKR_PIN_INCORRECT", hsm, StringComparison.Ordinal);
            Assert.Contains("Hsm:PinFile", hsm, StringComparison.Ordinal);
            using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }
        finally
        {
            File.Delete(pinFile);
        }
    }

    [Fact]
    public async Task Ready_MissingToken_ReportsTokenNotFoundWhileLive()
    {
        var (factory, db) = await ServiceFactory.CreateAsync(new Dictionary<string, string?> { ["Hsm:TokenLabel"] = "no-such-token" });
        await using var _ = db;
        await using var __ = factory;
        using var client = factory.CreateClient();

        string? hsm = null;
        for (var i = 0; i < 50 && hsm?.Contains("TokenNotFound", StringComparison.Ordinal) != true; i++)
        {
            hsm = (await WaitForReadyAsync(client, HttpStatusCode.ServiceUnavailable)).GetProperty("checks").GetProperty("hsm").GetProperty("description").GetString();
            await Task.Delay(100);
        }

        Assert.Contains("TokenNotFound", hsm, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Hsm:ModulePath", "")]
    [InlineData("Hsm:TokenLabel", "")]
    [InlineData("Hsm:PinFile", "/nonexistent/pin")]
    public async Task Start_InvalidHsmSetting_FailsNamingTheSetting(string setting, string value)
    {
        var (factory, db) = await ServiceFactory.CreateAsync(new Dictionary<string, string?> { [setting] = value });
        await using var _ = db;
        await using var __ = factory;

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains(setting, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_DatabaseUnreachable_Reports503WhileLiveStays200()
    {
        var (factory, db) = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
        {
            // Note: port 1 on loopback refuses connections at once; the service must keep running and retry.
            ["ConnectionStrings:SignatureService"] = "Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2",
        });
        await using var _ = db;
        await using var __ = factory;
        using var client = factory.CreateClient();

        using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        var body = await WaitForReadyAsync(client, HttpStatusCode.ServiceUnavailable);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Start_MissingConnectionString_FailsNamingTheSetting()
    {
        var (factory, db) = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:SignatureService"] = "",
        });
        await using var _ = db;
        await using var __ = factory;

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("ConnectionStrings:SignatureService", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRoute_Returns404ProblemWithStableCode()
    {
        var (factory, db) = await ServiceFactory.CreateAsync();
        await using var _ = db;
        await using var __ = factory;
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/no/such/thing", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("resource.not-found", body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("traceId").GetString()));
    }
}
