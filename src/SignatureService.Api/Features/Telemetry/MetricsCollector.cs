using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace SignatureService.Api.Features.Telemetry;

/// <summary>
/// Aggregates the exported meters in process and renders them in the Prometheus text format (version 0.0.4) for the local
/// <c>/metrics</c> endpoint: counters and up-down counters as sums, histograms with fixed second buckets, gauges observed
/// at scrape time. Thread-safe singleton; listens from construction until disposal.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    private static readonly double[] Bounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), Series> _series = new();

    /// <summary>
    /// Starts listening to <see cref="ServiceMetrics.ExportedMeters"/> created by this host's <paramref name="meterFactory"/>
    /// (or process-wide meters without a factory, like the HSM layer's), so two hosts in one process never mix their series.
    /// </summary>
    public MetricsCollector(IMeterFactory meterFactory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ServiceMetrics.ExportedMeters.Contains(instrument.Meter.Name)
                && (instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, meterFactory)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>Observes the gauges and renders every series.</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _series.GroupBy(s => s.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var instrument = group.Key;
            var name = Name(instrument);
            var kind = instrument switch
            {
                Histogram<double> or Histogram<long> or Histogram<int> => "histogram",
                Counter<long> or Counter<int> or Counter<double> => "counter",
                _ => "gauge",
            };
            if (kind == "counter")
            {
                name += "_total";
            }

            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {instrument.Description}\n# TYPE {name} {kind}\n");
            foreach (var ((_, labels), series) in group.OrderBy(s => s.Key.Labels, StringComparer.Ordinal))
            {
                lock (series)
                {
                    if (kind != "histogram")
                    {
                        text.Append(CultureInfo.InvariantCulture, $"{name}{Braces(labels)} {Format(series.Sum)}\n");
                        continue;
                    }

                    long cumulative = 0;
                    for (var b = 0; b < Bounds.Length; b++)
                    {
                        cumulative += series.Buckets[b];
                        text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{Braces(Join(labels, $"le=\"{Format(Bounds[b])}\""))} {cumulative}\n");
                    }

                    text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{Braces(Join(labels, "le=\"+Inf\""))} {series.Count}\n");
                    text.Append(CultureInfo.InvariantCulture, $"{name}_sum{Braces(labels)} {Format(series.Sum)}\n");
                    text.Append(CultureInfo.InvariantCulture, $"{name}_count{Braces(labels)} {series.Count}\n");
                }
            }
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct, IConvertible
    {
        var labels = Labels(tags);
        var series = _series.GetOrAdd((instrument, labels), _ => new Series());
        var number = value.ToDouble(CultureInfo.InvariantCulture);
        lock (series)
        {
            switch (instrument)
            {
                case ObservableGauge<long> or ObservableGauge<int> or ObservableGauge<double>:
                    series.Sum = number;
                    break;
                case Histogram<double> or Histogram<long> or Histogram<int>:
                    series.Sum += number;
                    series.Count++;
                    var bucket = Array.FindIndex(Bounds, b => number <= b);
                    if (bucket >= 0)
                    {
                        series.Buckets[bucket]++;
                    }

                    break;
                default:
                    series.Sum += number;
                    break;
            }
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var pairs = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            var value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
            pairs.Add($"{Sanitize(tag.Key)}=\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(',', pairs);
    }

    private static string Name(Instrument instrument)
    {
        var name = Sanitize(instrument.Name);
        return instrument.Unit == "s" && !name.EndsWith("_seconds", StringComparison.Ordinal) ? name + "_seconds" : name;
    }

    private static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] != '_')
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

    private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class Series
    {
        public double Sum;
        public long Count;
        public long[] Buckets = new long[Bounds.Length];
    }
}
