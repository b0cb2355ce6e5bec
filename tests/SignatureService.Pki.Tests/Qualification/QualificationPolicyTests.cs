using SignatureService.Core.Qualification;

namespace SignatureService.Pki.Tests.Qualification;

public sealed class QualificationPolicyTests
{
    [Theory]
    [InlineData(SignedDocumentType.Prescription, "Medical Doctor", true)]
    [InlineData(SignedDocumentType.Prescription, "Dentist", true)]
    [InlineData(SignedDocumentType.Prescription, "Pharmacist", false)]
    [InlineData(SignedDocumentType.DeathCertificate, "Medical Doctor", true)]
    [InlineData(SignedDocumentType.DeathCertificate, "Dentist", true)]
    [InlineData(SignedDocumentType.DeathCertificate, "Pharmacist", false)]
    [InlineData(SignedDocumentType.PostmortemCertificate, "Medical Doctor", true)]
    [InlineData(SignedDocumentType.PostmortemCertificate, "Dentist", false)]
    [InlineData(SignedDocumentType.DispensingRecord, "Pharmacist", true)]
    [InlineData(SignedDocumentType.DispensingRecord, "Medical Doctor", false)]
    [InlineData(SignedDocumentType.Prescription, "Director of Hospital", false)]
    public void Statutory_RoleAndDocument_PermitsPerStatute(SignedDocumentType document, string roleText, bool expected)
    {
        Assert.True(HcRole.TryParse(roleText, out var role));

        Assert.Equal(expected, QualificationPolicy.Statutory.Permits(document, role));
    }

    [Fact]
    public void TryParse_DifferentCase_IsNotARole()
    {
        Assert.False(HcRole.TryParse("medical doctor", out _));
    }

    [Fact]
    public void Statutory_EveryDocumentType_HasAtLeastOneRole()
    {
        foreach (var type in Enum.GetValues<SignedDocumentType>())
        {
            Assert.NotEmpty(QualificationPolicy.Statutory.AllowedRoles(type));
        }
    }

    [Fact]
    public void PermitsAny_NoRoles_IsFalse()
    {
        Assert.False(QualificationPolicy.Statutory.PermitsAny(SignedDocumentType.Prescription, []));
    }
}
