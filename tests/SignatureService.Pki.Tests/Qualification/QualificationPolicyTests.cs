using SignatureService.Core.Documents;
using SignatureService.Core.Qualification;

namespace SignatureService.Pki.Tests.Qualification;

public sealed class QualificationPolicyTests
{
    [Theory]
    [InlineData(DocumentType.Prescription, "Medical Doctor", true)]
    [InlineData(DocumentType.Prescription, "Dentist", true)]
    [InlineData(DocumentType.Prescription, "Pharmacist", false)]
    [InlineData(DocumentType.DeathCertificate, "Medical Doctor", true)]
    [InlineData(DocumentType.DeathCertificate, "Dentist", true)]
    [InlineData(DocumentType.DeathCertificate, "Pharmacist", false)]
    [InlineData(DocumentType.PostmortemCertificate, "Medical Doctor", true)]
    [InlineData(DocumentType.PostmortemCertificate, "Dentist", false)]
    [InlineData(DocumentType.DispensingRecord, "Pharmacist", true)]
    [InlineData(DocumentType.DispensingRecord, "Medical Doctor", false)]
    [InlineData(DocumentType.Prescription, "Director of Hospital", false)]
    public void Statutory_RoleAndDocument_PermitsPerStatute(DocumentType document, string roleText, bool expected)
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
        foreach (var type in Enum.GetValues<DocumentType>())
        {
            Assert.NotEmpty(QualificationPolicy.Statutory.AllowedRoles(type));
        }
    }

    [Fact]
    public void PermitsAny_NoRoles_IsFalse()
    {
        Assert.False(QualificationPolicy.Statutory.PermitsAny(DocumentType.Prescription, []));
    }
}
