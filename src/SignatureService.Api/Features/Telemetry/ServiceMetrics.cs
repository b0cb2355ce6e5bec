using System.Diagnostics.Metrics;

namespace SignatureService.Api.Features.Telemetry;

/// <summary>
/// The service's own instruments (meter <see cref="MeterName"/>); features record into them. Request rates and latencies come
/// from ASP.NET Core's built-in <c>http.server.request.duration</c>; HSM latency and errors from <c>SignatureService.Hsm</c>.
/// Thread-safe singleton.
/// </summary>
public sealed class ServiceMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "SignatureService";

    /// <summary>Every meter the service exports (OTLP) and serves on <c>/metrics</c>.</summary>
    public static readonly IReadOnlyList<string> ExportedMeters =
        [MeterName, SignatureService.Hsm.HsmMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.RateLimiting"];

    private readonly Counter<long> _signatures;
    private readonly Counter<long> _auditSealed;
    private long _queueDepth;
    private long _callbackBacklog;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public ServiceMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _signatures = meter.CreateCounter<long>("signsvc.signatures", "{signature}", "Documents signed, by document type (rate = signatures per second).");
        _auditSealed = meter.CreateCounter<long>("signsvc.audit.sealed", "{event}", "Audit events appended to the hash chain.");
        meter.CreateObservableGauge("signsvc.signing.queue.depth", () => Interlocked.Read(ref _queueDepth), "{request}",
            "Signature requests approved and waiting to be signed.");
        meter.CreateObservableGauge("signsvc.callbacks.backlog", () => Interlocked.Read(ref _callbackBacklog), "{callback}",
            "EHR callbacks waiting to be delivered.");
    }

    /// <summary>Counts one signed document of <paramref name="documentType"/> (a type name, never content).</summary>
    public void SignatureCreated(string documentType) =>
        _signatures.Add(1, new KeyValuePair<string, object?>("document_type", documentType));

    /// <summary>Counts audit events sealed into the chain.</summary>
    public void AuditSealed(int count) => _auditSealed.Add(count);

    /// <summary>Sets the signing queue depth last observed (≥ 0).</summary>
    public void SetSigningQueueDepth(long depth) => Interlocked.Exchange(ref _queueDepth, Math.Max(0, depth));

    /// <summary>Sets the callback backlog last observed (≥ 0).</summary>
    public void SetCallbackBacklog(long backlog) => Interlocked.Exchange(ref _callbackBacklog, Math.Max(0, backlog));
}
