using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Core.Qualification;
using SignatureService.Pki.Certificates;
using SignatureService.Pki.HealthcareRoles;
using SignatureService.Pki.Tests.Support;

namespace SignatureService.Pki.Tests.Certificates;

/// <summary>Real MEDIS HPKI test certificates as independent vectors (see TestData/medis/README.md).</summary>
public sealed class MedisCertificateTests(TestPki pki) : IClassFixture<TestPki>
{
    [Fact]
    public void CertificateSummary_MedisDoctor_ReadsMedicalDoctorSigningCertificate()
    {
        using var certificate = TestData.Certificate("medis/doctor-signing.cer");

        var summary = CertificateSummary.Read(certificate.RawData);

        Assert.Equal("015E", summary.SerialNumberHex);
        Assert.Equal([HcRole.MedicalDoctor], summary.Roles);
        Assert.Equal(X509KeyUsageFlags.NonRepudiation, summary.KeyUsage);
        Assert.Equal(["1.2.392.100495.1.5.1.1.0.1"], summary.PolicyOids);
        Assert.Equal("Test117120", summary.SubjectSerialNumber);
        Assert.Equal("Sanjushi Kagurazaka", summary.SubjectCommonName);
        Assert.True(summary.IsSigningCertificate);
        Assert.Equal(new DateTimeOffset(2022, 2, 6, 15, 0, 0, TimeSpan.Zero), summary.NotBefore);
        Assert.Equal(new DateTimeOffset(2027, 2, 7, 14, 59, 59, TimeSpan.Zero), summary.NotAfter);
    }

    [Fact]
    public void CertificateSummary_MedisPharmacist_ReadsPharmacist()
    {
        using var certificate = TestData.Certificate("medis/pharmacist-signing.cer");

        var summary = CertificateSummary.Read(certificate);

        Assert.Equal([HcRole.Pharmacist], summary.Roles);
        Assert.Equal("Test317044", summary.SubjectSerialNumber);
    }

    [Fact]
    public void CertificateSummary_MedisSigningCa_IsCaNotSigningCertificate()
    {
        using var certificate = TestData.Certificate("medis/medis-sign-ca2.cer");

        var summary = CertificateSummary.Read(certificate);

        Assert.True(summary.IsCertificateAuthority);
        Assert.False(summary.IsSigningCertificate);
        Assert.Empty(summary.Roles);
        Assert.Equal(["1.2.392.100495.1.5.1.1.3.1"], summary.PolicyOids);
    }

    [Fact]
    public void OurDoctorCertificate_HcRoleExtension_IsByteIdenticalToMedisCertificate()
    {
        using var medis = TestData.Certificate("medis/doctor-signing.cer");
        using var key = RSA.Create(2048);
        using var ours = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);

        Assert.Equal(medis.Extensions[HcRoleExtension.ExtensionOid]!.RawData, ours.Extensions[HcRoleExtension.ExtensionOid]!.RawData);
    }

    [Fact]
    public void OurDoctorCertificate_Extensions_MatchMedisOidsAndCriticalityPlusAia()
    {
        using var medis = TestData.Certificate("medis/doctor-signing.cer");
        using var key = RSA.Create(2048);
        using var ours = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);

        var medisShape = medis.Extensions.Select(e => (e.Oid!.Value, e.Critical)).ToHashSet();
        var ourShape = ours.Extensions.Select(e => (e.Oid!.Value, e.Critical)).ToHashSet();

        Assert.Subset(ourShape, medisShape);
        Assert.Equal([("1.3.6.1.5.5.7.1.1", false)], ourShape.Except(medisShape));
        Assert.Equal(medis.SignatureAlgorithm.Value, ours.SignatureAlgorithm.Value);
    }

    [Fact]
    public void OurDoctorCertificate_SubjectAltName_HasSameAttributeSequenceAsMedis()
    {
        using var medis = TestData.Certificate("medis/doctor-signing.cer");
        using var key = RSA.Create(2048);
        using var ours = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);

        Assert.Equal(AltNameTypes(medis), AltNameTypes(ours));
        Assert.Equal(medis.SubjectName.EnumerateRelativeDistinguishedNames(false).Select(r => r.GetSingleElementType().Value),
            ours.SubjectName.EnumerateRelativeDistinguishedNames(false).Select(r => r.GetSingleElementType().Value));
    }

    private static string[] AltNameTypes(X509Certificate2 certificate)
    {
        var value = certificate.Extensions["2.5.29.17"]!.RawData;
        var reader = new System.Formats.Asn1.AsnReader(value, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        var directory = reader.ReadSequence(new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 4, true));
        var name = new X500DistinguishedName(directory.ReadEncodedValue().Span);
        return [.. name.EnumerateRelativeDistinguishedNames(false).Select(r => r.GetSingleElementType().Value!)];
    }
}
