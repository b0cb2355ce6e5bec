namespace SignatureService.Core.Documents;

/// <summary>
/// Hard limits applied to untrusted documents before and while parsing. They bound memory and time, so a hostile document
/// fails fast with a typed error instead of exhausting the service.
/// </summary>
public static class DocumentLimits
{
    /// <summary>Maximum size of a submitted document, in bytes (1 MiB, inclusive).</summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    /// <summary>Maximum element nesting depth of an XML document (the root element has depth 1, inclusive).</summary>
    public const int MaxDepth = 64;

    /// <summary>Maximum number of XML elements in one document (inclusive).</summary>
    public const int MaxElements = 10_000;

    /// <summary>Maximum length of one attribute value, in UTF-16 code units (inclusive).</summary>
    public const int MaxAttributeLength = 8 * 1024;

    /// <summary>Maximum length of one text or CDATA node, in UTF-16 code units (inclusive); large enough for the Base64 CSV.</summary>
    public const int MaxTextLength = 1024 * 1024;

    /// <summary>Maximum number of CSV lines (records plus the header line) in a JAHIS CSV (inclusive).</summary>
    public const int MaxCsvLines = 5_000;

    /// <summary>Maximum length of one CSV line, in UTF-16 code units (inclusive).</summary>
    public const int MaxCsvLineLength = 4 * 1024;

    /// <summary>Maximum nesting depth of a JSON document (inclusive).</summary>
    public const int MaxJsonDepth = 16;
}
