namespace SignatureService.Hsm;

/// <summary>
/// The HSM could not serve the request: the session, login, token or device was lost and one re-open (new session,
/// login again) and retry did not help, or no pooled session became free in time. The API answers 503 with
/// <c>Retry-After</c> set from <see cref="RetryAfter"/>.
/// </summary>
public sealed class HsmUnavailableException : HsmException
{
    /// <summary>The default <see cref="RetryAfter"/>: 5 seconds.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>Creates the exception.</summary>
    /// <param name="message">Operator-facing text without secrets.</param>
    /// <param name="innerException">The last failure, usually a <see cref="Pkcs11Exception"/>.</param>
    public HsmUnavailableException(string message, Exception? innerException = null)
        : base(HsmErrorCode.Unavailable, message, innerException)
    {
    }

    /// <summary>How long a client should wait before retrying (whole seconds, at least 1).</summary>
    public TimeSpan RetryAfter { get; init; } = DefaultRetryAfter;

    /// <summary>The CK_RV of the last PKCS#11 failure, if the cause was one.</summary>
    public CkReturnValue? LastReturnValue => (InnerException as Pkcs11Exception)?.ReturnValue;
}
