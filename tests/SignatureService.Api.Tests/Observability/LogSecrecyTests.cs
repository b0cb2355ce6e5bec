using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using SignatureService.Api.Features.Clients;
using SignatureService.Api.Tests.Audit;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Data.Audit;
using SignatureService.Testing;

namespace SignatureService.Api.Tests.Observability;

public sealed class LogSecrecyTests
{
    [Fact]
    public async Task ServiceLogs_AtTraceLevel_NeverContainPlantedSecrets()
    {
        var capture = new LogCapture();
        var (baseFactory, db) = await ServiceFactory.CreateAsync(new Dictionary<string, string?> { ["Audit:SealIntervalMilliseconds"] = "100" });
        await using var _ = db;
        await using var __ = baseFactory;
        await using var factory = baseFactory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(capture).SetMinimumLevel(LogLevel.Trace)));
        using var http = factory.CreateClient();

        var hsmPin = (await File.ReadAllTextAsync(TestEnvironment.HsmPinFile)).Trim();
        var dbPassword = DatabasePassword();
        var planted = new[]
        {
            "PLANTED-PIN-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)),
            "PLANTED-CODE-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)),
            "PLANTED-DOC-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)),
            "山田太郎" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)),
        };

        // A client whose token (a credential) must not be logged, used and then replayed and tampered with.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientId = "ehr-" + Guid.NewGuid().ToString("N")[..12];
        for (var i = 0; i < 100 && !factory.Services.GetRequiredService<SignatureService.Api.Hosting.DatabaseStatus>().IsMigrated; i++)
        {
            await Task.Delay(100);
        }

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ClientRegistration>().RegisterAsync(
                new RegisterClientInput(clientId, "Test EHR", [new ClientKeyInput("k1", "ES256", Jose.PublicJwk(key))], ["https://ehr.example.jp"]),
                AuditActor.System, CancellationToken.None);
        }

        var token = Jose.SignEs256(key, "k1", Jose.Claims(clientId, "signature-service", DateTimeOffset.UtcNow));
        var tokenSignature = token[(token.LastIndexOf('.') + 1)..];
        foreach (var bearer in new[] { token, token, token[..^4] + "AAAA" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/clients/me");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            request.Headers.Add("X-Enrollment-Code", planted[1]);
            request.Headers.Add("Cookie", $"session={planted[0]}");
            using var response = await http.SendAsync(request);
        }

        foreach (var (method, path) in new[] { (HttpMethod.Post, "/v1/clients/me"), (HttpMethod.Post, "/health/ready"), (HttpMethod.Put, "/no-such-endpoint") })
        {
            using var request = new HttpRequestMessage(method, path)
            {
                Content = new StringContent($$"""{"pin":"{{planted[0]}}","enrollmentCode":"{{planted[1]}}","document":"{{planted[2]}}","name":"{{planted[3]}}"}""", Encoding.UTF8, "application/json"),
            };
            using var response = await http.SendAsync(request);
        }

        for (var i = 0; i < 50; i++)
        {
            using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            if (ready.IsSuccessStatusCode)
            {
                break;
            }

            await Task.Delay(100);
        }

        await Task.Delay(500);
        var lines = capture.Lines.ToList();
        Assert.NotEmpty(lines);
        Assert.Contains(lines, l => l.Contains("/v1/clients/me", StringComparison.Ordinal));
        foreach (var secret in planted.Concat([hsmPin, dbPassword, token, tokenSignature]))
        {
            var leak = lines.FirstOrDefault(l => l.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak is null, $"a planted value reached the logs: {leak?[..Math.Min(leak.Length, 300)]}");
        }
    }

    private static string DatabasePassword()
    {
        var passfile = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresAdminConnectionString).Passfile!;
        return File.ReadAllLines(passfile)[0].Split(':')[^1];
    }
}
