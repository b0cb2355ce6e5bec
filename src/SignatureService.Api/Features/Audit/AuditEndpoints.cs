using Microsoft.AspNetCore.Http.HttpResults;
using SignatureService.Data.Audit;

namespace SignatureService.Api.Features.Audit;

/// <summary>
/// The auditor's endpoints: <c>GET /v1/audit/verification</c> recomputes the chain and checkpoints (as <c>audit verify</c>);
/// <c>GET /v1/audit/events</c> browses the trail (<see cref="AuditEventEndpoints"/>).
/// </summary>
internal static class AuditEndpoints
{
    /// <summary>The policy name the identity feature registers for role <c>auditor</c>.</summary>
    public const string AuditorPolicy = "auditor";

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/audit").WithTags("Audit").RequireAuthorization(AuditorPolicy);
        group.MapGet("/verification", VerifyAsync)
            .WithName("VerifyAuditTrail")
            .WithSummary("Recomputes the audit hash chain and its signed checkpoints; names the first broken or missing event.");
        group.MapAuditEventEndpoints();
        return app;
    }

    internal static async Task<Ok<AuditVerificationReport>> VerifyAsync(AuditChainVerifier verifier, CancellationToken cancellationToken) =>
        TypedResults.Ok(await verifier.VerifyAsync(cancellationToken));
}
