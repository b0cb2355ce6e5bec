using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using SignatureService.Core.Errors;

namespace SignatureService.Api.Features.Verification;

internal static class VerificationEndpoints
{
    public static IEndpointRouteBuilder MapVerificationEndpoints(this IEndpointRouteBuilder app)
    {
        // Note: anonymous by design: relying parties (pharmacies, city offices) verify without an account.
        app.MapPost("/v1/verifications", VerifyAsync).AllowAnonymous().WithTags("Verification")
            .WithSummary("Verify a signed document (application/xml, at most 4 MiB): one result per check and signature.")
            .Accepts<byte[]>("application/xml")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    private static async Task<Results<Ok<VerificationReport>, ProblemHttpResult>> VerifyAsync(
        HttpContext context, VerifySignedDocument verify, CancellationToken cancellationToken)
    {
        if (context.Request.ContentType?.Split(';')[0].Trim() is not ("application/xml" or "text/xml"))
        {
            return Problems.Problem.For(ErrorCatalogue.UnsupportedMediaType, "Send the signed document as application/xml.");
        }

        var size = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (size is { IsReadOnly: false })
        {
            size.MaxRequestBodySize = VerifySignedDocument.MaxBytes;
        }

        if (context.Request.ContentLength > VerifySignedDocument.MaxBytes)
        {
            return Problems.Problem.For(ErrorCatalogue.PayloadTooLarge);
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, cancellationToken);
        var report = await verify.VerifyAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
        // Note: a document with no readable signature is bad input, not a verification result.
        return report is { ErrorCode: { } code, Signatures.Count: 0 }
            ? Problems.Problem.For(new ErrorDescriptor(code, StatusCodes.Status400BadRequest, "The document could not be read as a signed document."))
            : TypedResults.Ok(report);
    }
}
