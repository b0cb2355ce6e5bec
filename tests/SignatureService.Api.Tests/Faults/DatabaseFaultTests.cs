using System.Net;
using System.Text;
using SignatureService.Api.Tests.Approvals;
using SignatureService.Api.Tests.SignatureRequests;

namespace SignatureService.Api.Tests.Faults;

/// <summary>
/// PostgreSQL stops while EHR requests are being created and signed, then comes back: while it is down the service answers 503
/// problems with Retry-After and reports not ready; afterwards every accepted request reaches a final state, nothing is signed
/// twice and nothing needs repair. The database is a private cluster, so stopping it disturbs no other test.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class DatabaseFaultTests
{
    private const string Path = "/v1/signature-requests";

    [Fact]
    public async Task DatabaseStoppedAndRestarted_ServiceAnswers503ThenCompletesEveryRequestOnce()
    {
        await using var cluster = await PrivateCluster.CreateAsync("signsvc");
        var fixture = new SigningFixture
        {
            Settings = new Dictionary<string, string?> { ["ConnectionStrings:SignatureService"] = cluster.ConnectionString("signsvc") },
        };
        await fixture.InitializeAsync();
        try
        {
            var client = await fixture.CreateClientAsync();
            var session = await fixture.CreateSignerSessionAsync("doctor");
            var signer = session.UserId;
            var before = new List<Guid>();
            for (var i = 0; i < 3; i++)
            {
                before.Add(await CreateAsync(client, signer));
            }

            await session.ApproveAsync(before[0]);
            Assert.Equal("signed", await WaitForStatusAsync(client, before[0], "signed"));
            await session.ApproveAsync(before[1]);

            // 1. The database goes away (connections cut, as in a crash or failover).
            await cluster.StopAsync();
            var (down, downBody) = await client.SendAsync(HttpMethod.Post, Path, Body(signer));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
            Assert.Equal("dependency.database-unavailable", downBody.GetProperty("code").GetString());
            Assert.True(down.Headers.RetryAfter?.Delta?.TotalSeconds >= 1);
            using (var ready = await fixture.Http.GetAsync(new Uri("/health/ready", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            }

            var (read, readBody) = await client.SendAsync(HttpMethod.Get, $"{Path}/{before[2]}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
            Assert.Equal("dependency.database-unavailable", readBody.GetProperty("code").GetString());

            // 2. It comes back: the service recovers by itself.
            await cluster.StartAsync();
            Guid after = Guid.Empty;
            for (var i = 0; i < 100 && after == Guid.Empty; i++)
            {
                var (response, body) = await client.SendAsync(HttpMethod.Post, Path, Body(signer));
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    after = body.GetProperty("id").GetGuid();
                }
                else
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    await Task.Delay(200);
                }
            }

            Assert.NotEqual(Guid.Empty, after);
            await session.ApproveAsync(before[2], after);
            foreach (var id in new[] { before[1], before[2], after })
            {
                Assert.Equal("signed", await WaitForStatusAsync(client, id, "signed"));
            }

            // 3. Invariants: one stored signature and one audit event per document; nothing left half-way.
            await using var db = new Npgsql.NpgsqlConnection(cluster.ConnectionString("signsvc", pooling: false));
            await db.OpenAsync();
            Assert.Equal(0L, await ScalarAsync(db, "SELECT count(*) FROM signature_requests WHERE status IN ('approved', 'signing')"));
            Assert.Equal(4L, await ScalarAsync(db, "SELECT count(*) FROM signature_request_documents WHERE signed_content IS NOT NULL"));
            Assert.Equal(0L, await ScalarAsync(db,
                "SELECT count(*) FROM (SELECT target_id, details->>'ordinal' FROM audit_events WHERE action = 'document.signed' " +
                "GROUP BY 1, 2 HAVING count(*) > 1) dup"));
            Assert.Equal(4L, await ScalarAsync(db, "SELECT count(*) FROM audit_events WHERE action = 'document.signed'"));
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private static object Body(Guid signer) =>
        TestClient.Request(new { userId = signer }, TestClient.Document("prescription", SigningFixture.Prescription()));

    private static async Task<Guid> CreateAsync(TestClient client, Guid signer)
    {
        var (response, body) = await client.SendAsync(HttpMethod.Post, Path, Body(signer));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return body.GetProperty("id").GetGuid();
    }

    private static async Task<long> ScalarAsync(Npgsql.NpgsqlConnection db, string sql)
    {
        await using var command = new Npgsql.NpgsqlCommand(sql, db);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> WaitForStatusAsync(TestClient client, Guid id, string wanted)
    {
        var status = "";
        for (var i = 0; i < 300 && status != wanted; i++)
        {
            var (response, body) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}");
            status = response.StatusCode == HttpStatusCode.OK ? body.GetProperty("status").GetString()! : status;
            if (status != wanted)
            {
                await Task.Delay(100);
            }
        }

        return status;
    }
}

/// <summary>Fault tests stop dependencies and kill processes: they run one at a time, apart from the parallel collections.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultTests
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Faults";
}
