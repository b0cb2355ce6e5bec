namespace SignatureService.Core.Errors;

/// <summary>
/// The single catalogue of errors the service answers with. A convention test checks every code is unique and well formed.
/// Feature areas add their entries here so that one error always has one status everywhere.
/// </summary>
public static class ErrorCatalogue
{
    /// <summary>The request body or parameters failed validation; <c>errors</c> names the fields.</summary>
    public static readonly ErrorDescriptor ValidationFailed = new("request.validation-failed", 400, "The request is not valid.");

    /// <summary>The body is not well-formed JSON or has the wrong shape.</summary>
    public static readonly ErrorDescriptor MalformedBody = new("request.malformed-body", 400, "The request body could not be read.");

    /// <summary>The HTTP method is not supported at this address.</summary>
    public static readonly ErrorDescriptor MethodNotAllowed = new("request.method-not-allowed", 405, "The method is not allowed here.");

    /// <summary>The body's media type is not one this endpoint reads.</summary>
    public static readonly ErrorDescriptor UnsupportedMediaType = new("request.unsupported-media-type", 415, "The media type is not supported.");

    /// <summary>The body exceeds the endpoint's size limit.</summary>
    public static readonly ErrorDescriptor PayloadTooLarge = new("request.payload-too-large", 413, "The request body is too large.");

    /// <summary>No credentials, or credentials that could not be verified.</summary>
    public static readonly ErrorDescriptor Unauthenticated = new("auth.unauthenticated", 401, "Authentication is required.");

    /// <summary>Authenticated, but this actor may not do this.</summary>
    public static readonly ErrorDescriptor Forbidden = new("auth.forbidden", 403, "You are not allowed to do this.");

    /// <summary>No resource at this address (or not one this actor may know of).</summary>
    public static readonly ErrorDescriptor NotFound = new("resource.not-found", 404, "The resource was not found.");

    /// <summary>Too many requests from this client or user; <c>Retry-After</c> says when to try again.</summary>
    public static readonly ErrorDescriptor RateLimited = new("request.rate-limited", 429, "Too many requests.");

    /// <summary>The HSM cannot be reached or refused the session; <c>Retry-After</c> is set.</summary>
    public static readonly ErrorDescriptor HsmUnavailable = new("dependency.hsm-unavailable", 503, "The HSM is unavailable.");

    /// <summary>The database cannot be reached; <c>Retry-After</c> is set.</summary>
    public static readonly ErrorDescriptor DatabaseUnavailable = new("dependency.database-unavailable", 503, "The database is unavailable.");

    /// <summary>An unexpected failure; the <c>traceId</c> finds it in the logs.</summary>
    public static readonly ErrorDescriptor Internal = new("server.internal-error", 500, "An unexpected error occurred.");

    /// <summary>Every descriptor declared on this class (for convention tests and the published API description).</summary>
    public static IReadOnlyList<ErrorDescriptor> All { get; } = typeof(ErrorCatalogue)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(ErrorDescriptor))
        .Select(f => (ErrorDescriptor)f.GetValue(null)!)
        .ToArray();
}
