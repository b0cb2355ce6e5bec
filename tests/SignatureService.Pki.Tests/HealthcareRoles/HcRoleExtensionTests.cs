using System.Security.Cryptography;
using SignatureService.Core.Qualification;
using SignatureService.Pki.Errors;
using SignatureService.Pki.HealthcareRoles;
using SignatureService.Pki.Tests.Support;

namespace SignatureService.Pki.Tests.HealthcareRoles;

public sealed class HcRoleExtensionTests(TestPki pki) : IClassFixture<TestPki>
{
    // The subjectDirectoryAttributes value of a real MEDIS doctor certificate (DOMAIN.md §2).
    private const string MedicalDoctorVector =
        "303430320606288185420001312831263024A0223120A00C060A2A830886910F01060101A2100C0E4D65646963616C20446F63746F72";

    [Fact]
    public void Encode_MedicalDoctor_IsByteIdenticalToRealCertificate()
    {
        var encoded = HcRoleExtension.Encode([HcRole.MedicalDoctor]);

        Assert.Equal(MedicalDoctorVector, Convert.ToHexString(encoded));
    }

    [Fact]
    public void Decode_RealMedicalDoctorVector_ReturnsMedicalDoctorUnderNationalScheme()
    {
        var actors = HcRoleExtension.Decode(Convert.FromHexString(MedicalDoctorVector));

        var actor = Assert.Single(actors);
        Assert.Equal(HcRoleExtension.NationalCodingSchemeOid, actor.CodingSchemeReference);
        Assert.Null(actor.CodeDataValue);
        Assert.Equal("Medical Doctor", actor.FreeText);
        Assert.Equal(HcRole.MedicalDoctor, actor.Role);
    }

    [Fact]
    public void Decode_PharmacistVectorOfSameShape_ReturnsPharmacist()
    {
        // Same shape as the real pharmacist certificate: only the UTF8String and the lengths differ.
        var text = System.Text.Encoding.ASCII.GetBytes("Pharmacist");
        var d = text.Length - 14;
        var hex = $"30{0x34 + d:X2}30{0x32 + d:X2}0606288185420001" +
                  $"31{0x28 + d:X2}31{0x26 + d:X2}30{0x24 + d:X2}" +
                  $"A0{0x22 + d:X2}31{0x20 + d:X2}A00C060A2A830886910F01060101" +
                  $"A2{2 + text.Length:X2}0C{text.Length:X2}{Convert.ToHexString(text)}";

        var actors = HcRoleExtension.Decode(Convert.FromHexString(hex));

        Assert.Equal(HcRole.Pharmacist, Assert.Single(actors).Role);
        Assert.Equal(hex, Convert.ToHexString(HcRoleExtension.Encode([HcRole.Pharmacist])));
    }

    [Fact]
    public void EncodeThenDecode_SeveralRoles_ReturnsAllRoles()
    {
        var encoded = HcRoleExtension.Encode([HcRole.MedicalDoctor, HcRole.DirectorOfClinic]);

        var roles = HcRoleExtension.Decode(encoded).Select(a => a.Role).ToHashSet();

        Assert.Equal(new HashSet<HcRole?> { HcRole.MedicalDoctor, HcRole.DirectorOfClinic }, roles);
    }

    [Fact]
    public void Encode_NoRoles_ThrowsUnknownHcRole()
    {
        var ex = Assert.Throws<PkiException>(() => HcRoleExtension.Encode([]));

        Assert.Equal(PkiErrorCodes.UnknownHcRole, ex.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("3034303206062881854200013128")] // truncated
    [InlineData("308480000000")] // indefinite / huge length
    [InlineData("30FFFFFFFF01")] // absurd length
    [InlineData("3000")] // empty SEQUENCE OF
    [InlineData("303430320606288185420001312831263024A0223120A00C060A2A830886910F01060101A2100C0E4D65646963616C20446F63746F7200")] // trailing byte
    public void Decode_MalformedInput_ThrowsMalformedEncoding(string hex)
    {
        var ex = Assert.Throws<PkiException>(() => HcRoleExtension.Decode(Convert.FromHexString(hex)));

        Assert.Equal(PkiErrorCodes.MalformedEncoding, ex.Code);
    }

    [Fact]
    public void Decode_RandomBytes_NeverThrowsOtherExceptionTypes()
    {
        var random = new Random(17090);
        for (var i = 0; i < 2000; i++)
        {
            var buffer = new byte[random.Next(0, 64)];
            random.NextBytes(buffer);
            if (buffer.Length > 0 && random.Next(2) == 0)
            {
                buffer[0] = 0x30;
            }

            try
            {
                HcRoleExtension.Decode(buffer);
            }
            catch (PkiException ex)
            {
                Assert.Equal(PkiErrorCodes.MalformedEncoding, ex.Code);
            }
        }
    }

    [Fact]
    public void Decode_OverSizeLimit_ThrowsMalformedEncoding()
    {
        var ex = Assert.Throws<PkiException>(() => HcRoleExtension.Decode(new byte[HcRoleExtension.MaxEncodedLength + 1]));

        Assert.Equal(PkiErrorCodes.MalformedEncoding, ex.Code);
    }

    [Fact]
    public void IssuedDoctorCertificate_HcRoleExtension_EqualsRealVectorAndIsNonCritical()
    {
        using var key = RSA.Create(2048);
        using var certificate = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);

        var extension = certificate.Extensions[HcRoleExtension.ExtensionOid];

        Assert.NotNull(extension);
        Assert.False(extension.Critical);
        Assert.Equal(MedicalDoctorVector, Convert.ToHexString(extension.RawData));
        Assert.Equal([HcRole.MedicalDoctor], HcRoleExtension.ReadRoles(certificate));
    }
}
