using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using SignatureService.Core.Errors;

namespace SignatureService.Api.Features.Telemetry;

/// <summary>The local metrics endpoint: <c>GET /metrics</c> in the Prometheus text format.</summary>
internal static class TelemetryEndpoints
{
    public const string MetricsPath = "/metrics";

    public static IEndpointRouteBuilder MapTelemetryEndpoints(this IEndpointRouteBuilder app)
    {
        // Note: anonymous but loopback only: a sidecar or `kubectl port-forward` reads it; the cluster gets metrics by OTLP.
        // Metrics carry no personal data, but route and client counts are still nobody else's business.
        _ = app.ServiceProvider.GetRequiredService<MetricsCollector>();
        app.MapGet(MetricsPath, ReadMetrics)
            .AllowAnonymous()
            .ExcludeFromDescription()
            .WithName("ReadMetrics");
        return app;
    }

    internal static ContentHttpResult ReadMetrics(HttpContext context, MetricsCollector collector)
    {
        if (context.Connection.RemoteIpAddress is not { } address || !IPAddress.IsLoopback(address))
        {
            throw new ServiceException(ErrorCatalogue.Forbidden, "Metrics are served to loopback callers only.");
        }

        return TypedResults.Text(collector.Render(), "text/plain; version=0.0.4; charset=utf-8");
    }
}
