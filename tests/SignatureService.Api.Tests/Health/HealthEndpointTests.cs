using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SignatureService.Api.Tests.Infrastructure;

namespace SignatureService.Api.Tests.Health;

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
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations") > 0);
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
