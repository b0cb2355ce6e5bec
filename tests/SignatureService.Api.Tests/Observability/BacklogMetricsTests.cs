using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Telemetry;
using SignatureService.Api.Tests.Approvals;
using SignatureService.Api.Tests.SignatureRequests;

namespace SignatureService.Api.Tests.Observability;

/// <summary>The signing queue and callback backlog gauges follow the store (a fixture of its own: the counts are exact).</summary>
public sealed class BacklogMetricsTests(SigningFixture fixture) : IClassFixture<SigningFixture>
{
    [Fact]
    public async Task Sample_CountsSigningQueueAndPendingCallbacks_AndMetricsShowThem()
    {
        var client = await fixture.CreateClientAsync("https://ehr.example.test");
        var (signer, _, _) = await fixture.CreateSignerAsync("doctor");
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var (response, body) = await client.SendAsync(HttpMethod.Post, "/v1/signature-requests",
                TestClient.Request(new { userId = signer }, TestClient.Document("prescription", SigningFixture.Prescription())));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ids.Add(body.GetProperty("id").GetGuid());
        }

        // Two requests held in "signing" within their lease (no worker takes them), one left pending approval; two callbacks
        // due far in the future and one already delivered.
        await fixture.Database.ExecuteAsync(
            $"UPDATE signature_requests SET status = 'signing', updated_at = now() WHERE id IN ('{ids[0]}', '{ids[1]}')");
        await fixture.Database.ExecuteAsync(
            $"""
            INSERT INTO callback_outbox (request_id, url, event, payload, status, next_attempt_at, created_at)
            VALUES ('{ids[0]}', 'https://ehr.example.test/cb', 'test', '{"{}"}', 'pending', now() + interval '1 day', now()),
                   ('{ids[1]}', 'https://ehr.example.test/cb', 'test', '{"{}"}', 'pending', now() + interval '1 day', now()),
                   ('{ids[2]}', 'https://ehr.example.test/cb', 'test', '{"{}"}', 'delivered', now(), now())
            """);
        var expectedBacklog = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM callback_outbox WHERE status = 'pending'");

        await fixture.Factory.Services.GetRequiredService<BacklogSampler>().SampleAsync(CancellationToken.None);

        var context = await fixture.Factory.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/metrics";
            c.Connection.RemoteIpAddress = IPAddress.Loopback;
        });
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        var text = await new StreamReader(context.Response.Body, Encoding.UTF8).ReadToEndAsync();
        Assert.Equal(2, Gauge(text, "signsvc_signing_queue_depth"));
        Assert.Equal(expectedBacklog, Gauge(text, "signsvc_callbacks_backlog"));
        Assert.True(expectedBacklog >= 2);
    }

    [Fact]
    public async Task SignedDocument_IsCountedBySignaturesMetricPerDocumentType()
    {
        var session = await fixture.CreateSignerSessionAsync("doctor");
        var (client, id) = await fixture.SubmitAsync(session.UserId, ApprovalHarness.Prescription());
        await session.ApproveAsync(id);
        Assert.Equal("signed", await ApprovalHarness.WaitForFinalStatusAsync(client, id));

        var context = await fixture.Factory.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/metrics";
            c.Connection.RemoteIpAddress = IPAddress.Loopback;
        });
        var text = await new StreamReader(context.Response.Body, Encoding.UTF8).ReadToEndAsync();
        var line = text.Split('\n').Single(l => l.StartsWith("signsvc_signatures_total{", StringComparison.Ordinal)
                                                && l.Contains("document_type=\"prescription\"", StringComparison.Ordinal));
        Assert.True(double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture) >= 1, line);
    }

    private static long Gauge(string exposition, string name)
    {
        var line = exposition.Split('\n').Single(l => l.StartsWith(name, StringComparison.Ordinal) && !l.StartsWith('#'));
        return (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
