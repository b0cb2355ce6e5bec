namespace SignatureService.Pki.Timestamping;

/// <summary>PKIStatus (RFC 3161 §2.4.2, RFC 4210).</summary>
public enum PkiStatus
{
    /// <summary>granted (0): a TimeStampToken is present.</summary>
    Granted = 0,

    /// <summary>grantedWithMods (1).</summary>
    GrantedWithMods = 1,

    /// <summary>rejection (2): see the failInfo.</summary>
    Rejection = 2,

    /// <summary>waiting (3).</summary>
    Waiting = 3,

    /// <summary>revocationWarning (4).</summary>
    RevocationWarning = 4,

    /// <summary>revocationNotification (5).</summary>
    RevocationNotification = 5,
}

/// <summary>PKIFailureInfo named bits (RFC 3161 §2.4.2); enum bit n is named bit n.</summary>
[Flags]
#pragma warning disable CA1711 // Note: the name mirrors the ASN.1 type PKIFailureInfo.
public enum PkiFailureInfo
#pragma warning restore CA1711
{
    /// <summary>No failure.</summary>
    None = 0,

    /// <summary>badAlg (0): unrecognized or unsupported algorithm identifier.</summary>
    BadAlg = 1 << 0,

    /// <summary>badRequest (2): transaction not permitted or supported.</summary>
    BadRequest = 1 << 2,

    /// <summary>badDataFormat (5): the data submitted has the wrong format.</summary>
    BadDataFormat = 1 << 5,

    /// <summary>timeNotAvailable (14): the TSA's time source is not available.</summary>
    TimeNotAvailable = 1 << 14,

    /// <summary>unacceptedPolicy (15): the requested TSA policy is not supported.</summary>
    UnacceptedPolicy = 1 << 15,

    /// <summary>unacceptedExtension (16): the requested extension is not supported.</summary>
    UnacceptedExtension = 1 << 16,

    /// <summary>addInfoNotAvailable (17).</summary>
    AddInfoNotAvailable = 1 << 17,

    /// <summary>systemFailure (25): the request cannot be handled due to system failure.</summary>
    SystemFailure = 1 << 25,
}
