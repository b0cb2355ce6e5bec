using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using SignatureService.Api.Features.Identity;
using SignatureService.Core.Errors;

namespace SignatureService.Api.Features.Verification;

/// <summary>Body of <c>POST /v1/verifications</c> for a detached CAdES signature.</summary>
/// <param name="Signature">The DER CMS SignedData, base64.</param>
/// <param name="Content">The signed bytes (e.g. the PDF), base64; at most 4 MiB decoded.</param>
public sealed record CadesVerificationRequest(string? Signature, string? Content);

internal static class VerificationEndpoints
{
    public static IEndpointRouteBuilder MapVerificationEndpoints(this IEndpointRouteBuilder app)
    {
        // Note: anonymous by design: relying parties (pharmacies, city offices) verify without an account.
        app.MapPost("/v1/verifications", VerifyAsync).AllowAnonymous().WithTags("Verification")
            .WithSummary("Verify a signed document (application/xml, at most 4 MiB), or a detached CAdES signature with its content as " +
                          "application/json {\"signature\": base64 CMS, \"content\": base64 bytes}: one result per check and signature.")
            .Accepts<byte[]>("application/xml", "application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    private static async Task<Results<Ok<VerificationReport>, ProblemHttpResult>> VerifyAsync(
        HttpContext context, VerifySignedDocument verify, CancellationToken cancellationToken)
    {
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
        if (mediaType is not ("application/xml" or "text/xml" or "application/json"))
        {
            return Problems.Problem.For(ErrorCatalogue.UnsupportedMediaType, "Send the signed document as application/xml, or a CAdES signature as application/json.");
        }

        if (mediaType == "application/json")
        {
            // Note: base64 of the 4 MiB limit for each of signature and content, plus room for the JSON around them.
            var pair = await JsonBody.ReadAsync<CadesVerificationRequest>(context, (VerifySignedDocument.MaxBytes / 3 * 4 * 2) + 1024);
            byte[] cms, content;
            try
            {
                cms = Convert.FromBase64String(pair.Signature ?? "");
                content = Convert.FromBase64String(pair.Content ?? "");
            }
            catch (FormatException)
            {
                return Problems.Problem.For(ErrorCatalogue.ValidationFailed, "signature and content must be base64.");
            }

            if (cms.Length == 0 || content.Length == 0)
            {
                return Problems.Problem.For(ErrorCatalogue.ValidationFailed, "signature and content are required.");
            }

            var cades = await verify.VerifyCadesAsync(cms, content, cancellationToken);
            return cades is { ErrorCode: { } cadesCode, Signatures.Count: 0 }
                ? Problems.Problem.For(new ErrorDescriptor(cadesCode, StatusCodes.Status400BadRequest, "The signature could not be read as CMS."))
                : TypedResults.Ok(cades);
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
