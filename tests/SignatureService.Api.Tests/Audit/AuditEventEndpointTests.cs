using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Audit;
using SignatureService.Api.Features.Hsm;
using SignatureService.Api.Tests.CaOperations;
using SignatureService.Api.Tests.Identity;
using SignatureService.Data;
using SignatureService.Data.Audit;

namespace SignatureService.Api.Tests.Audit;

/// <summary><c>GET /v1/audit/events</c>: who may read the trail, filters, keyset paging, chain fields and bad parameters.</summary>
public sealed class AuditEventEndpointTests(CaOperationsFixture ca) : IClassFixture<CaOperationsFixture>
{
    private const string Auditor = "auditor";

    [Fact]
    public async Task ListEvents_WrongActor_IsRefused()
    {
        foreach (var role in new[] { "signer", "ra-operator", "ca-operator" })
        {
            var response = await ca.SendAsync(role, HttpMethod.Get, "/v1/audit/events");
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{role}: {(int)response.StatusCode}");
        }

        await IdentityHarness.ExpectProblem(await ca.SendAsync(null, HttpMethod.Get, "/v1/audit/events"), 401, "auth.unauthenticated");
        Assert.Equal(HttpStatusCode.Unauthorized, (await ca.SendAsync("ehr-client", HttpMethod.Get, "/v1/audit/events")).StatusCode);
    }

    [Fact]
    public async Task ListEvents_RevocationBySubjectAndAction_ReturnsTheStoredEventOnly()
    {
        var (_, serial) = await ca.CreateSignerCertificateAsync();
        var revoked = await ca.SendAsync("ca-operator", HttpMethod.Post, $"/v1/ca/certificates/{serial}/revocation",
            CaOperationsFixture.Json("""{"reason":"keyCompromise"}"""));
        await IdentityHarness.Expect(revoked, HttpStatusCode.OK);

        var bySubject = await ListAsync($"subject={serial}");
        var exact = await ListAsync($"subject={serial}&action=certificate.revoked");
        var prefix = await ListAsync($"subject={serial}&action=certificate.*&actorType=operator&actorId={ca.CaOperatorId}");

        var subjectActions = Items(bySubject).Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal("certificate.revoked", subjectActions[0]);
        Assert.Contains("certificate.issued", subjectActions);
        Assert.Contains("license.imported", Items(await ListAsync($"action=license.imported&limit=200")).Select(e => e.GetProperty("action").GetString()));
        var sequences = Items(bySubject).Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.OrderDescending(), sequences);

        var item = Assert.Single(Items(exact));
        Assert.Equal(["certificate.revoked"], Items(prefix).Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(
            ["sequence", "occurredAt", "actor", "action", "subject", "outcome", "traceId", "details", "chainPosition", "hash", "sealed"],
            item.EnumerateObject().Select(p => p.Name));
        Assert.Equal("operator", item.GetProperty("actor").GetProperty("type").GetString());
        Assert.Equal(ca.CaOperatorId.ToString(), item.GetProperty("actor").GetProperty("id").GetString());
        Assert.Equal("certificate", item.GetProperty("subject").GetProperty("type").GetString());
        Assert.Equal(serial, item.GetProperty("subject").GetProperty("id").GetString());
        Assert.Equal("success", item.GetProperty("outcome").GetString());

        // The details are the stored jsonb, nothing added or removed.
        var stored = await ca.Harness.Db.ScalarAsync<string>(
            $"SELECT details::text FROM audit_events WHERE id = {item.GetProperty("sequence").GetInt64()}");
        using var storedJson = JsonDocument.Parse(stored!);
        Assert.True(JsonElement.DeepEquals(storedJson.RootElement, item.GetProperty("details")), item.GetProperty("details").GetRawText());
        Assert.Null(exact.GetProperty("nextCursor").GetString());
    }

    [Fact]
    public async Task ListEvents_PagingWithCursor_VisitsEveryEventOnceNewestFirst()
    {
        var actor = await WriteEventsAsync(7);

        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await ListAsync($"actorId={actor}&limit=3" + (cursor is null ? "" : $"&cursor={cursor}"));
            seen.AddRange(Items(page).Select(e => e.GetProperty("sequence").GetInt64()));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(7, seen.Count);
        Assert.Equal(seen.OrderDescending(), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task ListEvents_TimeRange_FromIsInclusiveToIsExclusive()
    {
        var actor = await WriteEventsAsync(4, pause: TimeSpan.FromMilliseconds(20));
        var all = Items(await ListAsync($"actorId={actor}")).ToList();
        var times = all.Select(e => e.GetProperty("occurredAt").GetDateTimeOffset()).ToList();
        Assert.Equal(4, times.Distinct().Count());
        static string Rfc3339(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture));

        // Newest first: times[2] is the second oldest, times[0] the newest.
        var range = Items(await ListAsync($"actorId={actor}&from={Rfc3339(times[2])}&to={Rfc3339(times[0])}"))
            .Select(e => e.GetProperty("occurredAt").GetDateTimeOffset()).ToList();
        var today = Items(await ListAsync($"actorId={actor}&from={times[3].UtcDateTime:yyyy-MM-dd}")).Count;

        Assert.Equal([times[1], times[2]], range);
        Assert.Equal(4, today);
    }

    [Fact]
    public async Task ListEvents_AfterSealingAndCheckpoint_ShowsChainHashAndSealed()
    {
        var actor = await WriteEventsAsync(2);
        await SealWithCheckpointAsync();

        var items = Items(await ListAsync($"actorId={actor}")).ToList();

        Assert.Equal(2, items.Count);
        foreach (var item in items)
        {
            var position = item.GetProperty("chainPosition").GetInt64();
            var hash = await ca.Harness.Db.ScalarAsync<byte[]>($"SELECT hash FROM audit_chain WHERE position = {position}");
            Assert.Equal(Convert.ToHexString(hash!), item.GetProperty("hash").GetString());
            Assert.Equal(item.GetProperty("sequence").GetInt64(),
                await ca.Harness.Db.ScalarAsync<long>($"SELECT event_id FROM audit_chain WHERE position = {position}"));
            Assert.True(item.GetProperty("sealed").GetBoolean());
        }
    }

    [Fact]
    public async Task ListEvents_Browsing_IsItselfAudited()
    {
        var actor = await WriteEventsAsync(1);
        await ListAsync($"actorId={actor}");

        var auditorId = await ca.Harness.Db.ScalarAsync<string>("SELECT id::text FROM users WHERE roles = ARRAY['auditor']");
        var viewed = Items(await ListAsync($"action=audit.events-viewed&limit=200"))
            .Where(e => e.GetProperty("details").GetProperty("actorId").GetString() == actor).ToList();

        var view = Assert.Single(viewed);
        Assert.Equal("operator", view.GetProperty("actor").GetProperty("type").GetString());
        Assert.Equal(auditorId, view.GetProperty("actor").GetProperty("id").GetString());
        Assert.Equal(1, view.GetProperty("details").GetProperty("results").GetInt32());
    }

    [Theory]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("from=2026-11-21T10:00:00", "from")]
    [InlineData("to=21/11/2026", "to")]
    [InlineData("from=2026-11-21&to=2026-11-20", "to")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=abc", "cursor")]
    [InlineData("cursor=0", "cursor")]
    [InlineData("cursor=-5", "cursor")]
    [InlineData("cursor=99999999999999999999", "cursor")]
    [InlineData("action=Certificate%20Revoked", "action")]
    [InlineData("action=*", "action")]
    [InlineData("actorType=Operator", "actorType")]
    [InlineData("actorId=a%01b", "actorId")]
    [InlineData("subject=%20padded", "subject")]
    public async Task ListEvents_BadParameter_Returns400NamingIt(string query, string field)
    {
        var response = await ca.SendAsync(Auditor, HttpMethod.Get, "/v1/audit/events?" + query);

        await IdentityHarness.ExpectProblem(response, 400, "request.validation-failed");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), problem.RootElement.GetRawText());
    }

    private async Task<JsonElement> ListAsync(string query)
    {
        var response = await ca.SendAsync(Auditor, HttpMethod.Get, "/v1/audit/events?" + query);
        await IdentityHarness.Expect(response, HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static List<JsonElement> Items(JsonElement page) => [.. page.GetProperty("items").EnumerateArray()];

    /// <summary>Writes events of a fresh actor id through the public AuditTrail API, one transaction each; returns the actor id.</summary>
    private async Task<string> WriteEventsAsync(int count, TimeSpan? pause = null)
    {
        var actor = "auditor-test-" + Guid.NewGuid().ToString("N")[..12];
        for (var i = 0; i < count; i++)
        {
            await ca.WithScopeAsync(async sp =>
            {
                var db = sp.GetRequiredService<SignatureServiceDbContext>();
                sp.GetRequiredService<AuditTrail>().Record(db, new AuditActor("cli", actor), "test.event", "thing", $"t-{i}", new { n = i });
                return await db.SaveChangesAsync();
            });
            if (pause is { } p)
            {
                await Task.Delay(p);
            }
        }

        return actor;
    }

    /// <summary>Seals everything committed so far and signs a checkpoint over the head (taking turns with the background sealer).</summary>
    private async Task SealWithCheckpointAsync()
    {
        var factory = ca.Harness.Factory;
        var hsm = factory.Services.GetRequiredService<HsmConnection>();
        HsmAuditCheckpointSigner? signer = null;
        for (var attempt = 0; signer is null; attempt++)
        {
            try
            {
                signer = await ca.WithScopeAsync(sp => HsmAuditCheckpointSigner.EnsureAsync(
                    hsm.RequireToken(), sp.GetRequiredService<SignatureServiceDbContext>(), factory.Services.GetRequiredService<AuditTrail>(),
                    TimeProvider.System, CancellationToken.None));
            }
            catch (Microsoft.EntityFrameworkCore.DbUpdateException) when (attempt < 3)
            {
                // Note: the background sealer may create the audit key at the same moment; the loser retries and finds it.
                await Task.Delay(100);
            }
        }

        var sealer = factory.Services.GetRequiredService<AuditChainSealer>();
        var policy = new AuditSealingPolicy(EveryEvents: 1000, Interval: TimeSpan.FromHours(1), BatchSize: 5000);
        for (var attempt = 0; ; attempt++)
        {
            var result = await sealer.SealAsync(policy, signer, checkpointNow: true, CancellationToken.None);
            if (result.LockHeld && result.Sealed < policy.BatchSize)
            {
                return;
            }

            Assert.True(attempt < 200, "the sealer lock was never free");
            await Task.Delay(25);
        }
    }
}
