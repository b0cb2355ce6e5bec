using System.Diagnostics.CodeAnalysis;

namespace SignatureService.Core.Documents;

/// <summary>
/// The kinds of document the service signs. Which professions may sign each kind is a separate policy (DOMAIN.md §1).
/// </summary>
public enum DocumentType
{
    /// <summary>National e-prescription (処方箋), XML <c>EPS1.0</c> wrapping a JAHIS CSV that starts with <c>SJ1</c>.</summary>
    Prescription = 1,

    /// <summary>Dispensing record (調剤結果), XML <c>EPD1.0</c> wrapping a CSV that starts with <c>CJ1</c> and the signed prescription.</summary>
    DispensingRecord = 2,

    /// <summary>Death certificate (死亡診断書) in the service's own schema.</summary>
    DeathCertificate = 3,

    /// <summary>Postmortem examination certificate (死体検案書) in the same schema as <see cref="DeathCertificate"/>.</summary>
    PostmortemCertificate = 4,

    /// <summary>Any other document as opaque bytes (a PDF), signed as a detached CAdES signature rather than XAdES.</summary>
    Attachment = 5,
}

/// <summary>
/// The wire vocabulary of <see cref="DocumentType"/>: the lower-case, hyphenated names used in the API and in documents.
/// </summary>
public static class DocumentTypeNames
{
    /// <summary>Wire name of <see cref="DocumentType.Prescription"/>.</summary>
    public const string Prescription = "prescription";

    /// <summary>Wire name of <see cref="DocumentType.DispensingRecord"/>.</summary>
    public const string DispensingRecord = "dispensing-record";

    /// <summary>Wire name of <see cref="DocumentType.DeathCertificate"/>.</summary>
    public const string DeathCertificate = "death-certificate";

    /// <summary>Wire name of <see cref="DocumentType.PostmortemCertificate"/>.</summary>
    public const string PostmortemCertificate = "postmortem-certificate";

    /// <summary>Wire name of <see cref="DocumentType.Attachment"/>.</summary>
    public const string Attachment = "attachment";

    /// <summary>All wire names, in the order of the enum values.</summary>
    public static IReadOnlyList<string> All { get; } = [Prescription, DispensingRecord, DeathCertificate, PostmortemCertificate, Attachment];

    /// <summary>Returns the wire name of a defined document type.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="DocumentType"/>.</exception>
    public static string ToWireName(this DocumentType type) => type switch
    {
        DocumentType.Prescription => Prescription,
        DocumentType.DispensingRecord => DispensingRecord,
        DocumentType.DeathCertificate => DeathCertificate,
        DocumentType.PostmortemCertificate => PostmortemCertificate,
        DocumentType.Attachment => Attachment,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Undefined document type."),
    };

    /// <summary>Parses a wire name (exact, case-sensitive match).</summary>
    /// <returns><see langword="true"/> when <paramref name="name"/> is one of <see cref="All"/>.</returns>
    public static bool TryParse([NotNullWhen(true)] string? name, out DocumentType type)
    {
        type = name switch
        {
            Prescription => DocumentType.Prescription,
            DispensingRecord => DocumentType.DispensingRecord,
            DeathCertificate => DocumentType.DeathCertificate,
            PostmortemCertificate => DocumentType.PostmortemCertificate,
            Attachment => DocumentType.Attachment,
            _ => 0,
        };
        return type != 0;
    }
}
