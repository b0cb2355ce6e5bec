namespace SignatureService.Core.Proofing;

/// <summary>One validated evidence item as the policy sees it.</summary>
/// <param name="Kind">One of <see cref="EvidenceKinds"/>.</param>
/// <param name="Strength">One of <see cref="EvidenceStrengths"/>.</param>
public sealed record EvidenceFact(string Kind, string Strength);

/// <summary>What the proofing session established, besides the evidence.</summary>
/// <param name="Route">One of <see cref="ProofingRoutes"/>.</param>
/// <param name="Evidence">The validated evidence items.</param>
/// <param name="BiometricCapturedWithConsent">A biometric reference (facial image) was captured and the applicant's consent recorded.</param>
/// <param name="PostalNotificationSent">A notification of proofing was sent to an address confirmed by the evidence.</param>
public sealed record ProofingFacts(string Route, IReadOnlyList<EvidenceFact> Evidence, bool BiometricCapturedWithConsent, bool PostalNotificationSent);

/// <summary>The outcome: the level achieved, and what the chosen profile still lacks (empty when it is met).</summary>
/// <param name="Achieved">The level the facts reach on the NIST scale.</param>
/// <param name="Unmet">Stable requirement names the profile still lacks.</param>
public sealed record ProofingOutcome(IdentityAssuranceLevel Achieved, IReadOnlyList<string> Unmet)
{
    /// <summary>Whether the profile is satisfied.</summary>
    public bool Satisfied => Unmet.Count == 0;
}

/// <summary>
/// The two proofing profiles as data (DOMAIN.md §5, issue 5 item 3). Pure and thread-safe.
/// <list type="bullet">
/// <item><c>nist-800-63a-4-ial3</c>: evidence of 1 SUPERIOR, or 2 STRONG, or 1 STRONG + 1 FAIR; an attended session; a biometric
/// captured with recorded consent; a notification sent to a validated postal address.</item>
/// <item><c>mhlw-guideline</c>: one photo ID or two other IDs, plus a resident record; the mail route also needs the
/// registered-seal certificate; the online route is the JPKI signature of the My Number card.</item>
/// </list>
/// The achieved level is always computed on the NIST scale, whatever the profile, so that the configured minimum
/// (default IAL3) applies the same way to both.
/// </summary>
public static class ProofingPolicy
{
    /// <summary>Requirement: evidence strength (1 SUPERIOR, 2 STRONG, or 1 STRONG + 1 FAIR).</summary>
    public const string EvidenceStrength = "evidence-strength";

    /// <summary>Requirement: an attended session.</summary>
    public const string AttendedSession = "attended-session";

    /// <summary>Requirement: a biometric captured with consent.</summary>
    public const string Biometric = "biometric-with-consent";

    /// <summary>Requirement: the postal notification.</summary>
    public const string PostalNotification = "postal-notification";

    /// <summary>Requirement: one photo ID or two other IDs.</summary>
    public const string IdentityDocument = "photo-id-or-two-ids";

    /// <summary>Requirement: a resident record.</summary>
    public const string ResidentRecord = "resident-record";

    /// <summary>Requirement: a seal-registration certificate (mail route).</summary>
    public const string SealCertificate = "seal-registration-certificate";

    /// <summary>Requirement: the JPKI signature (online route).</summary>
    public const string JpkiSignature = "jpki-signature";

    /// <summary>Evaluates <paramref name="facts"/> against <paramref name="profile"/>.</summary>
    /// <exception cref="ArgumentException">An unknown profile.</exception>
    public static ProofingOutcome Evaluate(string profile, ProofingFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var unmet = profile switch
        {
            ProofingProfiles.NistIal3 => NistUnmet(facts),
            ProofingProfiles.MhlwGuideline => MhlwUnmet(facts),
            _ => throw new ArgumentException($"Unknown proofing profile '{profile}'.", nameof(profile)),
        };
        return new ProofingOutcome(Achieved(facts), unmet);
    }

    /// <summary>The NIST level the facts reach.</summary>
    public static IdentityAssuranceLevel Achieved(ProofingFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (!StrengthMet(facts.Evidence))
        {
            return IdentityAssuranceLevel.Ial1;
        }

        return NistUnmet(facts).Count == 0 ? IdentityAssuranceLevel.Ial3 : IdentityAssuranceLevel.Ial2;
    }

    /// <summary>1 SUPERIOR, or 2 STRONG, or 1 STRONG + 1 FAIR (NIST SP 800-63A-4 IAL3 evidence).</summary>
    public static bool StrengthMet(IReadOnlyList<EvidenceFact> evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var superior = evidence.Count(e => e.Strength == EvidenceStrengths.Superior);
        var strong = evidence.Count(e => e.Strength == EvidenceStrengths.Strong);
        var fair = evidence.Count(e => e.Strength == EvidenceStrengths.Fair);
        return superior >= 1 || strong >= 2 || (strong >= 1 && fair >= 1);
    }

    private static List<string> NistUnmet(ProofingFacts facts)
    {
        var unmet = new List<string>();
        if (!StrengthMet(facts.Evidence))
        {
            unmet.Add(EvidenceStrength);
        }

        if (!ProofingRoutes.IsAttended(facts.Route))
        {
            unmet.Add(AttendedSession);
        }

        if (!facts.BiometricCapturedWithConsent)
        {
            unmet.Add(Biometric);
        }

        if (!facts.PostalNotificationSent)
        {
            unmet.Add(PostalNotification);
        }

        return unmet;
    }

    private static List<string> MhlwUnmet(ProofingFacts facts)
    {
        var kinds = facts.Evidence.Select(e => e.Kind).ToList();
        var unmet = new List<string>();
        if (facts.Route == ProofingRoutes.OnlineMyNumberCard)
        {
            // Note: the JPKI signing certificate carries the basic four facts from the resident register, so it stands for
            // both the photo ID and the resident record on this route (guideline: 「マイナンバーカードによる署名」).
            if (!kinds.Contains(EvidenceKinds.JpkiSignature))
            {
                unmet.Add(JpkiSignature);
            }

            return unmet;
        }

        if (!kinds.Any(EvidenceKinds.IsPhotoId) && kinds.Count(EvidenceKinds.IsOtherId) < 2)
        {
            unmet.Add(IdentityDocument);
        }

        if (!kinds.Contains(EvidenceKinds.ResidentRecord))
        {
            unmet.Add(ResidentRecord);
        }

        if (facts.Route == ProofingRoutes.Mail && !kinds.Contains(EvidenceKinds.SealRegistrationCertificate))
        {
            unmet.Add(SealCertificate);
        }

        return unmet;
    }
}
