namespace SignatureService.Pki.Errors;

/// <summary>An expected PKI failure with a stable <see cref="Code"/> from <see cref="PkiErrorCodes"/>.</summary>
public sealed class PkiException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">A code from <see cref="PkiErrorCodes"/>.</param>
    /// <param name="message">A human-readable description; never contains secrets or document content.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public PkiException(string code, string message, Exception? innerException = null)
        : base(message, innerException) => Code = code;

    /// <summary>Creates the exception with <see cref="PkiErrorCodes.MalformedEncoding"/>.</summary>
    public PkiException()
        : this(PkiErrorCodes.MalformedEncoding, "Malformed encoding.")
    {
    }

    /// <summary>Creates the exception with <see cref="PkiErrorCodes.MalformedEncoding"/>.</summary>
    /// <param name="message">A human-readable description.</param>
    public PkiException(string message)
        : this(PkiErrorCodes.MalformedEncoding, message)
    {
    }

    /// <summary>Creates the exception with <see cref="PkiErrorCodes.MalformedEncoding"/>.</summary>
    /// <param name="message">A human-readable description.</param>
    /// <param name="innerException">The underlying cause.</param>
    public PkiException(string message, Exception innerException)
        : this(PkiErrorCodes.MalformedEncoding, message, innerException)
    {
    }

    /// <summary>The stable machine-readable code (see <see cref="PkiErrorCodes"/>).</summary>
    public string Code { get; }
}
