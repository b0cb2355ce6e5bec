using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Clients;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Data.Audit;

namespace SignatureService.Api.Tests.Protection;

public sealed class ProtectionTests
{
    [Fact]
    public async Task AnyResponse_CarriesTheSecurityHeaders()
    {
        var (factory, db) = await ServiceFactory.CreateAsync();
        await using var _ = db;
        await using var __ = factory;
        using var http = await factory.StartAsync();

        foreach (var path in new[] { "/health/live", "/v1/clients/me", "/no-such-page" })
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        }
    }

    [Fact]
    public async Task HttpsRequestOutsideDevelopment_GetsHsts()
    {
        var (factory, db) = await ServiceFactory.CreateAsync();
        await using var _ = db;
        await using var __ = factory;
        await factory.StartAsync();
        var https = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://signsvc.example.jp") });

        using var response = await https.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Contains("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnonymousCaller_OverTheAddressLimit_Gets429ProblemWithRetryAfter()
    {
        var (factory, db) = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["RateLimiting:PermitsPerAddressPerSecond"] = "2",
            ["RateLimiting:BurstSeconds"] = "1",
        });
        await using var _ = db;
        await using var __ = factory;
        using var http = await factory.StartAsync();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        // Note: a cheap anonymous answer (404), so the bucket cannot refill between calls even on a loaded machine.
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var response = await http.GetAsync(new Uri("/pki/ca/no-such-ca.cer", UriKind.Relative));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
            var body = await limited.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("request.rate-limited", body.GetProperty("code").GetString());
            Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        }

        // Probes are never limited.
        using var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task EhrClient_OverItsLimit_IsLimitedWithoutAffectingAnotherClient()
    {
        var (factory, db) = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["RateLimiting:PermitsPerPrincipalPerSecond"] = "3",
            ["RateLimiting:BurstSeconds"] = "1",
        });
        await using var _ = db;
        await using var __ = factory;
        using var http = await factory.StartAsync();
        using var keyA = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var keyB = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var a = await RegisterAsync(factory, keyA);
        var b = await RegisterAsync(factory, keyB);

        var statusesA = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            statusesA.Add(await CallAsync(http, keyA, a));
        }

        var statusB = await CallAsync(http, keyB, b);

        Assert.Contains(HttpStatusCode.TooManyRequests, statusesA);
        Assert.Equal(HttpStatusCode.OK, statusesA[0]);
        Assert.Equal(HttpStatusCode.OK, statusB);
    }

    [Fact]
    public async Task Metrics_FromLoopback_ServesPrometheusText()
    {
        var (factory, db) = await ServiceFactory.CreateAsync();
        await using var _ = db;
        await using var __ = factory;
        using var http = await factory.StartAsync();
        for (var i = 0; i < 50; i++)
        {
            using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            await Task.Delay(100);
        }

        var context = await factory.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/metrics";
            c.Connection.RemoteIpAddress = IPAddress.Loopback;
        });
        var text = await new StreamReader(context.Response.Body).ReadToEndAsync();

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.StartsWith("text/plain", context.Response.ContentType, StringComparison.Ordinal);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE signsvc_hsm_operation_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("signsvc_signing_queue_depth", text, StringComparison.Ordinal);
        Assert.Contains("signsvc_callbacks_backlog", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_FromAnotherAddress_IsForbidden()
    {
        var (factory, db) = await ServiceFactory.CreateAsync();
        await using var _ = db;
        await using var __ = factory;
        await factory.StartAsync();

        var context = await factory.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/metrics";
            c.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        });

        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Response.Body);
        Assert.Equal("auth.forbidden", body.GetProperty("code").GetString());
    }

    private static async Task<string> RegisterAsync(ServiceFactory factory, ECDsa key)
    {
        var clientId = "ehr-" + Guid.NewGuid().ToString("N")[..12];
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ClientRegistration>().RegisterAsync(
            new RegisterClientInput(clientId, "Test EHR", [new ClientKeyInput("k1", "ES256", Jose.PublicJwk(key))], ["https://ehr.example.jp"]),
            AuditActor.System, CancellationToken.None);
        return clientId;
    }

    private static async Task<HttpStatusCode> CallAsync(HttpClient http, ECDsa key, string clientId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/clients/me");
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Bearer", Jose.SignEs256(key, "k1", Jose.Claims(clientId, "signature-service", DateTimeOffset.UtcNow)));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
