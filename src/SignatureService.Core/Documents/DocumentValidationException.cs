namespace SignatureService.Core.Documents;

/// <summary>
/// A submitted document was refused. <see cref="Error"/> carries the stable code; <see cref="FieldPath"/> says where, when known.
/// The message never contains document content (it may be logged).
/// </summary>
public sealed class DocumentValidationException : Exception
{
    /// <summary>Creates the exception for a catalogue error.</summary>
    /// <param name="error">The catalogue entry (see <see cref="DocumentErrors"/>).</param>
    /// <param name="fieldPath">Where the problem is: an XML path (<c>Document/Prescription/PrescriptionDocument</c>), a CSV position
    /// (<c>PrescriptionDocument/line[3]/record[51]/field[1]</c>) or a JSON path (<c>deceased.dateOfBirth</c>); <see langword="null"/> for the whole document.</param>
    /// <param name="innerException">The parser exception that caused it, if any.</param>
    public DocumentValidationException(DocumentError error, string? fieldPath = null, Exception? innerException = null)
        : base(Describe(error, Bounded(fieldPath)), innerException)
    {
        Error = error;
        FieldPath = Bounded(fieldPath);
    }

    /// <summary>The catalogue entry.</summary>
    public DocumentError Error { get; }

    /// <summary>The stable code, same as <c>Error.Code</c>.</summary>
    public string Code => Error.Code;

    /// <summary>Where the problem is, or <see langword="null"/>; at most <see cref="MaxFieldPathLength"/> characters, no control characters.</summary>
    public string? FieldPath { get; }

    /// <summary>Longest field path kept (element names come from untrusted input).</summary>
    public const int MaxFieldPathLength = 256;

    private static string Describe(DocumentError error, string? fieldPath)
    {
        ArgumentNullException.ThrowIfNull(error);
        return fieldPath is null ? $"{error.Code}: {error.Title}" : $"{error.Code} at {fieldPath}: {error.Title}";
    }

    private static string? Bounded(string? fieldPath)
    {
        if (fieldPath is null)
        {
            return null;
        }

        var path = fieldPath.Length > MaxFieldPathLength ? fieldPath[..MaxFieldPathLength] : fieldPath;
        return string.Create(path.Length, path, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) || char.IsSurrogate(source[i]) ? '?' : source[i];
            }
        });
    }
}
