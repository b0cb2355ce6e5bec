using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace SignatureService.Core.Documents.Jahis;

/// <summary>
/// One line of a JAHIS CSV: a record number followed by its fields. JAHIS CSV has no quoting: a comma always separates
/// fields (commas inside text are written full-width), lines end with LF or CRLF.
/// </summary>
/// <param name="Source">Name of the XML element that carried the CSV, used in field paths.</param>
/// <param name="LineNumber">1-based line number in the CSV (the header is line 1).</param>
/// <param name="RecordNumber">The record number (レコード番号), 1–999.</param>
/// <param name="Fields">The fields after the record number.</param>
internal sealed record JahisRecord(string Source, int LineNumber, int RecordNumber, IReadOnlyList<string> Fields)
{
    /// <summary>The field at a 1-based position after the record number, or an empty string when the line is shorter.</summary>
    public string Field(int position) => position <= Fields.Count ? Fields[position - 1] : string.Empty;

    /// <summary>The field path used in errors: <c>Source/line[n]/record[r]/field[p]</c>.</summary>
    public string PathOf(int position) => $"{Source}/line[{LineNumber}]/record[{RecordNumber}]/field[{position}]";

    /// <summary>A required non-empty field.</summary>
    public string Required(int position)
    {
        var value = Field(position);
        return value.Length == 0 ? throw Invalid(position) : value;
    }

    /// <summary>An optional field: <see langword="null"/> when empty.</summary>
    public string? Optional(int position)
    {
        var value = Field(position);
        return value.Length == 0 ? null : value;
    }

    /// <summary>A required Gregorian date written <c>yyyyMMdd</c>.</summary>
    public DateOnly RequiredDate(int position) =>
        DateOnly.TryParseExact(Field(position), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw Invalid(position);

    /// <summary>An optional Gregorian date written <c>yyyyMMdd</c>.</summary>
    public DateOnly? OptionalDate(int position) => Field(position).Length == 0 ? null : RequiredDate(position);

    /// <summary>A required non-negative integer of at most 9 ASCII digits.</summary>
    public int RequiredInt(int position)
    {
        var value = Field(position);
        return value.Length is > 0 and <= 9 && value.All(char.IsAsciiDigit) ? int.Parse(value, CultureInfo.InvariantCulture) : throw Invalid(position);
    }

    /// <summary>An optional non-negative integer of at most 9 ASCII digits.</summary>
    public int? OptionalInt(int position) => Field(position).Length == 0 ? null : RequiredInt(position);

    /// <summary>A required non-negative decimal with ASCII digits and at most one point (e.g. <c>1.25</c>).</summary>
    public decimal RequiredDecimal(int position)
    {
        var value = Field(position);
        return value.Length is > 0 and <= 20 && value.All(c => char.IsAsciiDigit(c) || c == '.')
            && decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw Invalid(position);
    }

    /// <summary>An optional non-negative decimal.</summary>
    public decimal? OptionalDecimal(int position) => Field(position).Length == 0 ? null : RequiredDecimal(position);

    /// <summary>A required code made of ASCII digits only, of the given length range.</summary>
    public string RequiredDigits(int position, int minLength, int maxLength)
    {
        var value = Field(position);
        return value.Length >= minLength && value.Length <= maxLength && value.All(char.IsAsciiDigit) ? value : throw Invalid(position);
    }

    /// <summary>A <c>document.invalid-field</c> error for a field of this record.</summary>
    public DocumentValidationException Invalid(int position) => new(DocumentErrors.InvalidField, PathOf(position));
}

/// <summary>Splits a JAHIS CSV (UTF-8) into records, with limits. Record layouts are interpreted by the format readers.</summary>
internal static class JahisCsv
{
    /// <summary>Parses the CSV and checks its first line.</summary>
    /// <param name="utf8">The decoded Base64 payload.</param>
    /// <param name="source">Name of the carrying XML element, for field paths.</param>
    /// <param name="expectedHeader">First field of the first line, e.g. <c>SJ1</c> or <c>CJ1</c>.</param>
    /// <returns>The records after the header, in document order.</returns>
    public static IReadOnlyList<JahisRecord> Parse(ReadOnlySpan<byte> utf8, string source, string expectedHeader)
    {
        if (!Utf8.IsValid(utf8))
        {
            throw new DocumentValidationException(DocumentErrors.InvalidEncoding, source);
        }

        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        var text = Encoding.UTF8.GetString(utf8);
        var lines = text.Split('\n');
        var lineCount = lines.Length;
        while (lineCount > 0 && lines[lineCount - 1].TrimEnd('\r').Length == 0)
        {
            lineCount--;
        }

        if (lineCount == 0)
        {
            throw new DocumentValidationException(DocumentErrors.MissingRecord, $"{source}/line[1]");
        }

        if (lineCount > DocumentLimits.MaxCsvLines)
        {
            throw new DocumentValidationException(DocumentErrors.TooManyElements, source);
        }

        var header = lines[0].TrimEnd('\r').Split(',')[0];
        if (!header.Equals(expectedHeader, StringComparison.Ordinal))
        {
            // Note: a header of the same family with another version (SJ2, CJ2) is a version problem, anything else is not this format.
            var error = header.Length == expectedHeader.Length && header.StartsWith(expectedHeader[..^1], StringComparison.Ordinal)
                ? DocumentErrors.UnsupportedVersion
                : DocumentErrors.InvalidStructure;
            throw new DocumentValidationException(error, $"{source}/line[1]");
        }

        var records = new List<JahisRecord>(lineCount);
        for (var i = 1; i < lineCount; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var lineNumber = i + 1;
            if (line.Length > DocumentLimits.MaxCsvLineLength)
            {
                throw new DocumentValidationException(DocumentErrors.ValueTooLong, $"{source}/line[{lineNumber}]");
            }

            if (line.Length == 0)
            {
                continue;
            }

            foreach (var c in line)
            {
                if (char.IsControl(c) && c != '\t')
                {
                    throw new DocumentValidationException(DocumentErrors.InvalidField, $"{source}/line[{lineNumber}]");
                }
            }

            var parts = line.Split(',');
            var number = parts[0];
            if (number.Length is 0 or > 3 || !number.All(char.IsAsciiDigit) || number == "0")
            {
                throw new DocumentValidationException(DocumentErrors.InvalidField, $"{source}/line[{lineNumber}]/field[0]");
            }

            records.Add(new JahisRecord(source, lineNumber, int.Parse(number, CultureInfo.InvariantCulture), parts[1..]));
        }

        return records;
    }

    /// <summary>The first record with the given number.</summary>
    /// <exception cref="DocumentValidationException"><c>document.missing-record</c> when there is none.</exception>
    public static JahisRecord RequireRecord(IReadOnlyList<JahisRecord> records, int recordNumber, string source) =>
        records.FirstOrDefault(r => r.RecordNumber == recordNumber)
        ?? throw new DocumentValidationException(DocumentErrors.MissingRecord, $"{source}/record[{recordNumber}]");

    /// <summary>The first record with the given number, or <see langword="null"/>.</summary>
    public static JahisRecord? OptionalRecord(IReadOnlyList<JahisRecord> records, int recordNumber) =>
        records.FirstOrDefault(r => r.RecordNumber == recordNumber);

    /// <summary>Maps a sex code (1 or 2).</summary>
    public static Sex ParseSex(JahisRecord record, int position) => record.Field(position) switch
    {
        "1" => Sex.Male,
        "2" => Sex.Female,
        _ => throw record.Invalid(position),
    };
}
