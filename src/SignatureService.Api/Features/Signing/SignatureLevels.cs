using SignatureService.Pki.XAdES;

namespace SignatureService.Api.Features.Signing;

/// <summary>
/// The signature levels an EHR may ask for (<c>signatureLevel</c> of a request) and a document may be stored at. XAdES:
/// ES-T (default: SignatureTimeStamp), ES-XL (plus CertificateValues, RevocationValues and v1.4.1 TimeStampValidationData)
/// and ES-A (plus a v1.4.1 ArchiveTimeStamp), ETSI TS 101 903. Attachments (PDF) are signed as CAdES B-T whatever is asked.
/// </summary>
public static class SignatureLevels
{
    /// <summary>XAdES ES-T.</summary>
    public const string EsT = "ES-T";

    /// <summary>XAdES ES-XL.</summary>
    public const string EsXl = "ES-XL";

    /// <summary>XAdES ES-A.</summary>
    public const string EsA = "ES-A";

    /// <summary>CAdES baseline B-T (ETSI EN 319 122-1), for attachments.</summary>
    public const string CadesBT = "CAdES-B-T";

    /// <summary>The levels a request may ask for, lowest first.</summary>
    public static IReadOnlyList<string> Requestable { get; } = [EsT, EsXl, EsA];

    /// <summary>Whether <paramref name="level"/> is one of <see cref="Requestable"/> (exact, case-sensitive).</summary>
    public static bool IsRequestable(string? level) => level is EsT or EsXl or EsA;

    /// <summary>The XAdES level of a requestable level.</summary>
    public static XadesLevel ToXades(string level) => level switch
    {
        EsT => XadesLevel.T,
        EsXl => XadesLevel.XL,
        EsA => XadesLevel.A,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Not a XAdES level."),
    };
}
