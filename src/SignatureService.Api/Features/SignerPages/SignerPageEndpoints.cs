using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using SignatureService.Api.Features.ApiDescription;
using SignatureService.Api.Features.Identity;
using SignatureService.Core.Errors;

namespace SignatureService.Api.Features.SignerPages;

/// <summary>
/// What the signer's pages read: the caller's own signature requests (queue and history), one request with its documents'
/// display models, the exact submitted bytes and the signed result. Signer role at AAL3; another signer's request is a 404.
/// </summary>
internal static class SignerPageEndpoints
{
    public static IEndpointRouteBuilder MapSignerPageEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/me/signature-requests").WithTags("Signer")
            .RequireAuthorization(IdentityPolicies.Signer, IdentityPolicies.Aal3);
        group.MapGet("/", ListAsync)
            .WithSummary("The caller's signature requests, newest first: filters status, type (a document type they contain), client (client id); "
                         + "limit 1–100 (default 50) and cursor for paging.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403)
            .ProducesErrors(ErrorCatalogue.ValidationFailed);
        group.MapGet("/{id:guid}", GetAsync)
            .WithSummary("One of the caller's requests with each document's display model (rendered from the stored bytes).")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404)
            .ProducesErrors(ErrorCatalogue.NotFound);
        group.MapGet("/{id:guid}/documents/{index:int}", GetDocumentAsync)
            .WithSummary("The exact bytes submitted for signature: what the approval's digest covers.")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404)
            .ProducesErrors(ErrorCatalogue.NotFound);
        group.MapGet("/{id:guid}/documents/{index:int}/signed", GetSignedDocumentAsync)
            .WithSummary("The signed document (XAdES XML, or CMS for attachments) once signed.")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
            .ProducesErrors(ErrorCatalogue.NotFound, ErrorCatalogue.StateConflict);
        return app;
    }

    private static async Task<Ok<SignerRequestPage>> ListAsync(
        HttpContext context, SignerRequestQueries queries, string? status, string? type, string? client, int? limit, string? cursor,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListAsync(UserId(context.User), status, type, client, limit ?? 50, cursor, cancellationToken));

    private static async Task<Results<Ok<SignerRequestView>, ProblemHttpResult>> GetAsync(
        Guid id, HttpContext context, SignerRequestQueries queries, CancellationToken cancellationToken)
    {
        var view = await queries.FindAsync(UserId(context.User), id, cancellationToken);
        return view is null ? Problems.Problem.For(ErrorCatalogue.NotFound) : TypedResults.Ok(view);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetDocumentAsync(
        Guid id, int index, HttpContext context, SignerRequestQueries queries, CancellationToken cancellationToken)
    {
        var found = await queries.FindDocumentAsync(UserId(context.User), id, index, cancellationToken);
        if (found is not { } pair)
        {
            return Problems.Problem.For(ErrorCatalogue.NotFound);
        }

        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(pair.Document.Content, pair.Document.MediaType, FileName(pair.Document.DocumentType, index, pair.Document.MediaType));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetSignedDocumentAsync(
        Guid id, int index, HttpContext context, SignerRequestQueries queries, CancellationToken cancellationToken)
    {
        var found = await queries.FindDocumentAsync(UserId(context.User), id, index, cancellationToken);
        if (found is not { } pair)
        {
            return Problems.Problem.For(ErrorCatalogue.NotFound);
        }

        if (pair.Document.SignedContent is null)
        {
            return Problems.Problem.For(ErrorCatalogue.StateConflict, $"The request is {pair.Request.Status}; the document is not signed yet.");
        }

        var cms = pair.Document.SignatureLevel == Signing.SignatureLevels.CadesBT;
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(pair.Document.SignedContent, cms ? "application/pkcs7-signature" : "application/xml",
            $"{pair.Document.DocumentType}-{index}-signed{(cms ? ".p7s" : ".xml")}");
    }

    private static string FileName(string type, int index, string mediaType) =>
        $"{type}-{index}{mediaType switch { "application/json" => ".json", "application/pdf" => ".pdf", _ => ".xml" }}";

    private static Guid UserId(ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(SessionClaims.UserId)!, CultureInfo.InvariantCulture);
}

/// <summary>Registration of the signer pages' read side.</summary>
internal static class SignerPageRegistration
{
    public static IServiceCollection AddSignerPages(this IServiceCollection services) => services.AddScoped<SignerRequestQueries>();
}
