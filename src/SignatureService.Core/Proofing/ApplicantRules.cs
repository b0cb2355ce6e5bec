using System.Globalization;
using System.Text.RegularExpressions;

namespace SignatureService.Core.Proofing;

/// <summary>
/// Field rules for proofing input. Each check adds the camelCase field name and a reason to an error map, so a refusal
/// names every bad field at once. Pure and thread-safe.
/// </summary>
public static partial class ApplicantRules
{
    /// <summary>Youngest accepted applicant, in whole years (a national license needs a degree first).</summary>
    public const int MinimumAge = 18;

    /// <summary>Oldest accepted applicant, in whole years: anything older is an impossible age.</summary>
    public const int MaximumAge = 120;

    /// <summary>A required text of 1–<paramref name="max"/> characters without control characters.</summary>
    public static string? Text(Dictionary<string, string[]> errors, string field, string? value, int max, bool required = true)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            if (required)
            {
                errors[field] = ["Required."];
            }

            return null;
        }

        if (trimmed.Length > max || trimmed.Any(char.IsControl))
        {
            errors[field] = [$"1–{max} characters without control characters."];
            return null;
        }

        return trimmed;
    }

    /// <summary>A name in kana: hiragana or katakana (full or half width), the prolonged sound mark, middle dot and spaces; 1–50.</summary>
    public static string? Kana(Dictionary<string, string[]> errors, string field, string? value)
    {
        var text = Text(errors, field, value, 50);
        if (text is not null && !text.All(IsKana))
        {
            errors[field] = ["Kana only (hiragana or katakana)."];
            return null;
        }

        return text;
    }

    /// <summary>A name in romaji for a certificate: ASCII letters, space, hyphen, apostrophe, period; 1–64.</summary>
    public static string? Romaji(Dictionary<string, string[]> errors, string field, string? value)
    {
        var text = Text(errors, field, value, 64);
        if (text is not null && !RomajiPattern().IsMatch(text))
        {
            errors[field] = ["ASCII letters, spaces, hyphens, apostrophes and periods only."];
            return null;
        }

        return text;
    }

    /// <summary>A date <c>yyyy-MM-dd</c>.</summary>
    public static DateOnly? Date(Dictionary<string, string[]> errors, string field, string? value, bool required = true)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(value))
        {
            if (required)
            {
                errors[field] = ["Required."];
            }

            return null;
        }

        if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            errors[field] = ["A valid date yyyy-MM-dd."];
            return null;
        }

        return date;
    }

    /// <summary>A date of birth giving an age between <see cref="MinimumAge"/> and <see cref="MaximumAge"/> on <paramref name="today"/>.</summary>
    public static DateOnly? DateOfBirth(Dictionary<string, string[]> errors, string field, string? value, DateOnly today)
    {
        var date = Date(errors, field, value);
        if (date is { } born)
        {
            var age = today.Year - born.Year - (today < born.AddYears(today.Year - born.Year) ? 1 : 0);
            if (born > today || age < MinimumAge || age > MaximumAge)
            {
                errors[field] = [$"An age between {MinimumAge} and {MaximumAge} years."];
                return null;
            }
        }

        return date;
    }

    /// <summary>One of <paramref name="allowed"/> (exact, case-sensitive).</summary>
    public static string? OneOf(Dictionary<string, string[]> errors, string field, string? value, IReadOnlyList<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(allowed);
        if (value is null || !allowed.Contains(value))
        {
            errors[field] = [$"One of: {string.Join(", ", allowed)}."];
            return null;
        }

        return value;
    }

    /// <summary>A value matching <paramref name="pattern"/>.</summary>
    public static string? Matching(Dictionary<string, string[]> errors, string field, string? value, Regex pattern, string description, bool required = true)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(pattern);
        if (string.IsNullOrEmpty(value))
        {
            if (required)
            {
                errors[field] = ["Required."];
            }

            return null;
        }

        if (value.Length > 254 || !pattern.IsMatch(value))
        {
            errors[field] = [description];
            return null;
        }

        return value;
    }

    /// <summary>Japanese postal code <c>NNN-NNNN</c>.</summary>
    [GeneratedRegex("^[0-9]{3}-[0-9]{4}$")]
    public static partial Regex PostalCodePattern();

    /// <summary>Phone: digits, +, -, parentheses and spaces; 1–20.</summary>
    [GeneratedRegex("^[0-9+()\\- ]{1,20}$")]
    public static partial Regex PhonePattern();

    /// <summary>A plain e-mail address (local@domain with a dot), 3–254.</summary>
    [GeneratedRegex("^[^@\\s\\p{Cc}]{1,64}@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$")]
    public static partial Regex EmailPattern();

    /// <summary>License number as in the registry: 1–20 of 0-9, A-Z, a-z, '-'.</summary>
    [GeneratedRegex("^[0-9A-Za-z-]{1,20}$")]
    public static partial Regex LicenseNumberPattern();

    /// <summary>A document number: 1–40 of 0-9, A-Z, a-z, '-' and spaces.</summary>
    [GeneratedRegex("^[0-9A-Za-z][0-9A-Za-z -]{0,39}$")]
    public static partial Regex DocumentNumberPattern();

    /// <summary>A SHA-256 in hex (64 characters).</summary>
    [GeneratedRegex("^[0-9A-Fa-f]{64}$")]
    public static partial Regex Sha256HexPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z .'-]{0,63}$")]
    private static partial Regex RomajiPattern();

    private static bool IsKana(char c) =>
        c is (>= '\u3041' and <= '\u3096') or (>= '\u30A1' and <= '\u30FA') or '\u30FC' or '\u30FB' or '\u309D' or '\u309E'
            or '\u30FD' or '\u30FE' or (>= '\uFF66' and <= '\uFF9F') or ' ' or '\u3000';

    /// <summary>The document number masked but for its last four characters (all masked when it has four or fewer).</summary>
    public static string Mask(string number)
    {
        ArgumentNullException.ThrowIfNull(number);
        var compact = number.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();
        var shown = compact.Length > 4 ? 4 : 0;
        return new string('*', compact.Length - shown) + compact[^shown..];
    }
}
