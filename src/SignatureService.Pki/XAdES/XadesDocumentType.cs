namespace SignatureService.Pki.XAdES;

/// <summary>The kinds of XML document the national e-prescription XAdES profile signs.</summary>
public enum XadesDocumentType
{
    /// <summary>An EPS1.0 prescription: signs <c>#PrescriptionDocument</c>, signature <c>PrescriptionSign</c>.</summary>
    Prescription,

    /// <summary>An EPD1.0 dispensing record: signs <c>#Dispensing</c> (which embeds the signed prescription), signature <c>DispensingSign</c>.</summary>
    Dispensing,

    /// <summary>The service's death certificate format: signs <c>#DeathCertificateDocument</c>, signature <c>DeathCertificateSign</c>.</summary>
    DeathCertificate,
}

/// <summary>
/// Where the signature goes for one <see cref="XadesDocumentType"/>: the signed element (by its <c>id</c>), and the wrapper
/// element inserted as the last child of the signed element's parent, holding <c>ds:Signature</c> with the same Id as its name
/// (as in the MEDIS samples Prescription-004_01.xml and Dispensing-005_03.xml).
/// </summary>
/// <param name="DocumentType">The document type.</param>
/// <param name="DataId">Value of the <c>id</c> attribute of the signed element; the first reference is <c>#DataId</c>.</param>
/// <param name="DataElementName">Local name of the signed element.</param>
/// <param name="SignElementName">Local name of the wrapper element, which equals the ds:Signature Id.</param>
public sealed record XadesDocumentProfile(XadesDocumentType DocumentType, string DataId, string DataElementName, string SignElementName)
{
    /// <summary>The profile of an EPS1.0 prescription.</summary>
    public static XadesDocumentProfile Prescription { get; } =
        new(XadesDocumentType.Prescription, "PrescriptionDocument", "PrescriptionDocument", "PrescriptionSign");

    /// <summary>The profile of an EPD1.0 dispensing record.</summary>
    public static XadesDocumentProfile Dispensing { get; } =
        new(XadesDocumentType.Dispensing, "Dispensing", "Dispensing", "DispensingSign");

    /// <summary>The profile of the service's death certificate.</summary>
    public static XadesDocumentProfile DeathCertificate { get; } =
        new(XadesDocumentType.DeathCertificate, "DeathCertificateDocument", "DeathCertificateDocument", "DeathCertificateSign");

    /// <summary>The ds:Signature Id (equal to the wrapper element's name).</summary>
    public string SignatureId => SignElementName;

    /// <summary>Returns the profile of a document type.</summary>
    public static XadesDocumentProfile For(XadesDocumentType type) => type switch
    {
        XadesDocumentType.Prescription => Prescription,
        XadesDocumentType.Dispensing => Dispensing,
        XadesDocumentType.DeathCertificate => DeathCertificate,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown document type."),
    };

    /// <summary>Returns the profile whose ds:Signature Id is <paramref name="signatureId"/>, or null.</summary>
    public static XadesDocumentProfile? FromSignatureId(string? signatureId) => signatureId switch
    {
        "PrescriptionSign" => Prescription,
        "DispensingSign" => Dispensing,
        "DeathCertificateSign" => DeathCertificate,
        _ => null,
    };
}

/// <summary>XAdES forms (ETSI TS 101 903) in increasing order of long-term evidence.</summary>
public enum XadesLevel
{
    /// <summary>ES-BES: signed properties only.</summary>
    Bes = 0,

    /// <summary>ES-T: adds a SignatureTimeStamp.</summary>
    T = 1,

    /// <summary>ES-XL: adds CertificateValues and RevocationValues (and v1.4.1 TimeStampValidationData).</summary>
    XL = 2,

    /// <summary>ES-A: adds a v1.4.1 ArchiveTimeStamp.</summary>
    A = 3,
}

/// <summary>Input limits for parsing untrusted XML. All bounds are inclusive.</summary>
public sealed record XadesLimits
{
    /// <summary>Default limits: 16 MiB, depth 64, 16 signatures.</summary>
    public static XadesLimits Default { get; } = new();

    /// <summary>Maximum document size in bytes (default 16 MiB).</summary>
    public int MaxDocumentBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Maximum element nesting depth (default 64).</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Maximum number of ds:Signature elements verified in one document (default 16).</summary>
    public int MaxSignatures { get; init; } = 16;
}
