using Microsoft.Extensions.Options;
using SignatureService.Data.Audit;

namespace SignatureService.Api.Features.Audit;

/// <summary>Service registration of the tamper-evident audit trail: the sealer, its background runner and the verifier.</summary>
internal static class AuditRegistration
{
    public static IServiceCollection AddAuditChain(this IServiceCollection services)
    {
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>();
        services.AddSingleton<AuditChainSealer>();
        services.AddSingleton<AuditChainVerifier>();
        services.AddSingleton<AuditEventBrowser>();
        services.AddHostedService<AuditSealing>();
        return services;
    }
}
