using SignatureService.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;
using SignatureService.Api.Tests.Approvals;
using SignatureService.Api.Tests.SignatureRequests;

namespace SignatureService.Api.Tests.Faults;

/// <summary>
/// The service process is killed (SIGKILL) while it signs an approved batch, then started again: the batch completes, every
/// document is stored signed exactly once (one signature, one audit event) and every signature verifies.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class ProcessKillTests
{
    // Note: the most one request holds. The worker commits groups of 16 (SignApprovedRequest.MaxUnstored), so the first
    // commit the test can see leaves 84 documents to sign while it kills the process; with 40 the third and last group
    // sometimes landed before the kill did.
    private const int Documents = 100;

    [Fact]
    public async Task ServiceKilledWhileSigning_RestartedService_SignsEveryDocumentExactlyOnce()
    {
        // Note: the in-process service takes the approval but does not sign (an API-only replica); the service process signs.
        var fixture = new SigningFixture { Settings = new Dictionary<string, string?> { ["Signing:WorkerEnabled"] = "false" } };
        await fixture.InitializeAsync();
        try
        {
            var client = await fixture.CreateClientAsync();
            var session = await fixture.CreateSignerSessionAsync("doctor");
            var signer = session.UserId;
            var documents = Enumerable.Range(0, Documents)
                .Select(_ => TestClient.Document("prescription", SigningFixture.Prescription())).ToArray();
            var (created, body) = await client.SendAsync(HttpMethod.Post, "/v1/signature-requests",
                TestClient.Request(new { userId = signer }, documents));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = body.GetProperty("id").GetGuid();

            await session.ApproveAsync(id);
            Assert.Equal("approved", await fixture.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{id}'"));
            // Note: step 3 verifies all 100 documents from one address, more than the verification endpoint's rate limit allows.
            var settings = new Dictionary<string, string?>(fixture.Factory.Settings) { ["Signing:WorkerEnabled"] = "true", ["RateLimiting:Enabled"] = "false" };
            await fixture.StopServiceAsync();

            // 1. A service process starts signing and is killed part-way.
            var first = await ServiceProcess.StartAsync(settings);
            long signedAtKill;
            try
            {
                signedAtKill = await WaitForSignedAsync(fixture, id, atLeast: 3);
            }
            finally
            {
                await first.KillAsync();
                await first.DisposeAsync();
            }

            var afterKill = await fixture.Database.ScalarAsync<long>(
                $"SELECT count(*) FROM signature_request_documents WHERE request_id = '{id}' AND signed_content IS NOT NULL");
            Assert.InRange(afterKill, signedAtKill, Documents - 1);
            Assert.Equal("signing", await fixture.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{id}'"));

            // Note: a killed worker's claim lasts its lease (2 minutes) before another worker may take the request over; the
            // test ages the claim instead of waiting. Nothing else is touched.
            await fixture.Database.ExecuteAsync(
                $"UPDATE signature_requests SET updated_at = updated_at - interval '3 minutes' WHERE id = '{id}'");

            // 2. A new process resumes and finishes the batch.
            await using var second = await ServiceProcess.StartAsync(settings);
            await WaitForSignedAsync(fixture, id, atLeast: Documents);
            for (var i = 0; i < 100 && await fixture.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{id}'") != "signed"; i++)
            {
                await Task.Delay(100);
            }

            Assert.Equal("signed", await fixture.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{id}'"));
            Assert.Equal((long)Documents, await fixture.Database.ScalarAsync<long>(
                $"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
            Assert.Equal((long)Documents, await fixture.Database.ScalarAsync<long>(
                $"SELECT count(DISTINCT details->>'ordinal') FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));

            // 3. Every stored signature verifies.
            using var http = new HttpClient { BaseAddress = second.Address };
            await using var connection = new NpgsqlConnection(fixture.Database.ConnectionString);
            await connection.OpenAsync();
            await using var select = new NpgsqlCommand(
                $"SELECT signed_content FROM signature_request_documents WHERE request_id = '{id}' ORDER BY ordinal", connection);
            await using var reader = await select.ExecuteReaderAsync();
            var verified = 0;
            while (await reader.ReadAsync())
            {
                using var content = new ByteArrayContent((byte[])reader[0]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
                using var response = await http.PostAsync(new Uri("/v1/verifications", UriKind.Relative), content);
                var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                Assert.True(report.GetProperty("valid").GetBoolean(), report.ToString());
                verified++;
            }

            Assert.Equal(Documents, verified);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private static async Task<long> WaitForSignedAsync(SigningFixture fixture, Guid id, long atLeast)
    {
        long count = 0;
        for (var i = 0; i < 24000 && count < atLeast; i++)
        {
            count = await fixture.Database.ScalarAsync<long>(
                $"SELECT count(*) FROM signature_request_documents WHERE request_id = '{id}' AND signed_content IS NOT NULL");
            if (count < atLeast)
            {
                await Task.Delay(5);
            }
        }

        Assert.True(count >= atLeast, $"only {count} of {atLeast} documents were signed in time");
        return count;
    }
}
