using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace SignatureService.Api.Features.Telemetry;

/// <summary>Telemetry settings (section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Telemetry";

    /// <summary>OTLP endpoint metrics are pushed to (e.g. <c>http://otel-collector:4317</c>); none when empty.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Export interval (1–300 s, default 15).</summary>
    public int ExportIntervalSeconds { get; set; } = 15;
}

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var failures = new List<string>();
        if (options.OtlpEndpoint is { } uri && (!uri.IsAbsoluteUri || uri.Scheme is not ("http" or "https")))
        {
            failures.Add("Telemetry:OtlpEndpoint must be an absolute http(s) URI.");
        }

        if (options.OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            failures.Add("Telemetry:OtlpProtocol must be grpc or http/protobuf.");
        }

        if (options.ExportIntervalSeconds is < 1 or > 300)
        {
            failures.Add("Telemetry:ExportIntervalSeconds must be between 1 and 300.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Pushes the exported meters by OTLP while the service runs, when <see cref="TelemetryOptions.OtlpEndpoint"/> is set.</summary>
internal sealed class OtlpExport(IOptions<TelemetryOptions> options) : IHostedService, IDisposable
{
    private MeterProvider? _provider;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.OtlpEndpoint is { } endpoint)
        {
            _provider = Sdk.CreateMeterProviderBuilder()
                .AddMeter([.. ServiceMetrics.ExportedMeters])
                .AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Endpoint = endpoint;
                    exporter.Protocol = settings.OtlpProtocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = settings.ExportIntervalSeconds * 1000;
                })
                .Build();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _provider?.ForceFlush(2000);
        return Task.CompletedTask;
    }

    public void Dispose() => _provider?.Dispose();
}
