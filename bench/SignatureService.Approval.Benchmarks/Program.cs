// Approval-to-signed benchmark: the real service (in process, WebApplicationFactory like the integration tests) over the real
// PostgreSQL cluster and SoftHSM2 token prepared by scripts/bench-signing.sh. Prints markdown tables.
//
//   1. batches of 1, 10 and 100 documents, at ES-T (default) and ES-B (Signing:SignatureTimestamp=false, benchmark switch):
//      the time from POST /v1/approvals to the request being `signed` in the store, per round; signatures/s per round;
//   2. single-document approvals (options + key + assertion, two HTTP round trips) at 50 concurrent signers: p50 / p99.
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SignatureService.Api.Features.Clients;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Hosting;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Identity;
using SignatureService.Data.Users;
using SignatureService.Testing;
using SignatureService.WebAuthn.Testing;

if (Environment.GetEnvironmentVariable("BENCH_MODE") == "soak")
{
    return await SoakBenchmark.RunAsync();
}

var inv = CultureInfo.InvariantCulture;
var rounds = new Dictionary<int, int> { [1] = Env("BENCH_ROUNDS_1", 20), [10] = Env("BENCH_ROUNDS_10", 5), [100] = Env("BENCH_ROUNDS_100", 3) };
var warmupPasses = Env("BENCH_WARMUP_PASSES", 3);
var warmups = new List<string>();
var concurrentSigners = Env("BENCH_SIGNERS", 50);
var pipelineSigners = Env("BENCH_PIPELINE_SIGNERS", 4);
var pipelineWarmupRounds = Env("BENCH_PIPELINE_WARMUP_ROUNDS", 5);
var pipelineRounds = new Dictionary<int, int> { [1] = Env("BENCH_PIPELINE_ROUNDS_1", 25), [10] = Env("BENCH_PIPELINE_ROUNDS_10", 25), [100] = Env("BENCH_PIPELINE_ROUNDS_100", 4) };
var pipeline = new List<string>();
var phaseRounds = Env("BENCH_PHASE_ROUNDS", 30);
var phases = new List<string>();
var approvalsPerSigner = Env("BENCH_APPROVALS_PER_SIGNER", 10);
var openApprovalsPerSigner = Env("BENCH_OPEN_APPROVALS_PER_SIGNER", 6);
var openRate = (double)Env("BENCH_OPEN_RATE", 10);
var rawRsa1 = double.Parse(Environment.GetEnvironmentVariable("BENCH_RAW_RSA_1") ?? "0", inv);
var rawRsa2 = double.Parse(Environment.GetEnvironmentVariable("BENCH_RAW_RSA_2") ?? "0", inv);

using var authenticator = new SoftwareAuthenticator();
using var reported = new SignaturesReported();
var rootPem = Path.Combine(Path.GetTempPath(), $"signsvc-bench-root-{Guid.NewGuid():N}.pem");
await File.WriteAllTextAsync(rootPem, authenticator.AttestationRoot.ExportCertificatePem());
await using var database = await TestDatabase.CreateAsync();
var throughput = new List<string>();
string? latencyLine = null;
try
{
    var levels = (Environment.GetEnvironmentVariable("BENCH_LEVELS") ?? "ES-T,ES-B").Split(',');
    foreach (var level in levels)
    {
        await using var service = new BenchService(Settings(level));
        var http = service.CreateClient();
        await service.WaitForMigrationAsync();
        if (level == levels[0])
        {
            await service.ScopeAsync(sp => sp.GetRequiredService<InitializeCertificateAuthority>().InitializeAsync(BenchService.Actor, CancellationToken.None));
        }

        var ehr = await EhrClient.CreateAsync(service, http);
        var signer = await Signer.CreateAsync(service, authenticator, "doctor");
        // Warm-up, not recorded: passes of every batch size through the whole path until the JIT is idle, so the figures are of
        // the steady state a running service is in (tier-1 code, filled connection and HSM session pools), not of its first
        // minute. Note: measured on this machine, the background tier-1 compiler took about 9 s of CPU in the first 25 s, on
        // the same 2 cores as the HSM; the first level measured without this ran up to a fifth slower than the second.
        var warmup = Stopwatch.StartNew();
        var passes = 0;
        TimeSpan jitBefore, jitDuring;
        do
        {
            jitBefore = System.Runtime.JitInfo.GetCompilationTime();
            foreach (var size in rounds.Keys)
            {
                await MeasureBatchAsync(service, ehr, signer, size);
            }

            // Note: background compilation is queued after a method's 30th call and runs after a 100 ms pause; give it time to show.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            jitDuring = System.Runtime.JitInfo.GetCompilationTime() - jitBefore;
            passes++;
        }
        while ((passes < warmupPasses || jitDuring > TimeSpan.FromMilliseconds(50)) && warmup.Elapsed < TimeSpan.FromSeconds(120));

        Console.Error.WriteLine(I($"{level}: warm-up {passes} passes in {warmup.Elapsed.TotalSeconds:F1} s; JIT time in the last pass {jitDuring.TotalMilliseconds:F0} ms"));
        warmups.Add(I($"{level}: {passes} passes, {warmup.Elapsed.TotalSeconds:F1} s, JIT in the last pass {jitDuring.TotalMilliseconds:F0} ms"));
        foreach (var size in rounds.Keys.Where(n => rounds[n] > 0))
        {
            var rawBefore = await RawRateAsync();
            var rates = new List<double>();
            var seconds = new List<double>();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            for (var r = 0; r < rounds[size]; r++)
            {
                var elapsed = await MeasureBatchAsync(service, ehr, signer, size);
                seconds.Add(elapsed.TotalSeconds);
                rates.Add(size / elapsed.TotalSeconds);
            }

            // Note: CPU time of this process (service, SoftHSM2 in process, and the benchmark's own client) per signature: far
            // less sensitive to the machine's other load than wall-clock rates. PostgreSQL's own CPU is not included.
            var cpuPerSignature = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / (size * rounds[size]);
            var rawAdjacent = (rawBefore + await RawRateAsync()) / 2;

            var hsmOps = level == "ES-T" ? 2 : 1;
            var median = Median(rates);
            throughput.Add(string.Create(inv,
                $"| {level} | {size} | {rounds[size]} | {Median(seconds) * 1000:F0} | {median:F1} | {rates.Min():F1}–{rates.Max():F1} | {median * hsmOps:F0} | {Ratio(median * hsmOps, rawRsa1)} | {Ratio(median * hsmOps, rawRsa2)} | {rawAdjacent:F0} | **{Ratio(median * hsmOps, rawAdjacent)}** | {cpuPerSignature:F1} |"));
            Console.Error.WriteLine($"{level} batch {size}: median {median:F1} signatures/s");
        }

        if (phaseRounds > 0)
        {
            await MeasurePhasesAsync(service, ehr, signer, level);
        }

        if (pipelineSigners > 0)
        {
            await MeasurePipelineAsync(service, ehr, level);
        }

        if (level == "ES-T" && concurrentSigners > 0)
        {
            latencyLine = await MeasureLatencyAsync(service, ehr);
        }
    }
}
finally
{
    File.Delete(rootPem);
}

Console.WriteLine($"Approval → signed, one approval per round over one request of N documents (load average {File.ReadAllText("/proc/loadavg")[..14].Trim()}):");
Console.WriteLine();
Console.WriteLine("| level | documents per approval | rounds | median approval→signed ms | signatures/s, median | min–max | HSM ops/s (1 per signature, 2 at ES-T) | of raw RSA C_Sign, 1 thread (start of run) | of raw, 2 threads (start) | raw C_Sign/s, 1 thread, just before and after this row | **of that adjacent raw** | process CPU ms per signature |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
throughput.ForEach(Console.WriteLine);
Console.WriteLine();
if (phases.Count > 0)
{
    Console.WriteLine();
    Console.WriteLine(I($"CPU per ten-document approval by step, one approval at a time ({phaseRounds} approvals; ms of CPU: clock_gettime for this process, /proc/<pid>/schedstat for PostgreSQL's):"));
    Console.WriteLine();
    Console.WriteLine("| level | step | service process, CPU ms (SoftHSM2 and the benchmark's client in it) | allocated in it, KiB | PostgreSQL (all processes), CPU ms |");
    Console.WriteLine("| --- | --- | ---: | ---: | ---: |");
    phases.ForEach(Console.WriteLine);
}

if (pipeline.Count > 0)
{
    Console.WriteLine(I($"Approval → signed with {pipelineSigners} signers approving at once, each its next request as soon as its last one is signed (closed loop; requests submitted beforehand):"));
    Console.WriteLine();
    Console.WriteLine("| level | documents per approval | signers | approvals | signatures | wall s | **signatures/s** | HSM ops/s | raw C_Sign/s, 1 thread, just before and after | **of that adjacent raw** | of raw, 2 threads (start of run) | median approval→signed ms | process CPU ms per signature | PostgreSQL CPU ms per signature | **CPU ms per signature besides the HSM** / at 70 % of that raw | warm-up passes / JIT ms in the row |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    pipeline.ForEach(Console.WriteLine);
    Console.WriteLine();
}

Console.WriteLine(latencyLine);
Console.WriteLine();
Console.WriteLine($"Warm-up before the measured rounds (passes of every batch size until the JIT compiled for under 50 ms in a pass): {string.Join("; ", warmups)}.");
return 0;

Dictionary<string, string?> Settings(string level) => new()
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
    ["Signing:SignatureTimestamp"] = level == "ES-T" ? "true" : "false",
    ["Logging:LogLevel:Default"] = "Warning",
    ["RateLimiting:Enabled"] = "false",
};

// Where the CPU of one ten-document approval goes, step by step, one approval at a time (nothing else running, so each
// step's CPU is its own): the service's process (with SoftHSM2 in it and the benchmark's client) and every PostgreSQL
// process, in nanoseconds (not clock ticks), and the bytes the process allocated (which, unlike CPU time, the machine's
// other load does not change).
async Task MeasurePhasesAsync(BenchService service, EhrClient ehr, Signer signer, string level)
{
    const int size = 10;
    var steps = new[] { "options call", "key (software authenticator)", "assertion call", "approved → signed (worker, HSM included)" };
    var process = new double[steps.Length];
    var postgres = new double[steps.Length];
    var allocated = new double[steps.Length];
    var requests = new List<Guid>();
    for (var r = 0; r < phaseRounds; r++)
    {
        requests.Add(await ehr.SubmitAsync(signer.UserId, size));
    }

    await using var connection = new NpgsqlConnection(database.ConnectionString);
    await connection.OpenAsync();
    await using var poll = new NpgsqlCommand("SELECT status FROM signature_requests WHERE id = $1", connection);
    var id = new NpgsqlParameter<Guid>();
    poll.Parameters.Add(id);
    await poll.PrepareAsync();
    await Task.Delay(TimeSpan.FromMilliseconds(300));
    // Note: the connection pools keep their backends, so the processes are listed once; reading their counters costs this
    // process CPU of its own, which is left out of every step (read before and after).
    var backends = CpuTime.PostgresProcesses();
    foreach (var request in requests)
    {
        var step = 0;
        var postgresAt = CpuTime.Postgres(backends);
        var allocatedAt = GC.GetTotalAllocatedBytes(precise: true);
        var processAt = CpuTime.Process();
        void Mark()
        {
            var p = CpuTime.Process();
            var a = GC.GetTotalAllocatedBytes(precise: true);
            var g = CpuTime.Postgres(backends);
            process[step] += p - processAt;
            allocated[step] += a - allocatedAt;
            postgres[step] += g - postgresAt;
            (processAt, allocatedAt, postgresAt) = (CpuTime.Process(), GC.GetTotalAllocatedBytes(precise: true), g);
            step++;
        }

        await signer.ApproveAsync([request], Mark);
        id.TypedValue = request;
        while ((string)(await poll.ExecuteScalarAsync())! != "signed")
        {
            await reported.WaitAsync();
        }

        Mark();
    }

    var hsm = (level == "ES-T" ? 2 : 1) * size * 1000 / rawRsa1;
    for (var i = 0; i < steps.Length; i++)
    {
        phases.Add(I($"| {level} | {steps[i]} | {process[i] / phaseRounds:F2} | {allocated[i] / phaseRounds / 1024:F0} | {postgres[i] / phaseRounds:F2} |"));
    }

    phases.Add(I($"| {level} | **all steps** | **{process.Sum() / phaseRounds:F2}** | **{allocated.Sum() / phaseRounds / 1024:F0}** | **{postgres.Sum() / phaseRounds:F2}** |"));
    phases.Add(I($"| {level} | of which the HSM's own signatures ({(level == "ES-T" ? 2 : 1) * size} × 1 / raw 1-thread rate) | {hsm:F2} | | |"));
}

async Task<TimeSpan> MeasureBatchAsync(BenchService service, EhrClient ehr, Signer signer, int documents)
{
    var requestId = await ehr.SubmitAsync(signer.UserId, documents);
    // Note: prepared, as the other pollers here, and before the clock starts; unprepared, PostgreSQL parsed and planned it
    // again at every poll on the cores the approval being measured needs.
    await using var connection = new NpgsqlConnection(database.ConnectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand("SELECT status FROM signature_requests WHERE id = $1", connection);
    command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = requestId });
    await command.PrepareAsync();
    var watch = Stopwatch.StartNew();
    await signer.ApproveAsync([requestId]);
    while (true)
    {
        var status = (string)(await command.ExecuteScalarAsync())!;
        if (status == "signed")
        {
            return watch.Elapsed;
        }

        if (status == "failed" || watch.Elapsed > TimeSpan.FromMinutes(10))
        {
            throw new InvalidOperationException($"Request {requestId} ended {status}.");
        }

        await reported.WaitAsync();
    }
}

// Several signers approving at once, each approving its next request as soon as its last one is signed: whether the pipeline
// keeps the HSM busy when there is work, i.e. whether one approval's fixed steps (the two calls, the claim, the look-ups, the
// final commit) overlap another's signing. One poller watches every outstanding request, so the waiting costs the same
// whatever the number of signers.
async Task MeasurePipelineAsync(BenchService service, EhrClient ehr, string level)
{
    var signers = new Signer[pipelineSigners];
    for (var i = 0; i < signers.Length; i++)
    {
        signers[i] = await Signer.CreateAsync(service, authenticator, "doctor");
    }

    foreach (var size in pipelineRounds.Keys.Where(n => pipelineRounds[n] > 0))
    {
        // Warm-up, not recorded: the same pattern with the same signers until a pass compiles for under 50 ms. Note: measured
        // here, the first pipelined run of a size tiered up about 800 methods (a second of JIT on the two cores the HSM uses)
        // that the one-at-a-time warm-up never made hot: the concurrent paths of the worker, the poller, the pools.
        TimeSpan jitDuring;
        var passes = 0;
        do
        {
            var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
            await RunPipelineAsync(signers, await SubmitAsync(signers, size, Math.Max(1, pipelineWarmupRounds * 10 / size)));
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            jitDuring = System.Runtime.JitInfo.GetCompilationTime() - jitBefore;
            passes++;
        }
        while ((passes < 2 || jitDuring > TimeSpan.FromMilliseconds(50)) && passes < 20);

        var perSigner = pipelineRounds[size];
        var queues = await SubmitAsync(signers, size, perSigner);
        var rawBefore = await RawRateAsync();
        var backends = CpuTime.PostgresProcesses();
        var postgresBefore = CpuTime.Postgres(backends);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var jitTimeBefore = System.Runtime.JitInfo.GetCompilationTime();
        var (elapsed, latencies) = await RunPipelineAsync(signers, queues);
        var jitTime = System.Runtime.JitInfo.GetCompilationTime() - jitTimeBefore;

        var signatures = signers.Length * perSigner * size;
        var cpuPerSignature = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / signatures;
        var postgresPerSignature = (CpuTime.Postgres(backends) - postgresBefore) / signatures;
        var rawAdjacent = (rawBefore + await RawRateAsync()) / 2;
        var rate = signatures / elapsed.TotalSeconds;
        var hsmOps = level == "ES-T" ? 2 : 1;
        // Note: the CPU a signature costs besides its HSM operations (each counted at the adjacent raw rate's cost), and what
        //       70 % of that raw rate leaves for it on this machine's cores, taken whole: where a row's gap to the target is.
        var besidesHsm = cpuPerSignature + postgresPerSignature - hsmOps * 1000 / rawAdjacent;
        var budget = Environment.ProcessorCount * 1000 / (0.7 * rawAdjacent / hsmOps) - hsmOps * 1000 / rawAdjacent;
        pipeline.Add(I($"| {level} | {size} | {signers.Length} | {signers.Length * perSigner} | {signatures} | {elapsed.TotalSeconds:F2} | **{rate:F1}** | {rate * hsmOps:F0} | {rawAdjacent:F0} | **{Ratio(rate * hsmOps, rawAdjacent)}** | {Ratio(rate * hsmOps, rawRsa2)} | {Median(latencies):F0} | {cpuPerSignature:F2} | {postgresPerSignature:F2} | **{besidesHsm:F2}** / {budget:F2} | {passes} / {jitTime.TotalMilliseconds:F0} |"));
        Console.Error.WriteLine(I($"{level} pipeline, {signers.Length} signers, batch {size}: {rate:F1} signatures/s (after {passes} warm-up passes; JIT {jitTime.TotalMilliseconds:F0} ms during the row)"));
    }

    async Task<List<Guid>[]> SubmitAsync(Signer[] signers, int size, int perSigner)
    {
        var queues = new List<Guid>[signers.Length];
        for (var i = 0; i < signers.Length; i++)
        {
            queues[i] = [];
            for (var k = 0; k < perSigner; k++)
            {
                queues[i].Add(await ehr.SubmitAsync(signers[i].UserId, size));
            }
        }

        return queues;
    }
}

// Each signer approves its queue one request after another, the next as soon as the last one is signed; all signers at once.
async Task<(TimeSpan Elapsed, List<double> Latencies)> RunPipelineAsync(Signer[] signers, List<Guid>[] queues)
{
    var waiting = new System.Collections.Concurrent.ConcurrentDictionary<Guid, TaskCompletionSource<string>>();
    using var stopPolling = new CancellationTokenSource();
    var poller = Task.Run(async () =>
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, status FROM signature_requests WHERE id = ANY($1) AND status IN ('signed', 'failed')", connection);
        var ids = new NpgsqlParameter<Guid[]> { TypedValue = [] };
        command.Parameters.Add(ids);
        // Note: prepared, as an EHR polling every few milliseconds would; unprepared, PostgreSQL planned it again each time.
        await command.PrepareAsync();
        while (!stopPolling.IsCancellationRequested)
        {
            if (!waiting.IsEmpty)
            {
                ids.TypedValue = [.. waiting.Keys];
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    if (waiting.TryRemove(reader.GetGuid(0), out var done))
                    {
                        done.SetResult(reader.GetString(1));
                    }
                }
            }

            await reported.WaitAsync();
        }
    });

    var latencies = new List<double>();
    var gate = new Lock();
    var wall = Stopwatch.StartNew();
    await Task.WhenAll(signers.Select(async (signer, i) =>
    {
        foreach (var id in queues[i])
        {
            var started = wall.Elapsed;
            var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            await signer.ApproveAsync([id]);
            waiting[id] = done;
            // Note: a request signed before it was listed here would otherwise wait for the next report or the fallback.
            reported.Wake();
            if (await done.Task.WaitAsync(TimeSpan.FromMinutes(10)) != "signed")
            {
                throw new InvalidOperationException($"Request {id} failed.");
            }

            lock (gate)
            {
                latencies.Add((wall.Elapsed - started).TotalMilliseconds);
            }
        }
    }));
    var elapsed = wall.Elapsed;
    await stopPolling.CancelAsync();
    await poller;
    return (elapsed, latencies);
}

async Task<string> MeasureLatencyAsync(BenchService service, EhrClient ehr)
{
    Console.Error.WriteLine($"setting up {concurrentSigners} signers with {approvalsPerSigner} + {openApprovalsPerSigner} pending requests each");
    var signers = new Signer[concurrentSigners];
    var pending = new List<Guid>[concurrentSigners];
    await Parallel.ForAsync(0, concurrentSigners, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
    {
        signers[i] = await Signer.CreateAsync(service, authenticator, "doctor");
        pending[i] = [];
        for (var k = 0; k < approvalsPerSigner + openApprovalsPerSigner; k++)
        {
            pending[i].Add(await ehr.SubmitAsync(signers[i].UserId, 1));
        }
    });

    // 1. Closed loop, zero think time: every signer starts the next approval as soon as the last one returned. With all 50
    //    always in flight this measures the saturation throughput; its latency is queueing (Little's law), not service time.
    var samples = new List<double>[concurrentSigners];
    var start = new TaskCompletionSource();
    var wall = Stopwatch.StartNew();
    var tasks = Enumerable.Range(0, concurrentSigners).Select(async i =>
    {
        samples[i] = [];
        await start.Task;
        foreach (var id in pending[i].Take(approvalsPerSigner))
        {
            var (options, assertion) = await signers[i].ApproveAsync([id]);
            samples[i].Add((options + assertion).TotalMilliseconds);
        }
    }).ToList();
    wall.Restart();
    start.SetResult();
    await Task.WhenAll(tasks);
    var elapsed = wall.Elapsed;
    var all = samples.SelectMany(s => s).Order().ToList();
    var closed =
        I($"Closed loop (saturation): single-document approvals by {concurrentSigners} concurrent signers with no think time, {approvalsPerSigner} each ")
        + I($"({all.Count} approvals in {elapsed.TotalSeconds:F1} s, **{all.Count / elapsed.TotalSeconds:F1} approvals/s**, signing worker running meanwhile): ")
        + I($"p50 {Percentile(all, 0.50):F1} ms, p90 {Percentile(all, 0.90):F1} ms, p99 {Percentile(all, 0.99):F1} ms, max {all[^1]:F1} ms.");
    if (openApprovalsPerSigner == 0)
    {
        return closed;
    }

    // Let the worker sign the closed loop's backlog first, so the open loop sees the steady state.
    await WaitForSignedAsync(signers.Length * approvalsPerSigner);

    // 2. Open loop at a stated offered load: signer i approves every `interval` seconds, each approval at a random point of
    //    its slot (uniform jitter), whether or not the others are busy; the figure is what one physician waits for.
    var interval = TimeSpan.FromSeconds(concurrentSigners / openRate);
    var options = new List<double>();
    var assertions = new List<double>();
    var totals = new List<double>();
    var lateness = new List<double>();
    var gate = new Lock();
    wall.Restart();
    await Task.WhenAll(Enumerable.Range(0, concurrentSigners).Select(async i =>
    {
        var random = new Random(i);
        var k = 0;
        foreach (var id in pending[i].Skip(approvalsPerSigner))
        {
            var due = (k++ + random.NextDouble()) * interval;
            if (due > wall.Elapsed)
            {
                await Task.Delay(due - wall.Elapsed);
            }

            var late = (wall.Elapsed - due).TotalMilliseconds;
            var (o, a) = await signers[i].ApproveAsync([id]);
            lock (gate)
            {
                options.Add(o.TotalMilliseconds);
                assertions.Add(a.TotalMilliseconds);
                totals.Add((o + a).TotalMilliseconds);
                lateness.Add(late);
            }
        }
    }));
    var openElapsed = wall.Elapsed;
    options.Sort();
    assertions.Sort();
    totals.Sort();
    var open =
        I($"Open loop: {concurrentSigners} signers, each approving one single-document request every {interval.TotalSeconds:F1} s at a uniformly ")
        + I($"jittered point of the slot: offered load **{openRate:F1} approvals/s** ({totals.Count} approvals in {openElapsed.TotalSeconds:F1} s, ")
        + I($"signing worker running meanwhile; scheduler lateness at most {lateness.Max():F0} ms):\n\n")
        + "| call | n | p50 ms | p90 ms | p99 ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: |\n"
        + I($"| options (`POST /v1/approvals`) | {options.Count} | {Percentile(options, 0.5):F1} | {Percentile(options, 0.9):F1} | {Percentile(options, 0.99):F1} | {options[^1]:F1} |\n")
        + I($"| assertion (`POST /v1/approvals/{{id}}/assertion`) | {assertions.Count} | {Percentile(assertions, 0.5):F1} | {Percentile(assertions, 0.9):F1} | {Percentile(assertions, 0.99):F1} | {assertions[^1]:F1} |\n")
        + I($"| **approval (both calls)** | {totals.Count} | {Percentile(totals, 0.5):F1} | {Percentile(totals, 0.9):F1} | **{Percentile(totals, 0.99):F1}** | {totals[^1]:F1} |");
    return closed + "\n\n" + open;
}

async Task WaitForSignedAsync(int count)
{
    await using var connection = new NpgsqlConnection(database.ConnectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand("SELECT count(*) FROM signature_requests WHERE status IN ('approved', 'signing')", connection);
    var watch = Stopwatch.StartNew();
    while ((long)(await command.ExecuteScalarAsync())! > 0 && watch.Elapsed < TimeSpan.FromMinutes(5))
    {
        await Task.Delay(100);
    }

    Console.Error.WriteLine($"{count} closed-loop approvals signed after {watch.Elapsed.TotalSeconds:F1} s more");
}

// The raw SoftHSM2 ceiling measured right next to a row (p11bench.c, 1 thread, BENCH_RAW_ADJACENT_SECONDS, default 2): on a
// shared machine whose load swings within minutes, a ratio against a rate measured minutes earlier says little.
static async Task<double> RawRateAsync()
{
    var tool = Environment.GetEnvironmentVariable("BENCH_P11BENCH");
    if (string.IsNullOrEmpty(tool))
    {
        return 0;
    }

    var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true };
    foreach (var argument in new[] { TestEnvironment.HsmModulePath, TestEnvironment.HsmTokenLabel, TestEnvironment.HsmPinFile, "rsa", "1",
                 Environment.GetEnvironmentVariable("BENCH_RAW_ADJACENT_SECONDS") ?? "2" })
    {
        start.ArgumentList.Add(argument);
    }

    using var process = Process.Start(start)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    return double.Parse(output.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
}

static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

static double Median(List<double> values) => Percentile([.. values.Order()], 0.5);

static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

static string Ratio(double value, double raw) => raw > 0 ? string.Create(CultureInfo.InvariantCulture, $"{100 * value / raw:F0} %") : "n/a";

static int Env(string name, int fallback) =>
    int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;

/// <summary>The service in process, configured by overrides exactly as an operator would.</summary>
/// <remarks>Note: the factory needs a type of the service's assembly (it starts that assembly's entry point); the service's own
/// <c>Program</c> is hidden here by this console's top-level <c>Program</c>, so a public type of the same assembly stands in.</remarks>
internal sealed class BenchService(Dictionary<string, string?> settings) : WebApplicationFactory<SignatureService.Api.Features.Approvals.ApprovalOptions>
{
    public static readonly AuditActor Actor = new("cli", "benchmark");

    public async Task WaitForMigrationAsync()
    {
        var status = Services.GetRequiredService<DatabaseStatus>();
        for (var i = 0; !status.IsMigrated; i++)
        {
            if (i == 1200)
            {
                throw new TimeoutException($"The service did not finish migrating: {status.State}");
            }

            await Task.Delay(50);
        }
    }

    public async Task<T> ScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Benchmark");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>An EHR client with an ES256 key; every call carries a fresh token.</summary>
internal sealed class EhrClient(HttpClient http, string clientId, ECDsa key)
{
    public static async Task<EhrClient> CreateAsync(BenchService service, HttpClient http)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientId = "bench-" + Guid.NewGuid().ToString("N")[..12];
        await service.ScopeAsync(sp => sp.GetRequiredService<ClientRegistration>().RegisterAsync(
            new RegisterClientInput(clientId, "Benchmark EHR", [new ClientKeyInput("k1", "ES256", Jose.PublicJwk(key))], []),
            BenchService.Actor, CancellationToken.None));
        return new EhrClient(http, clientId, key);
    }

    /// <summary>The same client speaking to another instance of the service (e.g. the service process of the soak run).</summary>
    public EhrClient On(HttpClient other) => new(other, clientId, key);

    public async Task<Guid> SubmitAsync(Guid signer, int documents)
    {
        using var response = await PostSubmitAsync(signer, documents);
        var text = await response.Content.ReadAsStringAsync();
        return response.StatusCode == HttpStatusCode.Created
            ? JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid()
            : throw new InvalidOperationException($"Submit failed: {(int)response.StatusCode} {text}");
    }

    /// <summary>POST /v1/signature-requests with a fresh client token; the caller reads and disposes the response.</summary>
    public async Task<HttpResponseMessage> PostSubmitAsync(Guid signer, int documents)
    {
        var body = new
        {
            signer = new { userId = signer },
            documents = Enumerable.Range(0, documents).Select(_ => new
            {
                type = "prescription",
                mediaType = "application/xml",
                content = Convert.ToBase64String(new SignatureService.Core.Tests.Documents.PrescriptionCsvBuilder { PrescriptionId = Guid.NewGuid().ToString() }.ToXml()),
            }).ToList(),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/signature-requests") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
            Jose.SignEs256(key, "k1", Jose.Claims(clientId, "signature-service", DateTimeOffset.UtcNow)));
        return await http.SendAsync(request);
    }
}

/// <summary>A qualified signer with a software security key, logged in (AAL3) in their own cookie jar.</summary>
/// <summary>CPU time in milliseconds: this process's (every thread, ended ones included) and PostgreSQL's.</summary>
internal static class CpuTime
{
    private const int ClockProcessCpuTimeId = 2;

    /// <summary>This process so far (clock_gettime(CLOCK_PROCESS_CPUTIME_ID): nanoseconds, threads that ended included).</summary>
    public static double Process() =>
        ClockGetTime(ClockProcessCpuTimeId, out var time) == 0 ? time.Seconds * 1e3 + time.Nanoseconds / 1e6 : throw new InvalidOperationException("clock_gettime failed");

    /// <summary>The PostgreSQL processes running now (the benchmark's cluster; other clusters idle meanwhile add nothing).</summary>
    public static int[] PostgresProcesses() =>
    [
        .. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => char.IsAsciiDigit(n![0])).Select(int.Parse!)
            .Where(pid => ReadOrNull($"/proc/{pid}/comm")?.TrimEnd() == "postgres"),
    ];

    /// <summary>Those processes so far (/proc/&lt;pid&gt;/schedstat: the scheduler's run time in nanoseconds; each is one thread).</summary>
    public static double Postgres(int[] processes) =>
        processes.Sum(pid => ReadOrNull($"/proc/{pid}/schedstat") is { } text ? long.Parse(text.AsSpan(0, text.IndexOf(' ')), CultureInfo.InvariantCulture) : 0) / 1e6;

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            // Note: the process ended meanwhile.
            return null;
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}

internal sealed class Signer(Guid userId, HttpClient browser, string csrf, SoftwareCredential key)
{
    private static int _counter;

    public Guid UserId => userId;

    /// <summary>The signer's software security key (to log in again against another instance of the service).</summary>
    public SoftwareCredential Key => key;

    /// <summary>The signer's cookie jar client.</summary>
    public HttpClient Browser => browser;

    /// <summary>The session's anti-forgery token.</summary>
    public string Csrf => csrf;

    public static async Task<Signer> CreateAsync(BenchService service, SoftwareAuthenticator authenticator, string profession)
    {
        var userId = Guid.CreateVersion7();
        var number = $"B{Environment.ProcessId % 10000:D4}{Interlocked.Increment(ref _counter):D6}";
        await service.ScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<SignatureServiceDbContext>();
            db.Users.Add(new UserRecord
            {
                Id = userId, DisplayName = "Bench Signer", Status = "active", Roles = [UserRoles.Signer],
                CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            });
            return await db.SaveChangesAsync();
        });
        await service.ScopeAsync(sp => sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(
            Encoding.UTF8.GetBytes($"{ImportLicenseRegistry.Header}\n{profession},{number},2010-04-01,山田 太郎,1980-01-02,active\n"),
            BenchService.Actor, CancellationToken.None));
        await service.ScopeAsync(sp => sp.GetRequiredService<VerifySignerLicense>().VerifyAsync(
            new LicenseClaim(userId, profession, number, "山田 太郎", new DateOnly(1980, 1, 2)), BenchService.Actor, CancellationToken.None));
        await service.ScopeAsync(sp => sp.GetRequiredService<IssueSignerCertificate>().IssueAsync(
            new SignerCertificateInput(userId, "Example Clinic", "例クリニック", "YAMADA TARO", "山田 太郎"), BenchService.Actor, CancellationToken.None));
        var enrollment = await service.ScopeAsync(async sp =>
        {
            // Note: a plain key-registration code; signer-enrollment codes belong to proofing applications, and this signer's
            // certificate was issued directly.
            var issued = sp.GetRequiredService<EnrollmentCodes>().Stage(userId, EnrollmentPurpose.Operator, "benchmark", TimeSpan.FromHours(1));
            await sp.GetRequiredService<SignatureServiceDbContext>().SaveChangesAsync();
            return issued;
        });

        var browser = service.CreateClient();
        var options = await Json(await browser.PostAsJsonAsync("/v1/identity/registration/options",
            new { enrollmentId = enrollment.EnrollmentId, code = enrollment.Code }));
        var creation = options.GetProperty("publicKey");
        var registration = authenticator.MakeCredential(new MakeCredentialRequest("localhost", "http://localhost", Bytes(creation.GetProperty("challenge")))
        {
            UserHandle = Bytes(creation.GetProperty("user").GetProperty("id")),
        });
        await Json(await browser.PostAsJsonAsync("/v1/identity/registration", new
        {
            enrollmentId = enrollment.EnrollmentId,
            code = enrollment.Code,
            credential = new
            {
                id = Base64Url.EncodeToString(registration.Credential.Id),
                rawId = Base64Url.EncodeToString(registration.Credential.Id),
                type = "public-key",
                response = new
                {
                    clientDataJSON = Base64Url.EncodeToString(registration.ClientDataJson),
                    attestationObject = Base64Url.EncodeToString(registration.AttestationObject),
                },
            },
        }));
        return await LoginAsync(userId, registration.Credential, browser);
    }

    /// <summary>A WebAuthn login with the registered key in the given cookie jar: a new session.</summary>
    public static async Task<Signer> LoginAsync(Guid userId, SoftwareCredential key, HttpClient browser)
    {
        var login = await Json(await browser.PostAsync("/v1/identity/login/options", null));
        var session = await Json(await browser.PostAsJsonAsync("/v1/identity/login",
            new { credential = Assertion(key, Bytes(login.GetProperty("publicKey").GetProperty("challenge"))) }));
        return new Signer(userId, browser, session.GetProperty("csrfToken").GetString()!, key);
    }

    /// <summary>
    /// Options, a touch of the key, assertion: the signer's two round trips; returns how long each call took.
    /// <paramref name="step"/> is called after each of the three steps.
    /// </summary>
    public async Task<(TimeSpan Options, TimeSpan Assertion)> ApproveAsync(Guid[] requestIds, Action? step = null)
    {
        var watch = Stopwatch.StartNew();
        var options = await Json(await PostAsync("/v1/approvals", new { requestIds }));
        var optionsTime = watch.Elapsed;
        step?.Invoke();
        var challenge = Bytes(options.GetProperty("publicKey").GetProperty("challenge"));
        var assertion = Assertion(key, challenge);
        step?.Invoke();
        watch.Restart();
        await Json(await PostAsync($"/v1/approvals/{options.GetProperty("approvalId").GetGuid()}/assertion", new { credential = assertion }));
        var assertionTime = watch.Elapsed;
        step?.Invoke();
        return (optionsTime, assertionTime);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-CSRF-Token", csrf);
        return await browser.SendAsync(request);
    }

    internal static object Assertion(SoftwareCredential credential, byte[] challenge)
    {
        var assertion = SoftwareAuthenticator.GetAssertion(credential, new GetAssertionRequest("localhost", "http://localhost", challenge));
        return new
        {
            id = Base64Url.EncodeToString(assertion.CredentialId),
            rawId = Base64Url.EncodeToString(assertion.CredentialId),
            type = "public-key",
            response = new
            {
                clientDataJSON = Base64Url.EncodeToString(assertion.ClientDataJson),
                authenticatorData = Base64Url.EncodeToString(assertion.AuthenticatorData),
                signature = Base64Url.EncodeToString(assertion.Signature),
                userHandle = Base64Url.EncodeToString(assertion.UserHandle),
            },
        };
    }

    internal static byte[] Bytes(JsonElement element) => Base64Url.DecodeFromChars(element.GetString());

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode
                ? (text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone())
                : throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        }
    }
}

namespace SignatureService.Core.Tests.Documents
{
    /// <summary>The one assertion the linked test document builder makes, without xunit.</summary>
    internal static class Assert
    {
        public static void True(bool condition)
        {
            if (!condition)
            {
                throw new InvalidOperationException("Builder precondition failed.");
            }
        }
    }
}
