using SignatureService.Api.Hosting;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;
using SignatureService.Core.Errors;

namespace SignatureService.Api.Problems;

/// <summary>
/// The one place where exceptions become answers: expected failures keep their catalogue status; a lost dependency is a 503
/// with <c>Retry-After</c>; anything else is a generic 500 with a trace id and no stack trace.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (error, detail, fields) = Classify(exception);
        if (error == ErrorCatalogue.Internal)
        {
            LogUnexpected(logger, exception);
        }
        else if (error.Status == StatusCodes.Status503ServiceUnavailable)
        {
            LogDependency(logger, error.Code, exception.GetType().Name);
        }

        httpContext.Response.StatusCode = error.Status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = Problem.Details(error, detail, fields),
            Exception = exception,
        });
    }

    internal static (ErrorDescriptor Error, string? Detail, IReadOnlyDictionary<string, string[]>? Fields) Classify(Exception exception)
        => exception switch
        {
            ServiceException e => (e.Error, e.Detail, e.FieldErrors),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (ErrorCatalogue.PayloadTooLarge, null, null),
            BadHttpRequestException => (ErrorCatalogue.MalformedBody, null, null),
            Hsm.HsmUnavailableException => (ErrorCatalogue.HsmUnavailable, null, null),
            _ when IsDatabaseUnavailable(exception) => (ErrorCatalogue.DatabaseUnavailable, null, null),
            _ => (ErrorCatalogue.Internal, null, null),
        };

    /// <summary>
    /// True when the database cannot be reached or is going away (a transient Npgsql error), also when EF Core or the
    /// authentication handler wrapped it (<see cref="Exception.InnerException"/> chain, at most 8 deep).
    /// </summary>
    internal static bool IsDatabaseUnavailable(Exception exception) =>
        exception.Contains(e => e is NpgsqlException { IsTransient: true });

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "Unhandled exception")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Dependency unavailable ({Code}): {ExceptionType}")]
    private static partial void LogDependency(ILogger logger, string code, string exceptionType);
}
