using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SignatureService.Data.Users;

namespace SignatureService.Api.Features.Identity;

/// <summary>Service registration of the identity feature: settings, relying party, session scheme, role policies.</summary>
internal static class IdentityRegistration
{
    public static void AddIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WebAuthnSettings>().BindConfiguration(WebAuthnSettings.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebAuthnSettings>, WebAuthnSettingsValidator>();
        services.AddOptions<SessionSettings>().BindConfiguration(SessionSettings.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SessionSettings>, SessionSettingsValidator>();
        services.AddSingleton(sp => RelyingParty.Load(
            sp.GetRequiredService<IOptions<WebAuthnSettings>>().Value, sp.GetRequiredService<TimeProvider>().GetUtcNow(),
            sp.GetRequiredService<IHostEnvironment>().IsDevelopment()));
        services.AddHostedService<BrowserEmulatorWarning>();
        services.AddSingleton<FailureThrottle>();
        services.AddScoped<CeremonyChallenges>();
        services.AddScoped<EnrollmentCodes>();
        services.AddScoped<IdentityCeremonies>();
        services.AddScoped<OperatorEnrollment>();

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        var authorization = services.AddAuthorizationBuilder()
            .AddPolicy(IdentityPolicies.Aal3, policy => policy
                .AddAuthenticationSchemes(SessionAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireClaim(SessionClaims.Acr, SessionClaims.Aal3));
        foreach (var role in UserRoles.All)
        {
            authorization.AddPolicy(role, policy => policy
                .AddAuthenticationSchemes(SessionAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireClaim(SessionClaims.Acr, SessionClaims.Aal3)
                .RequireRole(role));
        }
    }
}
