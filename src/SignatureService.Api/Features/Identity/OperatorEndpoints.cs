using SignatureService.Core.Errors;
using SignatureService.Api.Features.ApiDescription;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using SignatureService.Data.Audit;

namespace SignatureService.Api.Features.Identity;

/// <summary>Body of <c>POST /v1/operators</c>: the new operator's display name and roles (ra-operator, ca-operator, auditor).</summary>
public sealed record InviteOperator(string Name, IReadOnlyList<string> Roles);

/// <summary>The new operator's enrollment: the code is shown this once and stored only as a hash.</summary>
public sealed record OperatorInvitation(Guid UserId, Guid EnrollmentId, string EnrollmentCode, DateTimeOffset ExpiresAt);

/// <summary>
/// A CA operator enrols further operators (the first one comes from the <c>operator create</c> verb on the server): the new
/// operator is pending until they register a security key with the one-time code, handed over out of band.
/// </summary>
internal static class OperatorEndpoints
{
    private const int MaxBodyBytes = 4 * 1024;

    public static IEndpointRouteBuilder MapOperatorEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/operators", InviteAsync).RequireAuthorization(IdentityPolicies.CaOperator).WithTags("Identity")
            .WithSummary("Create a pending operator and its one-time enrollment code (CA operators only; X-CSRF-Token required).")
            .Accepts<InviteOperator>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesErrors(ErrorCatalogue.ValidationFailed);
        return app;
    }

    private static async Task<Created<OperatorInvitation>> InviteAsync(
        HttpContext context, OperatorEnrollment enrollment, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<InviteOperator>(context, MaxBodyBytes);
        var actor = new AuditActor("operator", context.User.FindFirstValue(SessionClaims.UserId)!);
        var (userId, issued) = await enrollment.CreateAsync(body.Name ?? "", body.Roles ?? [], actor, cancellationToken);
        return TypedResults.Created($"/v1/operators/{userId}",
            new OperatorInvitation(userId, issued.EnrollmentId, EnrollmentCodes.Format(issued.Code), issued.ExpiresAt));
    }
}
