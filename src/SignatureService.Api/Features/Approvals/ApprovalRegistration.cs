using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Features.Signing;
using SignatureService.Data.Users;

namespace SignatureService.Api.Features.Approvals;

/// <summary>Service registration of signature approval.</summary>
internal static class ApprovalRegistration
{
    public static IServiceCollection AddApprovals(this IServiceCollection services)
    {
        services.AddOptions<ApprovalOptions>().BindConfiguration(ApprovalOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApprovalOptions>, ApprovalOptionsValidator>();
        services.AddSingleton<SigningSignal>();
        // Note: the signing pipeline's level switch (ES-B for benchmarks only) is registered with the approval feature that brought it.
        services.AddOptions<SigningOptions>().BindConfiguration(SigningOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SigningOptions>, SigningOptionsValidator>();
        services.AddScoped<IssueApprovalTransaction>();
        services.AddScoped<ApproveSignatureRequests>();
        services.AddScoped<RejectSignatureRequest>();
        services.AddScoped<ApprovalQueries>();
        services.AddAuthorizationBuilder().AddPolicy(ApprovalPolicies.SignerOrAuditor, policy => policy
            .AddAuthenticationSchemes(SessionAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireClaim(SessionClaims.Acr, SessionClaims.Aal3)
            .RequireRole(UserRoles.Signer, UserRoles.Auditor));
        return services;
    }
}
