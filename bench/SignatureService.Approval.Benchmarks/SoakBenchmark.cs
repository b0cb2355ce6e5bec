// Sustained-load benchmark (issue 9 item 3), BENCH_MODE=soak: the real service as a separate process over HTTP (Kestrel on
// loopback), a steady open-loop load of signature requests approved with software authenticators, then a drain until every
// accepted request is final. Prints markdown. Run by scripts/bench-soak.sh.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SignatureService.Api.Features.Pki;
using SignatureService.Testing;
using SignatureService.WebAuthn.Testing;

/// <summary>The soak run: set-up in process, load against the service process, figures as markdown.</summary>
internal static class SoakBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync()
    {
        var minutes = EnvDouble("BENCH_SOAK_MINUTES", 10);
        var rate = EnvDouble("BENCH_SOAK_RATE", 5);
        var signerCount = (int)EnvDouble("BENCH_SOAK_SIGNERS", 20);
        var warmUpSeconds = EnvDouble("BENCH_SOAK_WARMUP_SECONDS", 60);
        var drainLimit = TimeSpan.FromMinutes(EnvDouble("BENCH_SOAK_DRAIN_MINUTES", 15));

        using var authenticator = new SoftwareAuthenticator();
        var rootPem = Path.Combine(Path.GetTempPath(), $"signsvc-soak-root-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(rootPem, authenticator.AttestationRoot.ExportCertificatePem());
        await using var database = await TestDatabase.CreateAsync();
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:SignatureService"] = database.ConnectionString,
                ["Hsm:ModulePath"] = TestEnvironment.HsmModulePath,
                ["Hsm:TokenLabel"] = TestEnvironment.HsmTokenLabel,
                ["Hsm:PinFile"] = TestEnvironment.HsmPinFile,
                ["Proofing:EvidenceKeyFile"] = TestEnvironment.ProofingKeyFile,
                ["Hsm:SessionPoolSize"] = "4",
                ["WebAuthn:RpId"] = "localhost",
                ["WebAuthn:Origins:0"] = "http://localhost",
                ["WebAuthn:AllowList:0:Aaguid"] = authenticator.Aaguid.ToString(),
                ["WebAuthn:AllowList:0:Description"] = "Software authenticator (benchmark)",
                ["WebAuthn:AllowList:0:RootPemFile"] = rootPem,
                ["Logging:LogLevel:Default"] = "Warning",
                ["RateLimiting:Enabled"] = "false",
            };

            // 1. Set-up in process, as the other benchmark: CA, one EHR client, N signers with registered software keys.
            Log($"set-up in process: CA, EHR client, {signerCount} signers");
            EhrClient setupEhr;
            var registered = new (Guid UserId, SoftwareCredential Key)[signerCount];
            await using (var service = new BenchService(settings))
            {
                var http = service.CreateClient();
                await service.WaitForMigrationAsync();
                await service.ScopeAsync(sp => sp.GetRequiredService<InitializeCertificateAuthority>().InitializeAsync(BenchService.Actor, CancellationToken.None));
                setupEhr = await EhrClient.CreateAsync(service, http);
                await Parallel.ForAsync(0, signerCount, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
                {
                    var signer = await Signer.CreateAsync(service, authenticator, "doctor");
                    registered[i] = (signer.UserId, signer.Key);
                });
            }

            // Note: the in-process service's pooled connections would otherwise count as the service's in pg_stat_activity.
            NpgsqlConnection.ClearAllPools();

            // 2. The service as its own process on the same database and token.
            Log("starting the service process");
            await using var process = await ServiceProcess.StartAsync(settings, environmentName: "Benchmark");
            Log($"service process {process.Id} ready at {process.Address}");
            using var ehrHttp = NewClient(process.Address);
            var ehr = setupEhr.On(ehrHttp);
            var signers = new Signer[signerCount];
            for (var i = 0; i < signerCount; i++)
            {
                signers[i] = await Signer.LoginAsync(registered[i].UserId, registered[i].Key, NewClient(process.Address));
            }

            var monitorConnection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = "signsvc-soak-monitor", Pooling = false }.ConnectionString;
            await using var monitor = new NpgsqlConnection(monitorConnection);
            await monitor.OpenAsync();
            var run = new SoakRun(ehr, signers, monitor);

            // Warm-up at the load's rate, not recorded, before the first snapshot (JIT, tiered compilation, pools, HSM sessions).
            var warmUp = (int)Math.Round(warmUpSeconds * rate);
            Log($"warm-up: {warmUp} requests in {warmUpSeconds.ToString(Inv)} s, not recorded");
            await RunScheduleAsync(run, warmUp, rate, record: false, null);
            if (!await run.WaitForFinalAsync(TimeSpan.FromMinutes(2)))
            {
                throw new InvalidOperationException("The warm-up requests did not reach a final state in 2 min.");
            }

            var loadBefore = LoadAverage();
            var snapshots = new List<(string Label, Snapshot Value)> { ("start of load (after warm-up)", await Snapshot.TakeAsync(process.Id, monitor)) };

            // 3. Fixed-rate (open-loop) schedule: request k starts at k / rate seconds, whether or not earlier ones finished.
            var total = (int)Math.Round(minutes * 60 * rate);
            Log($"load: {rate.ToString(Inv)} requests/s for {minutes.ToString(Inv)} min ({total} requests)");
            var clock = Stopwatch.StartNew();
            await RunScheduleAsync(run, total, rate, record: true, async minute =>
            {
                await run.PollOnceAsync();
                snapshots.Add(($"minute {minute}", await Snapshot.TakeAsync(process.Id, monitor)));
                Log($"minute {minute}: {run.Progress()}; {snapshots[^1].Value}");
            });
            var loadSeconds = clock.Elapsed.TotalSeconds;
            snapshots.Add(("end of load", await Snapshot.TakeAsync(process.Id, monitor)));
            Log($"all {total} submissions and approvals answered; draining: {run.Progress()}");
            var drained = await run.WaitForFinalAsync(drainLimit);
            var drainSeconds = clock.Elapsed.TotalSeconds - loadSeconds;
            snapshots.Add(("after drain", await Snapshot.TakeAsync(process.Id, monitor)));
            var loadAfter = LoadAverage();

            Console.WriteLine(string.Create(Inv, $"Warm-up before the figures: {warmUp} requests at the same rate ({warmUpSeconds} s), not recorded; the service process was started {process.StartedAt:HH:mm:ss} UTC."));
            Console.WriteLine();
            Console.WriteLine(run.Report(rate, minutes, loadSeconds, drainSeconds, drained, signerCount, snapshots, loadBefore, loadAfter));
            return drained ? 0 : 1;
        }
        finally
        {
            File.Delete(rootPem);
        }
    }

    /// <summary>Request k starts at k / rate seconds, whether or not earlier ones finished (open loop); then waits for all.</summary>
    private static async Task RunScheduleAsync(SoakRun run, int count, double rate, bool record, Func<int, Task>? everyMinute)
    {
        var inFlight = new List<Task>(count);
        var clock = Stopwatch.StartNew();
        var nextMinute = 1;
        for (var k = 0; k < count; k++)
        {
            var due = TimeSpan.FromSeconds(k / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            if (record)
            {
                run.RecordLag(clock.Elapsed - due);
            }

            var index = k;
            inFlight.Add(Task.Run(() => run.OneAsync(index, record)));
            if (everyMinute is not null && clock.Elapsed >= TimeSpan.FromMinutes(nextMinute))
            {
                await everyMinute(nextMinute);
                nextMinute++;
            }
        }

        await Task.WhenAll(inFlight);
    }

    internal static HttpClient NewClient(Uri address) => new(new SocketsHttpHandler { UseCookies = true, CookieContainer = new CookieContainer() })
    {
        BaseAddress = address,
        Timeout = TimeSpan.FromSeconds(60),
    };

    internal static void Log(string message) => Console.Error.WriteLine($"[{DateTimeOffset.UtcNow:HH:mm:ss}] {message}");

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static double EnvDouble(string name, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}

/// <summary>The load's bookkeeping: per-operation latencies, errors by operation/status/code, requests awaiting their signature.</summary>
internal sealed class SoakRun(EhrClient ehr, Signer[] signers, NpgsqlConnection monitor)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] Operations = ["create", "approval options", "assertion", "approval → signed"];
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _latency = new();
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private readonly ConcurrentDictionary<Guid, (DateTimeOffset ApprovalStart, bool Record)> _awaiting = new();
    private readonly ConcurrentDictionary<string, int> _finalStates = new();
    private readonly ConcurrentDictionary<long, int> _createdPerMinute = new();
    private readonly ConcurrentDictionary<long, int> _signedPerMinute = new();
    private int _accepted;
    private int _approved;
    private double _maxLagMs;

    public void RecordLag(TimeSpan lag)
    {
        _maxLagMs = Math.Max(_maxLagMs, lag.TotalMilliseconds);
    }

    public string Progress() => string.Create(Inv, $"{_accepted} accepted, {_approved} approved, {_awaiting.Count} awaiting signature, {_errors.Values.Sum()} errors");

    /// <summary>One request: created by the EHR client, approved by signer k mod N in two round trips.</summary>
    public async Task OneAsync(int k, bool record)
    {
        var signer = signers[k % signers.Length];
        var watch = Stopwatch.StartNew();
        Guid requestId;
        using (var response = await SendAsync("create", () => ehr.PostSubmitAsync(signer.UserId, 1)))
        {
            if (response is null || !await OkAsync("create", response, HttpStatusCode.Created))
            {
                return;
            }

            requestId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }

        Sample("create", watch, record);
        if (record)
        {
            Interlocked.Increment(ref _accepted);
            _createdPerMinute.AddOrUpdate(Minute(DateTimeOffset.UtcNow), 1, (_, n) => n + 1);
        }

        var approvalStart = DateTimeOffset.UtcNow;
        watch.Restart();
        Guid approvalId;
        byte[] challenge;
        using (var response = await SendAsync("approval options", () => PostAsync(signer, "/v1/approvals", new { requestIds = new[] { requestId } })))
        {
            if (response is null || !await OkAsync("approval options", response, HttpStatusCode.OK))
            {
                return;
            }

            var options = await response.Content.ReadFromJsonAsync<JsonElement>();
            approvalId = options.GetProperty("approvalId").GetGuid();
            challenge = Signer.Bytes(options.GetProperty("publicKey").GetProperty("challenge"));
        }

        Sample("approval options", watch, record);
        watch.Restart();
        var credential = Signer.Assertion(signer.Key, challenge);
        using (var response = await SendAsync("assertion", () => PostAsync(signer, $"/v1/approvals/{approvalId}/assertion", new { credential })))
        {
            if (response is null || !await OkAsync("assertion", response, HttpStatusCode.OK))
            {
                return;
            }
        }

        Sample("assertion", watch, record);
        if (record)
        {
            Interlocked.Increment(ref _approved);
        }

        _awaiting[requestId] = (approvalStart, record);
    }

    /// <summary>Polls the store (every 250 ms) until every approved request is final; approval → signed from the request's <c>updated_at</c> (the moment it became signed).</summary>
    public async Task<bool> WaitForFinalAsync(TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (!_awaiting.IsEmpty)
        {
            if (watch.Elapsed > limit)
            {
                return false;
            }

            await PollOnceAsync();
            await Task.Delay(250);
        }

        return true;
    }

    public string Report(
        double rate, double minutes, double loadSeconds, double drainSeconds, bool drained, int signerCount,
        List<(string Label, Snapshot Value)> snapshots, string loadBefore, string loadAfter)
    {
        var s = new StringBuilder();
        var signed = _finalStates.GetValueOrDefault("signed");
        var recordedSigned = _latency.TryGetValue("approval → signed", out var a2s) ? a2s.Count : 0;
        s.AppendLine(Inv, $"Sustained load: {rate} requests/s scheduled (open loop) for {minutes} min, {signerCount} signers, one EHR client, one document (prescription XML) per request, ES-T.");
        s.AppendLine(Inv, $"{Environment.ProcessorCount} cores; load average before {loadBefore}, after {loadAfter}; scheduler lag max {_maxLagMs:F0} ms.");
        s.AppendLine();
        s.AppendLine(Inv, $"- accepted (201): {_accepted} of {(int)Math.Round(minutes * 60 * rate)} scheduled; approved: {_approved}; load phase {loadSeconds:F0} s → **{_accepted / loadSeconds:F2} requests/s**");
        s.AppendLine(Inv, $"- signed: {recordedSigned} (+ warm-up); signatures/s over load + drain ({loadSeconds + drainSeconds:F0} s): **{recordedSigned / (loadSeconds + drainSeconds):F2}**; drain after the last approval: {drainSeconds:F0} s; {(drained ? "every approved request reached a final state" : "NOT every approved request reached a final state within the drain limit")}");
        s.AppendLine(Inv, $"- final states (incl. warm-up): {string.Join(", ", _finalStates.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}; still awaiting: {_awaiting.Count}");
        s.AppendLine(Inv, $"- errors: **{_errors.Values.Sum()}**{(_errors.IsEmpty ? string.Empty : " — " + string.Join(", ", _errors.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}")))}");
        s.AppendLine();
        s.AppendLine("| operation | n | p50 ms | p90 ms | p99 ms | max ms |");
        s.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var op in Operations)
        {
            var values = _latency.TryGetValue(op, out var bag) ? bag.Order().ToList() : [];
            s.AppendLine(values.Count == 0
                ? $"| {op} | 0 | | | | |"
                : string.Create(Inv, $"| {op} | {values.Count} | {P(values, 0.5):F0} | {P(values, 0.9):F0} | {P(values, 0.99):F0} | {values[^1]:F0} |"));
        }

        s.AppendLine();
        s.AppendLine("Per minute of the load (wall clock, UTC):");
        s.AppendLine();
        s.AppendLine("| minute | created | signed |");
        s.AppendLine("| --- | ---: | ---: |");
        foreach (var minute in _createdPerMinute.Keys.Union(_signedPerMinute.Keys).Order())
        {
            s.AppendLine(Inv, $"| {DateTimeOffset.FromUnixTimeSeconds(minute * 60):HH:mm} | {_createdPerMinute.GetValueOrDefault(minute)} | {_signedPerMinute.GetValueOrDefault(minute)} |");
        }

        s.AppendLine();
        s.AppendLine("The service process (`/proc/PID/status` VmRSS and Threads, `/proc/PID/fd` count) and its PostgreSQL connections (`pg_stat_activity` on the database, excluding the benchmark's own):");
        s.AppendLine();
        s.AppendLine("| when | RSS MiB | threads | open fds | PostgreSQL connections |");
        s.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (label, value) in snapshots)
        {
            s.AppendLine(Inv, $"| {label} | {value.RssKib / 1024.0:F0} | {value.Threads} | {value.Fds} | {value.PgConnections} |");
        }

        return s.ToString();
    }

    private static long Minute(DateTimeOffset at) => at.ToUnixTimeSeconds() / 60;

    private static double P(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static Task<HttpResponseMessage> PostAsync(Signer signer, string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-CSRF-Token", signer.Csrf);
        return signer.Browser.SendAsync(request);
    }

    /// <summary>One look at the store for approved requests that became final.</summary>
    public async Task PollOnceAsync()
    {
        var ids = _awaiting.Keys.ToArray();
        if (ids.Length == 0)
        {
            return;
        }

        // Note: the only user of the monitor connection while it runs (snapshots are taken between polls).
        await using var command = new NpgsqlCommand(
            "SELECT id, status, updated_at FROM signature_requests WHERE id = ANY(@ids) AND status NOT IN ('pending-approval', 'approved', 'signing')", monitor);
        command.Parameters.AddWithValue("ids", ids);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var id = reader.GetGuid(0);
            var status = reader.GetString(1);
            if (!_awaiting.TryRemove(id, out var entry))
            {
                continue;
            }

            _finalStates.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status == "signed" && !reader.IsDBNull(2) && entry.Record)
            {
                var signedAt = reader.GetFieldValue<DateTimeOffset>(2);
                _latency.GetOrAdd("approval → signed", _ => []).Add((signedAt - entry.ApprovalStart).TotalMilliseconds);
                _signedPerMinute.AddOrUpdate(Minute(signedAt), 1, (_, n) => n + 1);
            }
        }
    }

    private void Sample(string operation, Stopwatch watch, bool record)
    {
        if (record)
        {
            _latency.GetOrAdd(operation, _ => []).Add(watch.Elapsed.TotalMilliseconds);
        }
    }

    private async Task<HttpResponseMessage?> SendAsync(string operation, Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send();
        }
        catch (HttpRequestException e)
        {
            _errors.AddOrUpdate($"{operation} transport {e.HttpRequestError}", 1, (_, n) => n + 1);
            return null;
        }
        catch (TaskCanceledException)
        {
            _errors.AddOrUpdate($"{operation} timeout", 1, (_, n) => n + 1);
            return null;
        }
    }

    private async Task<bool> OkAsync(string operation, HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode == expected)
        {
            return true;
        }

        var code = "-";
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            code = problem.TryGetProperty("code", out var value) ? value.GetString() ?? "-" : "-";
        }
        catch (JsonException)
        {
            // Note: not problem+json; the status alone is recorded.
        }

        _errors.AddOrUpdate(string.Create(Inv, $"{operation} {(int)response.StatusCode} {code}"), 1, (_, n) => n + 1);
        return false;
    }
}

/// <summary>Resource figures of the service process at one moment.</summary>
internal sealed record Snapshot(long RssKib, int Threads, int Fds, long PgConnections)
{
    public static async Task<Snapshot> TakeAsync(int pid, NpgsqlConnection monitor)
    {
        long rss = 0;
        var threads = 0;
        foreach (var line in await File.ReadAllLinesAsync($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        var fds = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> 'signsvc-soak-monitor'", monitor);
        var connections = (long)(await command.ExecuteScalarAsync())!;
        return new Snapshot(rss, threads, fds, connections);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"RSS {RssKib / 1024} MiB, {Threads} threads, {Fds} fds, {PgConnections} PostgreSQL connections");
}
