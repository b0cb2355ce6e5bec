namespace SignatureService.Pki.Errors;

/// <summary>
/// The one catalogue of machine-readable error codes raised by the PKI library. Codes are stable API: callers and
/// tests match on them, never on message text.
/// </summary>
public static class PkiErrorCodes
{
    /// <summary>A DER structure (extension value, certificate field, CRL input) is malformed or violates its ASN.1 definition.</summary>
    public const string MalformedEncoding = "pki.malformed-encoding";

    /// <summary>An OCSP or time-stamp request could not be parsed or exceeds the size limit.</summary>
    public const string MalformedRequest = "pki.malformed-request";

    /// <summary>A well-formed request that this service does not accept (e.g. an unsupported version).</summary>
    public const string InvalidRequest = "pki.invalid-request";

    /// <summary>A request carries an extension this service does not support.</summary>
    public const string UnsupportedExtension = "pki.unsupported-extension";

    /// <summary>An OCSP request names an issuer (CertID hashes) that is not one of our CAs.</summary>
    public const string UnknownIssuer = "pki.unknown-issuer";

    /// <summary>A hash or signature algorithm is not supported.</summary>
    public const string UnsupportedAlgorithm = "pki.unsupported-algorithm";

    /// <summary>A requested time-stamp policy is not offered by this TSA.</summary>
    public const string UnacceptedPolicy = "pki.unaccepted-policy";

    /// <summary>The hcRole attribute is missing or names a role that is not in the vocabulary.</summary>
    public const string UnknownHcRole = "pki.unknown-hcrole";

    /// <summary>A certificate profile option is invalid (bad validity, missing URL, unsupported key...).</summary>
    public const string InvalidProfile = "pki.invalid-profile";

    /// <summary>An issuer certificate cannot issue (not a CA, no keyCertSign / cRLSign, key mismatch).</summary>
    public const string InvalidIssuer = "pki.invalid-issuer";

    /// <summary>CRL content is invalid (serial, reason, times, CRL number).</summary>
    public const string InvalidRevocationEntry = "pki.invalid-revocation-entry";

    /// <summary>A time-stamp response was rejected by the TSA or fails validation (status, imprint, nonce, signature).</summary>
    public const string TimestampRejected = "pki.timestamp-rejected";

    /// <summary>Every code in this catalogue, for convention tests.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        MalformedEncoding, MalformedRequest, InvalidRequest, UnsupportedExtension, UnknownIssuer, UnsupportedAlgorithm, UnacceptedPolicy,
        UnknownHcRole, InvalidProfile, InvalidIssuer, InvalidRevocationEntry, TimestampRejected,
    ];
}
