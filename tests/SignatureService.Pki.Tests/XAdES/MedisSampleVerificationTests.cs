using System.Text;
using SignatureService.Pki.XAdES;

namespace SignatureService.Pki.Tests.XAdES;

public sealed class MedisSampleVerificationTests
{
    private const string Prescription = "Prescription-004_01.xml";
    private const string Dispensing = "Dispensing-005_03.xml";

    private static readonly string[] CryptographicChecks =
    [
        XadesCheckNames.Structure,
        XadesCheckNames.ReferenceDigest,
        XadesCheckNames.SignatureValue,
        XadesCheckNames.SigningCertificate,
        XadesCheckNames.SigningTime,
        XadesCheckNames.KeyUsage,
        XadesCheckNames.ValidationData,
        XadesCheckNames.SignatureTimestampImprint,
        XadesCheckNames.SignatureTimestampSignature,
        XadesCheckNames.TimestampOrder,
    ];

    [Fact]
    public void Verify_PrescriptionSample_IsIntactEsXl()
    {
        var report = new XadesVerifier().Verify(TestFiles.Read(Prescription));

        Assert.Null(report.ErrorCode);
        var signature = Assert.Single(report.Signatures);
        Assert.Equal("PrescriptionSign", signature.SignatureId);
        Assert.Equal(XadesDocumentType.Prescription, signature.DocumentType);
        Assert.Equal(XadesLevel.XL, signature.Level);
        AssertAllPassed(signature, CryptographicChecks);
        Assert.Equal(3, signature.Results(XadesCheckNames.ReferenceDigest).Count());
        Assert.All(signature.Results(XadesCheckNames.ArchiveTimestampImprint), r => Assert.Equal(XadesCheckStatus.NotApplicable, r.Status));
        Assert.Equal(new DateTimeOffset(2022, 9, 7, 8, 8, 1, TimeSpan.Zero), signature.SigningTime);
        Assert.NotNull(signature.SignatureTimestampTime);
        Assert.True(signature.SignatureTimestampTime >= signature.SigningTime);
        Assert.True(report.IsValid);
    }

    [Fact]
    public void Verify_DispensingSample_BothSignaturesIntactWithArchiveTimestamp()
    {
        var report = new XadesVerifier().Verify(TestFiles.Read(Dispensing));

        Assert.Null(report.ErrorCode);
        Assert.Equal(2, report.Signatures.Count);
        var doctor = report.Signature("PrescriptionSign");
        var pharmacist = report.Signature("DispensingSign");
        Assert.NotNull(doctor);
        Assert.NotNull(pharmacist);
        Assert.Equal(XadesLevel.XL, doctor.Level);
        Assert.Equal(XadesLevel.A, pharmacist.Level);
        Assert.Equal(XadesDocumentType.Dispensing, pharmacist.DocumentType);
        AssertAllPassed(doctor, CryptographicChecks);
        AssertAllPassed(pharmacist, [.. CryptographicChecks, XadesCheckNames.ArchiveTimestampImprint, XadesCheckNames.ArchiveTimestampSignature]);
        Assert.Single(pharmacist.ArchiveTimestampTimes);
        Assert.True(report.IsValid);
    }

    [Fact]
    public void Verify_PrescriptionDocumentByteChanged_ReportsReferenceDigestMismatch()
    {
        var tampered = Replace(TestFiles.Read(Prescription), "<PrescriptionDocument id=\"PrescriptionDocument\">U0oxCjEs", "<PrescriptionDocument id=\"PrescriptionDocument\">U0oxCjEt");

        var signature = Assert.Single(new XadesVerifier().Verify(tampered).Signatures);

        var failed = Assert.Single(signature.Results(XadesCheckNames.ReferenceDigest), r => r.Status == XadesCheckStatus.Failed);
        Assert.Equal(XadesErrorCodes.ReferenceDigestMismatch, failed.Code);
        Assert.Equal("#PrescriptionDocument", failed.Target);
        Assert.Equal(XadesCheckStatus.Passed, signature.Results(XadesCheckNames.SignatureValue).Single().Status);
        Assert.Equal(XadesCheckStatus.Failed, signature.Outcome);
    }

    [Fact]
    public void Verify_SignatureValueChanged_ReportsSignatureInvalidAndTimestampImprintMismatch()
    {
        var original = TestFiles.Read(Prescription);
        var text = Encoding.UTF8.GetString(original);
        var start = text.IndexOf("-SignatureValue\">", StringComparison.Ordinal) + "-SignatureValue\">".Length;
        var flipped = text[start + 10] == 'A' ? 'B' : 'A';
        var tampered = Encoding.UTF8.GetBytes(text[..(start + 10)] + flipped + text[(start + 11)..]);

        var signature = Assert.Single(new XadesVerifier().Verify(tampered).Signatures);

        Assert.Equal(XadesErrorCodes.SignatureInvalid, signature.Results(XadesCheckNames.SignatureValue).Single().Code);
        Assert.Equal(XadesErrorCodes.TimestampImprintMismatch, signature.Results(XadesCheckNames.SignatureTimestampImprint).Single().Code);
        Assert.All(signature.Results(XadesCheckNames.ReferenceDigest), r => Assert.Equal(XadesCheckStatus.Passed, r.Status));
    }

    [Fact]
    public void Verify_SigningTimeChanged_ReportsSignedPropertiesDigestMismatch()
    {
        var tampered = Replace(TestFiles.Read(Prescription), "2022-09-07T08:08:01+00:00", "2022-09-07T08:08:02+00:00");

        var signature = Assert.Single(new XadesVerifier().Verify(tampered).Signatures);

        var failed = Assert.Single(signature.Results(XadesCheckNames.ReferenceDigest), r => r.Status == XadesCheckStatus.Failed);
        Assert.Equal(XadesErrorCodes.ReferenceDigestMismatch, failed.Code);
        Assert.EndsWith("-SignedProperties", failed.Target, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_EmbeddedPrescriptionChangedInDispensing_BothSignaturesFail()
    {
        var tampered = Replace(TestFiles.Read(Dispensing), "<PrescriptionDocument id=\"PrescriptionDocument\">U0oxCjEs", "<PrescriptionDocument id=\"PrescriptionDocument\">U0oxCjEt");

        var report = new XadesVerifier().Verify(tampered);

        Assert.Equal(XadesErrorCodes.ReferenceDigestMismatch,
            report.Signature("PrescriptionSign")!.Results(XadesCheckNames.ReferenceDigest).First(r => r.Status == XadesCheckStatus.Failed).Code);
        Assert.Equal(XadesErrorCodes.ReferenceDigestMismatch,
            report.Signature("DispensingSign")!.Results(XadesCheckNames.ReferenceDigest).First(r => r.Status == XadesCheckStatus.Failed).Code);
        Assert.Equal(XadesErrorCodes.TimestampImprintMismatch,
            report.Signature("DispensingSign")!.Results(XadesCheckNames.ArchiveTimestampImprint).Single().Code);
        Assert.False(report.IsValid);
    }

    private static void AssertAllPassed(XadesSignatureReport signature, IEnumerable<string> checks)
    {
        foreach (var check in checks)
        {
            var results = signature.Results(check).ToList();
            Assert.True(results.Count > 0, $"no result for {check}");
            Assert.All(results, r => Assert.True(r.Status == XadesCheckStatus.Passed, $"{check} {r.Target}: {r.Code} {r.Detail}"));
        }
    }

    private static byte[] Replace(byte[] document, string from, string to)
    {
        var text = Encoding.UTF8.GetString(document);
        Assert.Contains(from, text, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
    }
}
