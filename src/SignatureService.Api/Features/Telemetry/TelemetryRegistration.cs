using Microsoft.Extensions.Options;

namespace SignatureService.Api.Features.Telemetry;

/// <summary>Registration of metrics: the instruments, the local collector and the OTLP export.</summary>
internal static class TelemetryRegistration
{
    public static IServiceCollection AddServiceTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<ServiceMetrics>();
        services.AddSingleton<MetricsCollector>();
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        services.AddHostedService<OtlpExport>();
        services.AddSingleton<BacklogSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<BacklogSampler>());
        return services;
    }
}
