using Microsoft.Extensions.Options;

namespace SignatureService.Api.Features.Pki;

/// <summary>Composition of the certificate authority feature.</summary>
internal static class PkiRegistration
{
    public static IServiceCollection AddPki(this IServiceCollection services)
    {
        services.AddOptions<PkiOptions>().BindConfiguration(PkiOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PkiOptions>, PkiOptionsValidator>();
        services.AddSingleton<CertificateAuthorities>();
        services.AddSingleton<CrlPublisher>();
        services.AddScoped<InitializeCertificateAuthority>();
        services.AddScoped<IssueSignerCertificate>();
        services.AddScoped<CertificateStatusChanges>();
        services.AddScoped<VerifySignerLicense>();
        services.AddScoped<ImportLicenseRegistry>();
        services.AddSingleton<CrlSchedule>();
        services.AddHostedService(sp => sp.GetRequiredService<CrlSchedule>());
        return services;
    }
}
