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
        : base(fieldPath is null ? $"{error.Code}: {error.Title}" : $"{error.Code} at {fieldPath}: {error.Title}", innerException)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
        FieldPath = fieldPath;
    }

    /// <summary>The catalogue entry.</summary>
    public DocumentError Error { get; }

    /// <summary>The stable code, same as <c>Error.Code</c>.</summary>
    public string Code => Error.Code;

    /// <summary>Where the problem is, or <see langword="null"/>.</summary>
    public string? FieldPath { get; }
}
