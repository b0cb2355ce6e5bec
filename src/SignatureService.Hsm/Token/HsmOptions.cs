using System.Text;

namespace SignatureService.Hsm;

/// <summary>
/// How to reach the PKCS#11 token. Bound from the configuration section <see cref="SectionName"/>. The user PIN is never
/// a setting itself: it comes from a file (<see cref="PinFile"/>) or an environment variable (<see cref="PinEnvironmentVariable"/>)
/// provisioned at deploy time, and is read again on each (re-)login.
/// </summary>
public sealed class HsmOptions
{
    /// <summary>The configuration section name: <c>Hsm</c>.</summary>
    public const string SectionName = "Hsm";

    /// <summary>Largest accepted <see cref="SessionPoolSize"/> (inclusive).</summary>
    public const int MaxSessionPoolSize = 256;

    /// <summary>Absolute path of the PKCS#11 module (e.g. <c>/usr/lib/softhsm/libsofthsm2.so</c>). Required.</summary>
    public string ModulePath { get; set; } = "";

    /// <summary>The token's CKA_LABEL / CK_TOKEN_INFO label: 1 to 32 UTF-8 bytes. Required.</summary>
    public string TokenLabel { get; set; } = "";

    /// <summary>Path of a file whose content (trailing CR/LF removed; at most 256 bytes) is the user PIN.</summary>
    public string? PinFile { get; set; }

    /// <summary>Name of an environment variable holding the user PIN (at most 256 bytes).</summary>
    public string? PinEnvironmentVariable { get; set; }

    /// <summary>
    /// Number of PKCS#11 sessions kept open, i.e. of operations that run on the token at once: 1 to
    /// <see cref="MaxSessionPoolSize"/>; default 8. Further callers wait for a free session.
    /// </summary>
    public int SessionPoolSize { get; set; } = 8;

    /// <summary>
    /// How long a caller waits for a free pooled session before <see cref="HsmUnavailableException"/>:
    /// more than zero and at most 10 minutes; default 30 seconds.
    /// </summary>
    public TimeSpan SessionAcquireTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Checks every setting and returns one line per problem, each naming the setting (<c>Hsm:TokenLabel ...</c>);
    /// an empty list means the options are usable. Does not touch the file system except to check that files exist.
    /// </summary>
    /// <returns>The problems found, in setting order; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ModulePath))
        {
            problems.Add($"{SectionName}:{nameof(ModulePath)} is required (path of the PKCS#11 module).");
        }
        else if (!Path.IsPathFullyQualified(ModulePath))
        {
            problems.Add($"{SectionName}:{nameof(ModulePath)} must be an absolute path.");
        }

        if (string.IsNullOrEmpty(TokenLabel))
        {
            problems.Add($"{SectionName}:{nameof(TokenLabel)} is required.");
        }
        else if (Encoding.UTF8.GetByteCount(TokenLabel) > 32)
        {
            problems.Add($"{SectionName}:{nameof(TokenLabel)} is longer than 32 UTF-8 bytes (PKCS#11 token labels are 32 bytes).");
        }

        var hasFile = !string.IsNullOrWhiteSpace(PinFile);
        var hasVariable = !string.IsNullOrWhiteSpace(PinEnvironmentVariable);
        if (hasFile == hasVariable)
        {
            problems.Add(
                $"Exactly one of {SectionName}:{nameof(PinFile)} and {SectionName}:{nameof(PinEnvironmentVariable)} must be set.");
        }
        else if (hasFile && !File.Exists(PinFile))
        {
            problems.Add($"{SectionName}:{nameof(PinFile)} '{PinFile}' does not exist.");
        }

        if (SessionPoolSize is < 1 or > MaxSessionPoolSize)
        {
            problems.Add($"{SectionName}:{nameof(SessionPoolSize)} must be between 1 and {MaxSessionPoolSize}.");
        }

        if (SessionAcquireTimeout <= TimeSpan.Zero || SessionAcquireTimeout > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{SectionName}:{nameof(SessionAcquireTimeout)} must be more than zero and at most 10 minutes.");
        }

        return problems;
    }
}
