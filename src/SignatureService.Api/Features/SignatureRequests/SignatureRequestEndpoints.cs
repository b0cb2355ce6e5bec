using SignatureService.Api.Features.ApiDescription;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SignatureService.Api.Features.Clients;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Signing;

namespace SignatureService.Api.Features.SignatureRequests;

internal static class SignatureRequestEndpoints
{
    public static IEndpointRouteBuilder MapSignatureRequestEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/signature-requests").WithTags("Signature requests").RequireAuthorization(ClientEndpoints.ClientPolicy);
        group.MapPost("/", CreateAsync)
            .WithSummary("Submit 1–100 documents for a named signer's approval. Idempotency-Key: same key and body give the same answer.")
            .Accepts<CreateSignatureRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.SignerNotFound, ErrorCatalogue.SignerWithoutValidCertificate,
                ErrorCatalogue.SignerRoleNotPermitted, ErrorCatalogue.CallbackNotAllowed, ErrorCatalogue.IdempotencyKeyReused);
        group.MapGet("/", ListAsync).WithSummary("The client's requests, newest first, with optional status and signer filters.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesErrors(ErrorCatalogue.ValidationFailed);
        group.MapGet("/{id:guid}", GetAsync).WithSummary("One of the client's requests.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:guid}/cancel", CancelAsync).WithSummary("Withdraw a request that is still pending approval.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{id:guid}/documents/{index:int}", GetDocumentAsync)
            .WithSummary("The exact bytes submitted for signature (after validation).").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:guid}/documents/{index:int}/signed", GetSignedDocumentAsync)
            .WithSummary("The signed document (XAdES at the request's level, whole XML; CMS for attachments), once the request is signed.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id:guid}/documents/{index:int}/upgrade", UpgradeAsync)
            .Accepts<UpgradeSignedDocumentRequest>("application/json")
            .WithSummary("Upgrade the stored signature to ES-XL or ES-A (idempotent; the replaced bytes are kept with their level).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.NotFound, ErrorCatalogue.StateConflict,
                ErrorCatalogue.SignatureLevelNotUpgradable, ErrorCatalogue.HsmUnavailable);
        return app;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetSignedDocumentAsync(
        HttpContext context, Guid id, int index, SignatureRequestWorkflows workflows, SignatureServiceDbContext db, CancellationToken cancellationToken)
    {
        var (clientRowId, _) = await ClientAsync(context, db, cancellationToken);
        var request = await workflows.FindAsync(clientRowId, id, cancellationToken);
        var document = request?.Documents.SingleOrDefault(d => d.Ordinal == index);
        if (document is null)
        {
            return Problems.Problem.For(ErrorCatalogue.NotFound);
        }

        return document.SignedContent is null
            ? Problems.Problem.For(ErrorCatalogue.StateConflict, $"The request is {request!.Status}; the document is not signed yet.")
            : TypedResults.File(document.SignedContent,
                document.SignatureLevel == Signing.SignatureLevels.CadesBT ? "application/pkcs7-signature" : "application/xml");
    }

    private static async Task<Ok<UpgradedSignedDocument>> UpgradeAsync(
        HttpContext context, Guid id, int index, Signing.UpgradeSignedDocument upgrade, SignatureServiceDbContext db, CancellationToken cancellationToken)
    {
        var (clientRowId, clientId) = await ClientAsync(context, db, cancellationToken);
        var body = await Identity.JsonBody.ReadAsync<UpgradeSignedDocumentRequest>(context, 1024);
        return TypedResults.Ok(await upgrade.UpgradeAsync(clientRowId, clientId, id, index, body.TargetLevel, cancellationToken));
    }

    private static async Task<Results<Created<SignatureRequestView>, ProblemHttpResult>> CreateAsync(
        HttpContext context, SignatureRequestWorkflows workflows, SignatureServiceDbContext db, CancellationToken cancellationToken)
    {
        var (clientRowId, clientId) = await ClientAsync(context, db, cancellationToken);
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = SignatureRequestLimits.MaxBodyBytes;
        }

        if (context.Request.ContentLength > SignatureRequestLimits.MaxBodyBytes)
        {
            return Problems.Problem.For(ErrorCatalogue.PayloadTooLarge);
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, cancellationToken);
        var created = await workflows.CreateAsync(
            clientRowId, clientId, buffer.GetBuffer().AsMemory(0, (int)buffer.Length),
            context.Request.Headers["Idempotency-Key"].FirstOrDefault(), cancellationToken);
        if (created.Replayed)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }

        return TypedResults.Created($"/v1/signature-requests/{created.Request.Id}", View(created.Request));
    }

    private static async Task<Ok<SignatureRequestPage>> ListAsync(
        HttpContext context, SignatureRequestWorkflows workflows, SignatureServiceDbContext db,
        string? status, Guid? signerId, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var (clientRowId, _) = await ClientAsync(context, db, cancellationToken);
        var (items, next) = await workflows.ListAsync(clientRowId, status, signerId, limit ?? 50, cursor, cancellationToken);
        return TypedResults.Ok(new SignatureRequestPage(items.Select(View).ToList(), next));
    }

    private static async Task<Results<Ok<SignatureRequestView>, ProblemHttpResult>> GetAsync(
        HttpContext context, Guid id, SignatureRequestWorkflows workflows, SignatureServiceDbContext db, CancellationToken cancellationToken)
    {
        var (clientRowId, _) = await ClientAsync(context, db, cancellationToken);
        var request = await workflows.FindAsync(clientRowId, id, cancellationToken);
        return request is null ? Problems.Problem.For(ErrorCatalogue.NotFound) : TypedResults.Ok(View(request));
    }

    private static async Task<Ok<SignatureRequestView>> CancelAsync(
        HttpContext context, Guid id, CancelSignatureRequest? body, SignatureRequestWorkflows workflows, SignatureServiceDbContext db,
        CancellationToken cancellationToken)
    {
        var (clientRowId, clientId) = await ClientAsync(context, db, cancellationToken);
        return TypedResults.Ok(View(await workflows.CancelAsync(clientRowId, clientId, id, body?.Reason, cancellationToken)));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetDocumentAsync(
        HttpContext context, Guid id, int index, SignatureRequestWorkflows workflows, SignatureServiceDbContext db, CancellationToken cancellationToken)
    {
        var (clientRowId, _) = await ClientAsync(context, db, cancellationToken);
        var request = await workflows.FindAsync(clientRowId, id, cancellationToken);
        var document = request?.Documents.SingleOrDefault(d => d.Ordinal == index);
        return document is null ? Problems.Problem.For(ErrorCatalogue.NotFound) : TypedResults.File(document.Content, document.MediaType);
    }

    private static async Task<(Guid RowId, string ClientId)> ClientAsync(HttpContext context, SignatureServiceDbContext db, CancellationToken cancellationToken)
    {
        var clientId = context.User.FindFirst(ClientJwtAuthenticationHandler.ClientIdClaim)!.Value;
        var rowId = await db.EhrClients.AsNoTracking().Where(c => c.ClientId == clientId).Select(c => c.Id).SingleAsync(cancellationToken);
        return (rowId, clientId);
    }

    internal static SignatureRequestView View(SignatureRequestRecord r) => new(
        r.Id, r.Status, r.SignerUserId, r.StatusReason, r.CallbackUrl, r.CreatedAt, r.UpdatedAt, r.ExpiresAt,
        r.Documents.OrderBy(d => d.Ordinal)
            .Select(d => new SignatureRequestDocumentView(d.Ordinal, d.DocumentType, d.DocumentId, Convert.ToHexStringLower(d.Sha256), d.Summary, d.SignedContent is not null,
                d.SignatureLevel))
            .ToList(),
        r.SignatureLevel);
}
