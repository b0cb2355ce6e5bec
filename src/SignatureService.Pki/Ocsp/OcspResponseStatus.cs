namespace SignatureService.Pki.Ocsp;

/// <summary>OCSPResponseStatus (RFC 6960 §4.2.1). Value 4 is unused.</summary>
public enum OcspResponseStatus
{
    /// <summary>successful (0): response has valid confirmations.</summary>
    Successful = 0,

    /// <summary>malformedRequest (1): illegal confirmation request.</summary>
    MalformedRequest = 1,

    /// <summary>internalError (2): internal error in issuer.</summary>
    InternalError = 2,

    /// <summary>tryLater (3): try again later.</summary>
    TryLater = 3,

    /// <summary>sigRequired (5): must sign the request.</summary>
    SigRequired = 5,

    /// <summary>unauthorized (6): request unauthorized (here: issuer not ours).</summary>
    Unauthorized = 6,
}
