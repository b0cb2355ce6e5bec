using SignatureService.Core.Qualification;

namespace SignatureService.Pki.HealthcareRoles;

/// <summary>
/// One ISO 17090 HCActor as read from a certificate: the coding scheme, the optional numeric code (unused in Japan)
/// and the English free text naming the role.
/// </summary>
/// <param name="CodingSchemeReference">The <c>codingSchemeReference</c> OID (Japan: 1.2.392.100495.1.6.1.1).</param>
/// <param name="CodeDataValue">The <c>codeDataValue</c> NumericString; absent in Japanese certificates.</param>
/// <param name="FreeText">The <c>codeDataFreeText</c> DirectoryString, e.g. "Medical Doctor".</param>
public sealed record HcActor(string CodingSchemeReference, string? CodeDataValue, string FreeText)
{
    /// <summary>The known role named by <see cref="FreeText"/>, or <see langword="null"/> when not in the vocabulary.</summary>
    public HcRole? Role => HcRole.TryParse(FreeText, out var role) ? role : null;
}
