namespace SignatureService.Pki.Certificates;

/// <summary>
/// Default certificate-policy OIDs: a private test arc (a UUID-derived OID under 2.25, ITU-T X.667), laid out like the
/// MHLW HPKI arc <c>1.2.392.100495.1.5.1.{1 signing, 2 authentication}.{0 subscriber, 3 CA}.1</c> but never equal to
/// it, because only accredited CAs may assert MHLW's policies (DOMAIN.md §2). Configure real OIDs per deployment.
/// </summary>
public static class HpkiPolicyOids
{
    /// <summary>The private test arc all defaults hang under.</summary>
    public const string TestArc = "2.25.288502717913779287743470031116001932110";

    /// <summary>Signing (署名用) subscriber certificates.</summary>
    public const string SigningEndEntity = TestArc + ".1.1.0.1";

    /// <summary>Signing (…forNonRepudiation) sub-CA certificates.</summary>
    public const string SigningCa = TestArc + ".1.1.3.1";

    /// <summary>Authentication (認証用) subscriber certificates.</summary>
    public const string AuthenticationEndEntity = TestArc + ".1.2.0.1";

    /// <summary>Authentication sub-CA certificates.</summary>
    public const string AuthenticationCa = TestArc + ".1.2.3.1";

    /// <summary>The default RFC 3161 time-stamp policy of the in-process TSA.</summary>
    public const string TimestampPolicy = TestArc + ".2.1";
}
