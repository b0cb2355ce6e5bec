using System.Text;
using SignatureService.Pki.XAdES;

namespace SignatureService.Pki.Tests.XAdES;

public sealed class XadesVerifierHostileInputTests
{
    public static TheoryData<string, string> MalformedDocuments => new()
    {
        { "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY e \"x\">]><d>&e;</d>", XadesErrorCodes.Malformed },
        { "<?xml version=\"1.0\"?><!DOCTYPE d SYSTEM \"file:///etc/passwd\"><d/>", XadesErrorCodes.Malformed },
        { "<d><unclosed></d>", XadesErrorCodes.Malformed },
        { "", XadesErrorCodes.Malformed },
        { "<Document id=\"Document\"><Prescription/></Document>", XadesErrorCodes.SignatureMissing },
        { string.Concat(Enumerable.Repeat("<a>", 500)) + string.Concat(Enumerable.Repeat("</a>", 500)), XadesErrorCodes.Malformed },
        { string.Concat(Enumerable.Repeat("<a>", 200_000)) + string.Concat(Enumerable.Repeat("</a>", 200_000)), XadesErrorCodes.Malformed },
        { "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><d>&b;&b;&b;</d>", XadesErrorCodes.Malformed },
    };

    [Theory]
    [MemberData(nameof(MalformedDocuments))]
    public void Verify_HostileDocument_ReportsErrorCodeWithoutThrowing(string xml, string code)
    {
        var report = new XadesVerifier().Verify(Encoding.UTF8.GetBytes(xml));

        Assert.Equal(code, report.ErrorCode);
        Assert.False(report.IsValid);
    }

    [Fact]
    public void Verify_InvalidUtf8_ReportsMalformed()
    {
        var report = new XadesVerifier().Verify([0x3C, 0x64, 0x3E, 0xC3, 0x28, 0x3C, 0x2F, 0x64, 0x3E]);

        Assert.Equal(XadesErrorCodes.Malformed, report.ErrorCode);
    }

    [Fact]
    public void Verify_OverSizeLimit_ReportsTooLarge()
    {
        var report = new XadesVerifier(new XadesLimits { MaxDocumentBytes = 1024 }).Verify(TestFiles.Read("Prescription-004_01.xml"));

        Assert.Equal(XadesErrorCodes.TooLarge, report.ErrorCode);
    }

    [Fact]
    public void Verify_GarbageInsideSignature_ReportsFailedChecksWithoutThrowing()
    {
        var text = Encoding.UTF8.GetString(TestFiles.Read("Prescription-004_01.xml"));
        var garbled = text
            .Replace("<xs:X509Certificate>MII", "<xs:X509Certificate>!!!", StringComparison.Ordinal)
            .Replace("<xa:EncapsulatedTimeStamp>MII", "<xa:EncapsulatedTimeStamp>AAA", StringComparison.Ordinal)
            .Replace("<xa:EncapsulatedCRLValue>MII", "<xa:EncapsulatedCRLValue>AAA", StringComparison.Ordinal)
            .Replace("<xs:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>", "<xs:CanonicalizationMethod Algorithm=\"urn:x\"/>", StringComparison.Ordinal)
            .Replace("URI=\"#PrescriptionDocument\"", "URI=\"http://example.invalid/x\"", StringComparison.Ordinal);
        Assert.NotEqual(text, garbled);

        var signature = Assert.Single(new XadesVerifier().Verify(Encoding.UTF8.GetBytes(garbled)).Signatures);

        Assert.Null(signature.SigningCertificate);
        Assert.Equal(XadesErrorCodes.StructureInvalid, signature.Results(XadesCheckNames.Structure).Single().Code);
        Assert.Equal(XadesErrorCodes.ReferenceUnresolved, signature.Results(XadesCheckNames.ReferenceDigest).First().Code);
        Assert.Equal(XadesErrorCodes.SigningCertificateMissing, signature.Results(XadesCheckNames.SignatureValue).Single().Code);
        Assert.Equal(XadesErrorCodes.TimestampMalformed, signature.Results(XadesCheckNames.SignatureTimestampImprint).Single().Code);
        Assert.Equal(XadesErrorCodes.ValidationDataInvalid, signature.Results(XadesCheckNames.ValidationData).Single().Code);
    }

    [Fact]
    public void Verify_DuplicatedDataId_ReportsReferenceUnresolved()
    {
        // Signature wrapping: a second element with the signed Id must not let either copy satisfy the reference.
        var text = Encoding.UTF8.GetString(TestFiles.Read("Prescription-004_01.xml"));
        var wrapped = text.Replace("<PrescriptionSign>", "<Extra><PrescriptionDocument id=\"PrescriptionDocument\">evil</PrescriptionDocument></Extra><PrescriptionSign>", StringComparison.Ordinal);

        var signature = Assert.Single(new XadesVerifier().Verify(Encoding.UTF8.GetBytes(wrapped)).Signatures);

        Assert.Equal(XadesErrorCodes.ReferenceUnresolved, signature.Results(XadesCheckNames.ReferenceDigest).First().Code);
        Assert.Equal(XadesCheckStatus.Failed, signature.Outcome);
    }

    [Fact]
    public void Verify_SignedIdMovedToOtherElement_ReportsStructureInvalid()
    {
        // The doctor's signature is valid over whatever carries id="PrescriptionDocument"; the profile pins that to the
        // PrescriptionDocument element next to PrescriptionSign, so re-pointing the Id is a structure failure.
        var text = Encoding.UTF8.GetString(TestFiles.Read("Prescription-004_01.xml"));
        var moved = text.Replace("<PrescriptionDocument id=\"PrescriptionDocument\">", "<PrescriptionDocument>", StringComparison.Ordinal)
            .Replace("<PrescriptionSign>", "<Note id=\"PrescriptionDocument\">x</Note><PrescriptionSign>", StringComparison.Ordinal);

        var signature = Assert.Single(new XadesVerifier().Verify(Encoding.UTF8.GetBytes(moved)).Signatures);

        Assert.Equal(XadesErrorCodes.StructureInvalid, signature.Results(XadesCheckNames.Structure).Single().Code);
    }

    [Fact]
    public void Verify_IntegratorChecks_AppendedToEachSignature()
    {
        var verifier = new XadesVerifier(checks: [new RoleCheck()]);

        var report = verifier.Verify(TestFiles.Read("Dispensing-005_03.xml"));

        Assert.Equal(XadesCheckStatus.Passed, report.Signature("PrescriptionSign")!.Results(XadesCheckNames.HcRole).Single().Status);
        Assert.Equal("pharmacist-required", report.Signature("DispensingSign")!.Results(XadesCheckNames.HcRole).Single().Code);
        Assert.False(report.IsValid);
    }

    private sealed class RoleCheck : IXadesSignatureCheck
    {
        // A stand-in policy: only prescriptions pass, so the outcome depends on the report's document type.
        public XadesCheckResult Evaluate(XadesSignatureReport report) => report.DocumentType == XadesDocumentType.Prescription
            ? XadesCheckResult.Pass(XadesCheckNames.HcRole, "ok")
            : XadesCheckResult.Fail(XadesCheckNames.HcRole, "pharmacist-required", "role not checked in this test");
    }
}
