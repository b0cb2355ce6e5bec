using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using SignatureService.Core.Errors;

namespace SignatureService.Api.Problems;

/// <summary>Builds RFC 9457 problem+json answers from the error catalogue: every one carries <c>code</c> and <c>traceId</c>.</summary>
public static class Problem
{
    /// <summary>Seconds a client should wait before retrying after a 503 or 429.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary><c>HttpContext.Items</c> key for a specific <c>Retry-After</c> (seconds, int) that survives the exception handler.</summary>
    public const string RetryAfterItem = "SignatureService.RetryAfterSeconds";

    /// <summary>The problem result for a catalogue entry, with optional safe detail and field errors.</summary>
    public static ProblemHttpResult For(
        ErrorDescriptor error, string? detail = null, IReadOnlyDictionary<string, string[]>? fieldErrors = null)
        => TypedResults.Problem(Details(error, detail, fieldErrors));

    /// <summary>The problem details object for a catalogue entry.</summary>
    public static ProblemDetails Details(
        ErrorDescriptor error, string? detail = null, IReadOnlyDictionary<string, string[]>? fieldErrors = null)
    {
        var problem = fieldErrors is { Count: > 0 }
            ? new HttpValidationProblemDetails(fieldErrors.ToDictionary(p => p.Key, p => p.Value))
            : new ProblemDetails();
        problem.Status = error.Status;
        problem.Title = error.Title;
        problem.Detail = detail;
        problem.Type = $"https://signature-service.invalid/errors/{error.Code}";
        problem.Extensions["code"] = error.Code;
        return problem;
    }

    /// <summary>Adds <c>traceId</c>, and a <c>code</c> for problems produced by the framework itself (404, 405, 401...).</summary>
    internal static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        if (!problem.Extensions.ContainsKey("code"))
        {
            var error = problem.Status switch
            {
                StatusCodes.Status400BadRequest => ErrorCatalogue.MalformedBody,
                StatusCodes.Status401Unauthorized => ErrorCatalogue.Unauthenticated,
                StatusCodes.Status403Forbidden => ErrorCatalogue.Forbidden,
                StatusCodes.Status404NotFound => ErrorCatalogue.NotFound,
                StatusCodes.Status405MethodNotAllowed => ErrorCatalogue.MethodNotAllowed,
                StatusCodes.Status413PayloadTooLarge => ErrorCatalogue.PayloadTooLarge,
                StatusCodes.Status415UnsupportedMediaType => ErrorCatalogue.UnsupportedMediaType,
                StatusCodes.Status429TooManyRequests => ErrorCatalogue.RateLimited,
                _ => ErrorCatalogue.Internal,
            };
            problem.Extensions["code"] = error.Code;
            problem.Title = error.Title;
            problem.Type = $"https://signature-service.invalid/errors/{error.Code}";
        }

        if (problem.Status is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests
            && !context.HttpContext.Response.Headers.ContainsKey("Retry-After"))
        {
            var seconds = context.HttpContext.Items.TryGetValue(RetryAfterItem, out var value) && value is int wait ? wait : RetryAfterSeconds;
            context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
