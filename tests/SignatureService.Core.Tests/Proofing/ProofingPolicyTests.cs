using SignatureService.Core.Proofing;

namespace SignatureService.Core.Tests.Proofing;

public sealed class ProofingPolicyTests
{
    private static EvidenceFact E(string kind, string strength) => new(kind, strength);

    private static ProofingFacts Attended(params EvidenceFact[] evidence) =>
        new(ProofingRoutes.InPerson, evidence, BiometricCapturedWithConsent: true, PostalNotificationSent: true);

    public static TheoryData<string[], bool> Strengths => new()
    {
        { ["superior"], true },
        { ["strong", "strong"], true },
        { ["strong", "fair"], true },
        { ["strong"], false },
        { ["fair", "fair", "fair"], false },
        { [], false },
    };

    [Theory]
    [MemberData(nameof(Strengths))]
    public void StrengthMet_Combinations_FollowSp80063A4(string[] strengths, bool expected) =>
        Assert.Equal(expected, ProofingPolicy.StrengthMet([.. strengths.Select(s => E(EvidenceKinds.Passport, s))]));

    [Fact]
    public void Nist_AttendedWithBiometricAndNotification_AchievesIal3()
    {
        var outcome = ProofingPolicy.Evaluate(ProofingProfiles.NistIal3, Attended(E(EvidenceKinds.MyNumberCard, EvidenceStrengths.Superior)));

        Assert.True(outcome.Satisfied);
        Assert.Equal(IdentityAssuranceLevel.Ial3, outcome.Achieved);
    }

    [Fact]
    public void Nist_OneFairItem_IsRefusedForEvidenceStrengthAtIal1()
    {
        var outcome = ProofingPolicy.Evaluate(ProofingProfiles.NistIal3, Attended(E(EvidenceKinds.HealthInsuranceCard, EvidenceStrengths.Fair)));

        Assert.Equal([ProofingPolicy.EvidenceStrength], outcome.Unmet);
        Assert.Equal(IdentityAssuranceLevel.Ial1, outcome.Achieved);
    }

    [Fact]
    public void Nist_RemoteWithoutBiometricOrNotification_ListsEachMissingRequirementAndAchievesIal2()
    {
        var facts = new ProofingFacts(ProofingRoutes.Mail, [E(EvidenceKinds.Passport, EvidenceStrengths.Superior)], false, false);

        var outcome = ProofingPolicy.Evaluate(ProofingProfiles.NistIal3, facts);

        Assert.Equal([ProofingPolicy.AttendedSession, ProofingPolicy.Biometric, ProofingPolicy.PostalNotification], outcome.Unmet);
        Assert.Equal(IdentityAssuranceLevel.Ial2, outcome.Achieved);
    }

    [Fact]
    public void Mhlw_PhotoIdAndResidentRecordInPerson_IsSatisfied()
    {
        var outcome = ProofingPolicy.Evaluate(ProofingProfiles.MhlwGuideline,
            Attended(E(EvidenceKinds.DriversLicence, EvidenceStrengths.Strong), E(EvidenceKinds.ResidentRecord, EvidenceStrengths.Fair)));

        Assert.True(outcome.Satisfied);
        Assert.Equal(IdentityAssuranceLevel.Ial3, outcome.Achieved);
    }

    [Fact]
    public void Mhlw_TwoOtherIdsWithoutResidentRecord_NeedsTheResidentRecord()
    {
        var outcome = ProofingPolicy.Evaluate(ProofingProfiles.MhlwGuideline,
            Attended(E(EvidenceKinds.HealthInsuranceCard, EvidenceStrengths.Fair), E(EvidenceKinds.PensionBook, EvidenceStrengths.Fair)));

        Assert.Equal([ProofingPolicy.ResidentRecord], outcome.Unmet);
    }

    [Fact]
    public void Mhlw_OneOtherIdOnly_NeedsAPhotoIdOrTwoIds()
    {
        var outcome = ProofingPolicy.Evaluate(ProofingProfiles.MhlwGuideline,
            Attended(E(EvidenceKinds.HealthInsuranceCard, EvidenceStrengths.Fair), E(EvidenceKinds.ResidentRecord, EvidenceStrengths.Fair)));

        Assert.Equal([ProofingPolicy.IdentityDocument], outcome.Unmet);
    }

    [Fact]
    public void Mhlw_MailWithoutSealCertificate_NeedsIt_AndStaysBelowIal3()
    {
        var facts = new ProofingFacts(ProofingRoutes.Mail,
            [E(EvidenceKinds.Passport, EvidenceStrengths.Strong), E(EvidenceKinds.ResidentRecord, EvidenceStrengths.Fair)], false, true);

        var outcome = ProofingPolicy.Evaluate(ProofingProfiles.MhlwGuideline, facts);

        Assert.Equal([ProofingPolicy.SealCertificate], outcome.Unmet);
        Assert.Equal(IdentityAssuranceLevel.Ial2, outcome.Achieved);
    }

    [Fact]
    public void Mhlw_OnlineRoute_NeedsTheJpkiSignature()
    {
        var without = new ProofingFacts(ProofingRoutes.OnlineMyNumberCard, [E(EvidenceKinds.Passport, EvidenceStrengths.Strong)], false, false);
        var with = without with { Evidence = [E(EvidenceKinds.JpkiSignature, EvidenceStrengths.Superior)] };

        Assert.Equal([ProofingPolicy.JpkiSignature], ProofingPolicy.Evaluate(ProofingProfiles.MhlwGuideline, without).Unmet);
        Assert.True(ProofingPolicy.Evaluate(ProofingProfiles.MhlwGuideline, with).Satisfied);
    }

    [Fact]
    public void Evaluate_UnknownProfile_Throws() =>
        Assert.Throws<ArgumentException>(() => ProofingPolicy.Evaluate("eidas-high", Attended()));
}
