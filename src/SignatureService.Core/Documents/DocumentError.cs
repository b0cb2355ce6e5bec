namespace SignatureService.Core.Documents;

/// <summary>
/// One entry of the document error catalogue: a stable machine-readable code, the HTTP status it maps to, and a short title.
/// </summary>
/// <param name="Code">Stable identifier, <c>document.*</c>; clients and tests match on it, never on the title.</param>
/// <param name="HttpStatus">HTTP status for an RFC 9457 problem response (400, 413 or 415).</param>
/// <param name="Title">Human-readable summary in English; may change between releases.</param>
public sealed record DocumentError(string Code, int HttpStatus, string Title);

/// <summary>The catalogue of document validation errors. Every code is unique (a test checks it).</summary>
public static class DocumentErrors
{
    /// <summary>The content exceeds <see cref="DocumentLimits.MaxDocumentBytes"/>.</summary>
    public static readonly DocumentError TooLarge = new("document.too-large", 413, "The document exceeds the size limit.");

    /// <summary>The content is not valid UTF-8, or declares another encoding or charset.</summary>
    public static readonly DocumentError InvalidEncoding = new("document.invalid-encoding", 400, "The document is not valid UTF-8.");

    /// <summary>The media type is not one the document type accepts.</summary>
    public static readonly DocumentError UnsupportedMediaType = new("document.unsupported-media-type", 415, "The media type is not supported for this document type.");

    /// <summary>The document type name is not in <see cref="DocumentTypeNames.All"/>.</summary>
    public static readonly DocumentError UnknownType = new("document.unknown-type", 400, "The document type is unknown.");

    /// <summary>The XML is not well-formed.</summary>
    public static readonly DocumentError MalformedXml = new("document.malformed-xml", 400, "The XML is not well-formed.");

    /// <summary>The XML contains a document type declaration (DTD); entities and DTDs are never processed.</summary>
    public static readonly DocumentError DtdForbidden = new("document.dtd-forbidden", 400, "Document type declarations are not allowed.");

    /// <summary>Elements are nested deeper than <see cref="DocumentLimits.MaxDepth"/>.</summary>
    public static readonly DocumentError TooDeep = new("document.too-deep", 400, "The document is nested too deeply.");

    /// <summary>The XML has more elements than <see cref="DocumentLimits.MaxElements"/>, or the CSV more lines than allowed.</summary>
    public static readonly DocumentError TooManyElements = new("document.too-many-elements", 400, "The document has too many elements or records.");

    /// <summary>An attribute, text node or CSV field is longer than its limit.</summary>
    public static readonly DocumentError ValueTooLong = new("document.value-too-long", 400, "A value in the document is too long.");

    /// <summary>The JSON is not well-formed or does not match the expected shape (missing, unknown or mistyped members).</summary>
    public static readonly DocumentError MalformedJson = new("document.malformed-json", 400, "The JSON is malformed or does not match the expected shape.");

    /// <summary>A required element or attribute is missing, duplicated or in the wrong place.</summary>
    public static readonly DocumentError InvalidStructure = new("document.invalid-structure", 400, "The document structure is invalid.");

    /// <summary>The document does not validate against its XML schema.</summary>
    public static readonly DocumentError SchemaViolation = new("document.schema-violation", 400, "The document does not match its schema.");

    /// <summary>The format version (e.g. <c>EPS1.0</c>, <c>SJ1</c>) is not supported.</summary>
    public static readonly DocumentError UnsupportedVersion = new("document.unsupported-version", 400, "The document format version is not supported.");

    /// <summary>The document submitted for signing already carries its own signature.</summary>
    public static readonly DocumentError AlreadySigned = new("document.already-signed", 400, "The document is already signed.");

    /// <summary>A dispensing record embeds a prescription without the prescriber's signature.</summary>
    public static readonly DocumentError ReferenceUnsigned = new("document.reference-unsigned", 400, "The referenced prescription is not signed.");

    /// <summary>A required CSV record is missing.</summary>
    public static readonly DocumentError MissingRecord = new("document.missing-record", 400, "A required record is missing.");

    /// <summary>A field has an invalid value (format, code, range, or a rule across fields such as date order).</summary>
    public static readonly DocumentError InvalidField = new("document.invalid-field", 400, "A field has an invalid value.");

    /// <summary>Every error of the catalogue.</summary>
    public static IReadOnlyList<DocumentError> All { get; } =
    [
        TooLarge, InvalidEncoding, UnsupportedMediaType, UnknownType, MalformedXml, DtdForbidden, TooDeep, TooManyElements,
        ValueTooLong, MalformedJson, InvalidStructure, SchemaViolation, UnsupportedVersion, AlreadySigned, ReferenceUnsigned,
        MissingRecord, InvalidField,
    ];
}
