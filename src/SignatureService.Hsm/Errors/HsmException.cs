namespace SignatureService.Hsm;

/// <summary>
/// Base of every failure this layer raises on purpose. <see cref="Code"/> is stable and machine-readable; the message is
/// for operators and never contains a PIN, key material or document content.
/// </summary>
public class HsmException : Exception
{
    /// <summary>Creates an exception with <see cref="HsmErrorCode.Pkcs11Failure"/>; prefer the coded constructor.</summary>
    public HsmException()
        : this(HsmErrorCode.Pkcs11Failure, "HSM operation failed.")
    {
    }

    /// <summary>Creates an exception with <see cref="HsmErrorCode.Pkcs11Failure"/>; prefer the coded constructor.</summary>
    /// <param name="message">Operator-facing text without secrets.</param>
    public HsmException(string message)
        : this(HsmErrorCode.Pkcs11Failure, message)
    {
    }

    /// <summary>Creates an exception with <see cref="HsmErrorCode.Pkcs11Failure"/>; prefer the coded constructor.</summary>
    /// <param name="message">Operator-facing text without secrets.</param>
    /// <param name="innerException">The cause.</param>
    public HsmException(string message, Exception? innerException)
        : this(HsmErrorCode.Pkcs11Failure, message, innerException)
    {
    }

    /// <summary>Creates an exception with a stable code.</summary>
    /// <param name="code">The machine-readable reason.</param>
    /// <param name="message">Operator-facing text without secrets.</param>
    /// <param name="innerException">The cause, if any.</param>
    public HsmException(HsmErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>The machine-readable reason.</summary>
    public HsmErrorCode Code { get; }
}
