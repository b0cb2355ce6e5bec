using System.Text.Unicode;

namespace SignatureService.Core.Documents;

/// <summary>Checks shared by every format before any parser sees the bytes: size, encoding, media type.</summary>
internal static class DocumentInput
{
    /// <summary>Checks the size and the UTF-8 validity of <paramref name="content"/> and returns the media type without parameters.</summary>
    /// <exception cref="DocumentValidationException">Too large, not UTF-8, or a media type not in <paramref name="accepted"/>.</exception>
    public static string Check(ReadOnlySpan<byte> content, string mediaType, IReadOnlyList<string> accepted)
    {
        if (content.Length > DocumentLimits.MaxDocumentBytes)
        {
            throw new DocumentValidationException(DocumentErrors.TooLarge);
        }

        var baseType = ParseMediaType(mediaType);
        if (!accepted.Contains(baseType))
        {
            throw new DocumentValidationException(DocumentErrors.UnsupportedMediaType, "mediaType");
        }

        if (content.IsEmpty)
        {
            throw new DocumentValidationException(baseType.EndsWith("json", StringComparison.Ordinal) ? DocumentErrors.MalformedJson : DocumentErrors.MalformedXml);
        }

        if (!Utf8.IsValid(content))
        {
            throw new DocumentValidationException(DocumentErrors.InvalidEncoding);
        }

        return baseType;
    }

    /// <summary>Returns the lower-case type/subtype; a <c>charset</c> parameter must say UTF-8.</summary>
    private static string ParseMediaType(string? mediaType)
    {
        if (string.IsNullOrWhiteSpace(mediaType) || mediaType.Length > 200)
        {
            throw new DocumentValidationException(DocumentErrors.UnsupportedMediaType, "mediaType");
        }

        var parts = mediaType.Split(';');
        for (var i = 1; i < parts.Length; i++)
        {
            var parameter = parts[i].Trim();
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new DocumentValidationException(DocumentErrors.UnsupportedMediaType, "mediaType");
            }

            var name = parameter[..equals].Trim();
            var value = parameter[(equals + 1)..].Trim().Trim('"');
            if (name.Equals("charset", StringComparison.OrdinalIgnoreCase)
                && !value.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !value.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            {
                throw new DocumentValidationException(DocumentErrors.InvalidEncoding, "mediaType");
            }
        }

        return parts[0].Trim().ToLowerInvariant();
    }
}
