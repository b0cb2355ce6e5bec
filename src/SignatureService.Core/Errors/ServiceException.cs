namespace SignatureService.Core.Errors;

/// <summary>
/// An expected failure that ends the current request with the given catalogue entry. Thrown by workflows where unwinding
/// is simpler than threading a result through; the API turns it into problem+json in one place.
/// </summary>
public sealed class ServiceException : Exception
{
    /// <summary>Creates the exception for <paramref name="error"/> with an optional detail safe to show to the caller.</summary>
    public ServiceException(ErrorDescriptor error, string? detail = null, IReadOnlyDictionary<string, string[]>? fieldErrors = null)
        : base(detail ?? error.Title)
    {
        Error = error;
        Detail = detail;
        FieldErrors = fieldErrors;
    }

    /// <summary>The catalogue entry.</summary>
    public ErrorDescriptor Error { get; }

    /// <summary>Detail for the caller: never secrets, documents or personal data.</summary>
    public string? Detail { get; }

    /// <summary>Field path → messages, for validation failures.</summary>
    public IReadOnlyDictionary<string, string[]>? FieldErrors { get; }
}
