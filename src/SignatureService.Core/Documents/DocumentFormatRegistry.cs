using System.Collections.Frozen;
using SignatureService.Core.Documents.DeathCertificates;
using SignatureService.Core.Documents.Dispensing;
using SignatureService.Core.Documents.Prescriptions;

namespace SignatureService.Core.Documents;

/// <summary>The document formats keyed by document type. Immutable and thread-safe.</summary>
public sealed class DocumentFormatRegistry
{
    private readonly FrozenDictionary<DocumentType, IDocumentFormat> _formats;

    /// <summary>Creates a registry; each document type may appear once.</summary>
    /// <exception cref="ArgumentException">Two formats claim the same document type.</exception>
    public DocumentFormatRegistry(IEnumerable<IDocumentFormat> formats)
    {
        ArgumentNullException.ThrowIfNull(formats);
        var map = new Dictionary<DocumentType, IDocumentFormat>();
        foreach (var format in formats)
        {
            if (!map.TryAdd(format.Type, format))
            {
                throw new ArgumentException($"Two formats are registered for {format.Type}.", nameof(formats));
            }
        }

        _formats = map.ToFrozenDictionary();
    }

    /// <summary>The registered document types.</summary>
    public IEnumerable<DocumentType> Types => _formats.Keys;

    /// <summary>A registry with the built-in formats (four XML forms and PDF attachments).</summary>
    /// <param name="timeProvider">Clock used to refuse death certificates dated in the future.</param>
    public static DocumentFormatRegistry CreateDefault(TimeProvider timeProvider) => new(
    [
        new PrescriptionFormat(),
        new DispensingRecordFormat(),
        new DeathCertificateFormat(DocumentType.DeathCertificate, timeProvider),
        new DeathCertificateFormat(DocumentType.PostmortemCertificate, timeProvider),
        new Attachments.AttachmentFormat(),
    ]);

    /// <summary>Returns the format of a registered type.</summary>
    /// <exception cref="KeyNotFoundException">No format is registered for <paramref name="type"/> (a configuration error).</exception>
    public IDocumentFormat Get(DocumentType type) =>
        _formats.TryGetValue(type, out var format) ? format : throw new KeyNotFoundException($"No format is registered for {type}.");

    /// <summary>Validates a document whose type is given by its wire name (see <see cref="DocumentTypeNames"/>).</summary>
    /// <exception cref="DocumentValidationException">Unknown type (<c>document.unknown-type</c>) or any validation error.</exception>
    public ValidatedDocument Validate(string documentType, ReadOnlySpan<byte> content, string mediaType)
    {
        if (!DocumentTypeNames.TryParse(documentType, out var type) || !_formats.TryGetValue(type, out var format))
        {
            throw new DocumentValidationException(DocumentErrors.UnknownType, "documentType");
        }

        return format.Validate(content, mediaType);
    }
}
