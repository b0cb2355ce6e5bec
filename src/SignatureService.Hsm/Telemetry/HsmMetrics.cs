using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SignatureService.Hsm;

/// <summary>
/// HSM operation metrics (meter <see cref="MeterName"/>): <c>signsvc.hsm.operation.duration</c> (histogram, seconds, tags
/// <c>operation</c>, <c>mechanism</c>, <c>outcome</c>) and <c>signsvc.hsm.operation.errors</c> (counter, tags <c>operation</c>,
/// <c>error</c>). Recorded by the library itself, so every feature that signs is measured. Thread-safe.
/// </summary>
public static class HsmMetrics
{
    /// <summary>The meter's name, for exporters and listeners.</summary>
    public const string MeterName = "SignatureService.Hsm";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "signsvc.hsm.operation.duration", "s", "Latency of HSM operations (C_Sign, key generation).");

    private static readonly Counter<long> Errors = Meter.CreateCounter<long>(
        "signsvc.hsm.operation.errors", "{error}", "HSM operations that failed, by error.");

    /// <summary>Records one operation that started at <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static void Record(string operation, string mechanism, long startTimestamp, string? error)
    {
        var seconds = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
        Duration.Record(seconds,
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("mechanism", mechanism),
            new KeyValuePair<string, object?>("outcome", error is null ? "success" : "failure"));
        if (error is not null)
        {
            Errors.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("error", error));
        }
    }
}
