using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SignatureService.Testing.Fuzzing;

/// <summary>
/// Runs a parser over a corpus and fails with the seed, the input index and the input as hex when the parser throws an
/// exception other than its typed error, when one input takes longer than the per-input bound, or when the whole corpus
/// does not finish in time (a hang: the input in flight is reported). Seed and scale can be overridden for a longer run:
/// <c>SIGNSVC_FUZZ_SEED=123 SIGNSVC_FUZZ_SCALE=20 ./scripts/test.sh --filter "FullyQualifiedName~Fuzz"</c>.
/// </summary>
public static class Fuzz
{
    /// <summary>The seed used unless <c>SIGNSVC_FUZZ_SEED</c> says otherwise (fixed, so CI runs are reproducible).</summary>
    public static int Seed { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("SIGNSVC_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : 20261121;

    /// <summary>Multiplier for iteration counts (<c>SIGNSVC_FUZZ_SCALE</c>, default 1).</summary>
    public static int Scale { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("SIGNSVC_FUZZ_SCALE"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var scale) && scale > 0 ? scale : 1;

    /// <summary><paramref name="iterations"/> times <see cref="Scale"/>.</summary>
    public static int Iterations(int iterations) => iterations * Scale;

    /// <summary>Default bound for one input (generous: the machine is shared and loaded).</summary>
    public static readonly TimeSpan PerInput = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Feeds every input to <paramref name="parse"/>, which returns the outcome (e.g. "accepted" or a result code).
    /// <paramref name="classify"/> maps an expected exception to its stable code and returns null for an unexpected one.
    /// Returns how often each outcome occurred.
    /// </summary>
    public static FuzzReport Run(
        string target, int seed, IEnumerable<FuzzInput> inputs, Func<byte[], string> parse, Func<Exception, string?> classify,
        TimeSpan? perInput = null, TimeSpan? total = null)
    {
        var bound = perInput ?? PerInput;
        var report = new FuzzReport(target, seed);
        FuzzInput? current = null;
        var thread = new Thread(() =>
        {
            foreach (var input in inputs)
            {
                Volatile.Write(ref current, input);
                var clock = Stopwatch.StartNew();
                string outcome;
                try
                {
                    outcome = parse(input.Data);
                }
#pragma warning disable CA1031 // Any exception is caught here on purpose: an unexpected type is exactly what the fuzzer reports.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    outcome = classify(ex) ?? $"UNEXPECTED {ex.GetType().FullName}";
                    if (outcome.StartsWith("UNEXPECTED", StringComparison.Ordinal))
                    {
                        report.Fail(input, $"{ex.GetType().FullName}: {ex.Message}\n{ex.StackTrace}");
                    }
                }

                clock.Stop();
                if (clock.Elapsed > bound)
                {
                    report.Fail(input, $"took {clock.Elapsed.TotalMilliseconds:F0} ms (bound {bound.TotalMilliseconds:F0} ms)");
                }

                report.Count(outcome);
            }
        })
        { IsBackground = true, Name = $"fuzz {target}" };

        var wall = Stopwatch.StartNew();
        thread.Start();
        if (!thread.Join(total ?? TimeSpan.FromSeconds(60)))
        {
            var stuck = Volatile.Read(ref current);
            Assert.Fail($"{target}: no result after {wall.Elapsed.TotalSeconds:F0} s (seed {seed}); input in flight:\n{(stuck is null ? "none" : Describe(stuck))}");
        }

        report.Elapsed = wall.Elapsed;
        report.AssertNoFailures();
        return report;
    }

    /// <summary>Runs an asynchronous check over every input; <paramref name="check"/> returns the outcome, or throws <see cref="FuzzFailureException"/>.</summary>
    public static async Task<FuzzReport> RunAsync(
        string target, int seed, IEnumerable<FuzzInput> inputs, Func<FuzzInput, Task<string>> check, TimeSpan? perInput = null)
    {
        var bound = perInput ?? TimeSpan.FromSeconds(10);
        var report = new FuzzReport(target, seed);
        var wall = Stopwatch.StartNew();
        foreach (var input in inputs)
        {
            var clock = Stopwatch.StartNew();
            var task = check(input);
            if (await Task.WhenAny(task, Task.Delay(bound)) != task)
            {
                Assert.Fail($"{target}: no answer after {bound.TotalSeconds:F0} s (seed {seed}); input:\n{Describe(input)}");
            }

            try
            {
                report.Count(await task);
            }
            catch (FuzzFailureException failure)
            {
                report.Fail(input, failure.Message);
            }

            if (clock.Elapsed > bound)
            {
                report.Fail(input, $"took {clock.Elapsed.TotalMilliseconds:F0} ms");
            }
        }

        report.Elapsed = wall.Elapsed;
        report.AssertNoFailures();
        return report;
    }

    /// <summary>The input's kind, index, length and hex (the first 8 KiB).</summary>
    public static string Describe(FuzzInput input)
    {
        const int MaxBytes = 8 * 1024;
        var hex = Convert.ToHexString(input.Data.AsSpan(0, Math.Min(input.Data.Length, MaxBytes)));
        return $"#{input.Index} ({input.Kind}, {input.Data.Length} bytes): {hex}{(input.Data.Length > MaxBytes ? "…" : string.Empty)}";
    }
}

/// <summary>Thrown by an asynchronous fuzz check when the outcome is wrong.</summary>
public sealed class FuzzFailureException(string message) : Exception(message);

/// <summary>Outcomes of one fuzz run.</summary>
public sealed class FuzzReport(string target, int seed)
{
    private readonly Dictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private readonly List<string> _failures = [];
    private readonly Lock _lock = new();

    /// <summary>How often each outcome occurred.</summary>
    public IReadOnlyDictionary<string, int> Outcomes
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, int>(_outcomes, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Inputs fed.</summary>
    public int Total => Outcomes.Values.Sum();

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; set; }

    /// <summary>How often <paramref name="outcome"/> occurred.</summary>
    public int this[string outcome] => Outcomes.GetValueOrDefault(outcome);

    internal void Count(string outcome)
    {
        lock (_lock)
        {
            _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
        }
    }

    internal void Fail(FuzzInput input, string why)
    {
        lock (_lock)
        {
            _failures.Add($"{why}\n  input {Fuzz.Describe(input)}");
        }
    }

    internal void AssertNoFailures()
    {
        lock (_lock)
        {
            if (_failures.Count > 0)
            {
                var text = new StringBuilder()
                    .Append(CultureInfo.InvariantCulture, $"{target}: {_failures.Count} failing input(s) of {_outcomes.Values.Sum()} (seed {seed}; reproduce with SIGNSVC_FUZZ_SEED={seed}).\n")
                    .AppendJoin("\n", _failures.Take(3));
                Assert.Fail(text.ToString());
            }
        }
    }

    /// <summary>A one-line summary: target, seed, count, time and outcome histogram.</summary>
    public override string ToString() =>
        $"{target} seed={seed} inputs={Total} in {Elapsed.TotalMilliseconds:F0} ms: " +
        string.Join(", ", Outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key}={o.Value}"));
}
