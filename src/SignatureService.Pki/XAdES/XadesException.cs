namespace SignatureService.Pki.XAdES;

/// <summary>
/// A typed, expected failure of XAdES/CAdES building, upgrading or parsing. <see cref="Code"/> is a value from
/// <see cref="XadesErrorCodes"/>; the message is for humans and never contains document content or key material.
/// </summary>
public sealed class XadesException : Exception
{
    /// <summary>Creates the exception with a stable code and a short message.</summary>
    public XadesException(string code, string message)
        : base(message) => Code = code;

    /// <summary>Creates the exception with a stable code, a short message and the underlying cause.</summary>
    public XadesException(string code, string message, Exception innerException)
        : base(message, innerException) => Code = code;

    /// <summary>Creates the exception with code <see cref="XadesErrorCodes.Malformed"/>.</summary>
    public XadesException()
        : base("Malformed XAdES input.") => Code = XadesErrorCodes.Malformed;

    /// <summary>Creates the exception with code <see cref="XadesErrorCodes.Malformed"/>.</summary>
    public XadesException(string message)
        : base(message) => Code = XadesErrorCodes.Malformed;

    /// <summary>Creates the exception with code <see cref="XadesErrorCodes.Malformed"/>.</summary>
    public XadesException(string message, Exception innerException)
        : base(message, innerException) => Code = XadesErrorCodes.Malformed;

    /// <summary>The stable machine-readable error code (see <see cref="XadesErrorCodes"/>).</summary>
    public string Code { get; }
}
