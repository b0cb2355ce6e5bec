namespace SignatureService.Core.Qualification;

/// <summary>
/// A healthcare actor role (ISO 17090 hcRole) as carried in HPKI certificates: the English free text of
/// <c>codeDataFreeText</c> under the MHLW national coding scheme (DOMAIN.md §2). This type is the single place
/// where the role vocabulary lives; compare roles with <see cref="Equals(HcRole)"/>, which is ordinal on the text.
/// </summary>
public sealed record HcRole
{
    private HcRole(string text) => Text = text;

    /// <summary>The role text exactly as written in the certificate (ordinal, case-sensitive).</summary>
    public string Text { get; }

    /// <summary>医師 — confirmed on real MEDIS certificates.</summary>
    public static HcRole MedicalDoctor { get; } = new("Medical Doctor");

    /// <summary>歯科医師 — the expected spelling; not yet seen on a real certificate.</summary>
    public static HcRole Dentist { get; } = new("Dentist");

    /// <summary>薬剤師 — confirmed on real MEDIS certificates.</summary>
    public static HcRole Pharmacist { get; } = new("Pharmacist");

    /// <summary>病院長 (with Subject O = facility and OU = "Director").</summary>
    public static HcRole DirectorOfHospital { get; } = new("Director of Hospital");

    /// <summary>診療所院長 (with Subject O = facility and OU = "Director").</summary>
    public static HcRole DirectorOfClinic { get; } = new("Director of Clinic");

    /// <summary>Every role this service knows, in a stable order.</summary>
    public static IReadOnlyList<HcRole> All { get; } =
        [MedicalDoctor, Dentist, Pharmacist, DirectorOfHospital, DirectorOfClinic];

    /// <summary>Finds a known role by its exact certificate text (ordinal, no trimming).</summary>
    /// <param name="text">The <c>codeDataFreeText</c> value.</param>
    /// <param name="role">The role when found.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> names a known role.</returns>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HcRole? role)
    {
        role = All.FirstOrDefault(r => string.Equals(r.Text, text, StringComparison.Ordinal));
        return role is not null;
    }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
