namespace SignatureService.WebAuthn.Errors;

/// <summary>
/// The only exception type the verifiers throw for an expected failure. <see cref="Code"/> is one of
/// <see cref="WebAuthnErrorCodes"/>; the message is for humans and never contains secrets or input bytes.
/// </summary>
public sealed class WebAuthnException : Exception
{
    /// <summary>Creates an exception with a catalogue code.</summary>
    /// <param name="code">A code from <see cref="WebAuthnErrorCodes"/>.</param>
    /// <param name="message">A short human-readable reason.</param>
    public WebAuthnException(string code, string message)
        : base(message) => Code = code;

    /// <summary>Creates an exception with a catalogue code and the exception that caused it.</summary>
    /// <param name="code">A code from <see cref="WebAuthnErrorCodes"/>.</param>
    /// <param name="message">A short human-readable reason.</param>
    /// <param name="innerException">The underlying parser or crypto exception.</param>
    public WebAuthnException(string code, string message, Exception innerException)
        : base(message, innerException) => Code = code;

    /// <summary>Creates an exception with code <see cref="WebAuthnErrorCodes.Malformed"/>.</summary>
    public WebAuthnException()
        : this(WebAuthnErrorCodes.Malformed, "Malformed WebAuthn input.")
    {
    }

    /// <summary>Creates an exception with code <see cref="WebAuthnErrorCodes.Malformed"/>.</summary>
    /// <param name="message">A short human-readable reason.</param>
    public WebAuthnException(string message)
        : this(WebAuthnErrorCodes.Malformed, message)
    {
    }

    /// <summary>Creates an exception with code <see cref="WebAuthnErrorCodes.Malformed"/>.</summary>
    /// <param name="message">A short human-readable reason.</param>
    /// <param name="innerException">The underlying exception.</param>
    public WebAuthnException(string message, Exception innerException)
        : this(WebAuthnErrorCodes.Malformed, message, innerException)
    {
    }

    /// <summary>The stable machine-readable code from <see cref="WebAuthnErrorCodes"/>.</summary>
    public string Code { get; }

    internal static WebAuthnException Malformed(string message) => new(WebAuthnErrorCodes.Malformed, message);

    internal static WebAuthnException Malformed(string message, Exception inner) => new(WebAuthnErrorCodes.Malformed, message, inner);
}
