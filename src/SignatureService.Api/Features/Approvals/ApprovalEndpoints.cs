using SignatureService.Api.Features.ApiDescription;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using SignatureService.Api.Features.Identity;
using SignatureService.Core.Errors;
using SignatureService.Data.Users;

namespace SignatureService.Api.Features.Approvals;

/// <summary>Signature approval on the signer's security key (Signature Activation Data), rejection, and the activation evidence.</summary>
internal static class ApprovalEndpoints
{
    public static IEndpointRouteBuilder MapApprovalEndpoints(this IEndpointRouteBuilder app)
    {
        var approvals = app.MapGroup("/v1/approvals").WithTags("Approvals");
        approvals.MapPost("/", CreateAsync).RequireAuthorization(IdentityPolicies.Signer, IdentityPolicies.Aal3)
            .Accepts<CreateApprovalRequest>("application/json")
            .WithSummary("Starts approving 1–100 of the caller's pending requests (at most 100 documents): stores the approval transaction and "
                         + "returns navigator.credentials.get() options whose challenge is SHA-256 of its canonical encoding, and a summary to show. Needs X-CSRF-Token.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.ApprovalBatchTooLarge, ErrorCatalogue.ApprovalRequestUnknown,
                ErrorCatalogue.ApprovalRequestNotPending, ErrorCatalogue.SignerWithoutValidCertificate, ErrorCatalogue.SignerRoleNotPermitted);
        approvals.MapPost("/{id:guid}/assertion", AssertAsync).RequireAuthorization(IdentityPolicies.Signer, IdentityPolicies.Aal3)
            .Accepts<ApprovalAssertionRequest>("application/json")
            .WithSummary("Completes an approval with the signer's assertion: verified, the transaction consumed, every document digest and the signer's "
                         + "qualification re-checked, the requests approved and queued for signing, all in one transaction. Needs X-CSRF-Token.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415)
            .ProducesErrors([.. ErrorGroups.WebAuthnAssertion, ErrorCatalogue.NotFound, ErrorCatalogue.ApprovalConsumed,
                ErrorCatalogue.ApprovalExpired, ErrorCatalogue.ApprovalDocumentChanged, ErrorCatalogue.ApprovalCredentialNotAllowed,
                ErrorCatalogue.ApprovalRequestNotPending, ErrorCatalogue.SignerWithoutValidCertificate, ErrorCatalogue.SignerRoleNotPermitted,
                ErrorCatalogue.StateConflict]);
        approvals.MapGet("/{id:guid}", GetAsync).RequireAuthorization(ApprovalPolicies.SignerOrAuditor)
            .WithSummary("An approval transaction with its activation evidence (the assertion): its signer or an auditor.")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404)
            .ProducesErrors(ErrorCatalogue.NotFound);

        var requests = app.MapGroup("/v1/signature-requests").WithTags("Approvals");
        requests.MapGet("/{id:guid}/approval", GetByRequestAsync).RequireAuthorization(ApprovalPolicies.SignerOrAuditor)
            .WithSummary("The approval (with activation evidence) that approved a request: its signer or an auditor.")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404)
            .ProducesErrors(ErrorCatalogue.NotFound);
        requests.MapPost("/{id:guid}/rejection", RejectAsync).RequireAuthorization(IdentityPolicies.Signer, IdentityPolicies.Aal3)
            .Accepts<RejectSignatureRequestBody>("application/json")
            .WithSummary("The signer refuses a pending request (optional reason ≤ 500 characters, sent to the EHR). Needs X-CSRF-Token.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.NotFound, ErrorCatalogue.StateConflict);
        return app;
    }

    private static async Task<Ok<ApprovalOptionsResponse>> CreateAsync(
        HttpContext context, IssueApprovalTransaction issue, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CreateApprovalRequest>(context, IssueApprovalTransaction.MaxBodyBytes);
        return TypedResults.Ok(await issue.IssueAsync(UserId(context.User), body.RequestIds, cancellationToken));
    }

    private static async Task<Ok<ApprovalResult>> AssertAsync(
        Guid id, HttpContext context, ApproveSignatureRequests approve, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<ApprovalAssertionRequest>(context, ApproveSignatureRequests.MaxBodyBytes);
        return TypedResults.Ok(await approve.ApproveAsync(UserId(context.User), id, ApprovalJson.Require(body), cancellationToken));
    }

    private static async Task<Results<Ok<ApprovalView>, ProblemHttpResult>> GetAsync(
        Guid id, HttpContext context, ApprovalQueries queries, CancellationToken cancellationToken)
    {
        var view = await queries.FindAsync(id, UserId(context.User), context.User.IsInRole(UserRoles.Auditor), cancellationToken);
        return view is null ? Problems.Problem.For(ErrorCatalogue.NotFound) : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<ApprovalView>, ProblemHttpResult>> GetByRequestAsync(
        Guid id, HttpContext context, ApprovalQueries queries, CancellationToken cancellationToken)
    {
        var view = await queries.FindByRequestAsync(id, UserId(context.User), context.User.IsInRole(UserRoles.Auditor), cancellationToken);
        return view is null ? Problems.Problem.For(ErrorCatalogue.NotFound) : TypedResults.Ok(view);
    }

    private static async Task<Ok<RejectionResult>> RejectAsync(
        Guid id, HttpContext context, RejectSignatureRequest reject, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<RejectSignatureRequestBody>(context, RejectSignatureRequest.MaxBodyBytes);
        return TypedResults.Ok(await reject.RejectAsync(UserId(context.User), id, body.Reason, cancellationToken));
    }

    private static Guid UserId(ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(SessionClaims.UserId)!, CultureInfo.InvariantCulture);
}
