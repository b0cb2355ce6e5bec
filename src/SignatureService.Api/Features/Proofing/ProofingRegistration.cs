using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Identity;

namespace SignatureService.Api.Features.Proofing;

/// <summary>Composition of the identity proofing feature.</summary>
internal static class ProofingRegistration
{
    public static IServiceCollection AddProofing(this IServiceCollection services)
    {
        services.AddOptions<ProofingOptions>().BindConfiguration(ProofingOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProofingOptions>, ProofingOptionsValidator>();
        services.AddSingleton<EvidenceNumberHasher>();
        services.AddSingleton<VerifyJpkiSignature>();
        services.AddScoped<ProofingApplications>();
        services.AddScoped<ProofingApplicationList>();
        services.AddScoped<SignerLifecycle>();
        services.AddScoped<PurgeProofingRecords>();
        services.AddScoped<IEnrollmentCompletion, SignerEnrollmentCompletion>();
        services.AddHostedService<ProofingRetention>();
        return services;
    }
}
