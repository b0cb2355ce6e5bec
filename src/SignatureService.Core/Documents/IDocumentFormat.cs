namespace SignatureService.Core.Documents;

/// <summary>
/// Validates one document type and produces its canonical bytes and display model. Implementations are stateless and thread-safe.
/// </summary>
public interface IDocumentFormat
{
    /// <summary>The document type this format handles.</summary>
    DocumentType Type { get; }

    /// <summary>Media types accepted by <see cref="Validate"/> (without parameters), e.g. <c>application/xml</c>.</summary>
    IReadOnlyList<string> MediaTypes { get; }

    /// <summary>Validates untrusted content and returns the canonical document.</summary>
    /// <param name="content">The submitted bytes, at most <see cref="DocumentLimits.MaxDocumentBytes"/>.</param>
    /// <param name="mediaType">The submitted media type; a <c>charset</c> parameter, if any, must be <c>utf-8</c>.</param>
    /// <exception cref="DocumentValidationException">The document is refused; the exception's code says why.</exception>
    ValidatedDocument Validate(ReadOnlySpan<byte> content, string mediaType);
}
