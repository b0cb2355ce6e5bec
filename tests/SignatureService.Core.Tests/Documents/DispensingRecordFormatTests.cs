using System.Text;
using SignatureService.Core.Documents;
using SignatureService.Core.Documents.Dispensing;

namespace SignatureService.Core.Tests.Documents;

public sealed class DispensingRecordFormatTests
{
    private const string CsvStart = "<DispensingDocument id=\"DispensingDocument\">";
    private const string CsvEnd = "</DispensingDocument>";

    private readonly DispensingRecordFormat _format = new();

    private static byte[] UnsignedSample => TestFiles.RemoveElement(TestFiles.DispensingSample, "<DispensingSign>", "</DispensingSign>");

    private static string SampleCsv => TestFiles.DecodeBase64(TestFiles.DispensingSample, CsvStart, CsvEnd);

    private static DocumentValidationException Refused(byte[] xml, DispensingRecordFormat format) =>
        Assert.Throws<DocumentValidationException>(() => format.Validate(xml, "application/xml"));

    [Fact]
    public void Validate_SignedMedisSample_ReturnsAlreadySigned()
    {
        Assert.Equal("document.already-signed", Refused(TestFiles.DispensingSample, _format).Code);
    }

    [Fact]
    public void Validate_MedisSampleWithoutPharmacistSignature_ExtractsTheCsvFields()
    {
        var xml = UnsignedSample;

        var result = _format.Validate(xml, "application/xml");

        Assert.Equal(xml, result.Content.ToArray());
        Assert.Equal(new DocumentSignatureLayout("Dispensing", "DispensingSign", "Document"), result.SignatureLayout);
        var display = Assert.IsType<DispensingDisplay>(result.Display);
        Assert.Equal("024d68dd-074f-4442-8fee-7d8c6c952afd", display.DispensingId);
        Assert.Equal("1439e0c5-7c1d-4512-861d-263de48417bf", display.PrescriptionId);
        Assert.Equal(new DateOnly(2022, 9, 8), display.DispensingDate);
        Assert.Equal(new Pharmacy("検証用薬局", "99", "8000014", "456-0001", "長崎県長崎市", null), display.Pharmacy);
        Assert.Equal("薬剤師漢字姓　漢字名01", display.PharmacistName);
        Assert.Equal(new DispensingPatient("電処　有効五二", "ﾃﾞﾝｿ ﾕｳｺｳｺﾞﾆ", Sex.Female, new DateOnly(2011, 1, 1)), display.Patient);
        Assert.Equal("検証用病院", display.InstitutionName);
        Assert.Equal("医師　０１郎", display.DoctorName);
        Assert.Equal(["備考０１"], display.Remarks);

        Assert.Equal(2, display.Rps.Count);
        Assert.Equal((1, "１日１回就寝前　服用", (decimal?)14m, "日分"), (display.Rps[0].Number, display.Rps[0].UsageText, display.Rps[0].Quantity, display.Rps[0].QuantityUnit));
        Assert.Equal(new DispensedDrug("ミニリンメルトＯＤ錠２５μｇ", 2m, "錠", "2", "622688101"), Assert.Single(display.Rps[0].Drugs));
        Assert.Equal((2, "適宜　服用", (decimal?)1m, "調剤"), (display.Rps[1].Number, display.Rps[1].UsageText, display.Rps[1].Quantity, display.Rps[1].QuantityUnit));
        Assert.Equal(new DispensedDrug("アルメタ軟膏　０．１％", 1m, "本", "2", "662640683"), Assert.Single(display.Rps[1].Drugs));

        // The embedded, doctor-signed prescription is shown too.
        Assert.Equal("医者　三郎", display.Prescription.Prescriber.NameKanji);
        Assert.Equal(new DateOnly(2022, 9, 7), display.Prescription.IssueDate);
    }

    [Fact]
    public void Validate_EmbeddedPrescriptionUnsigned_ReturnsReferenceUnsigned()
    {
        var xml = TestFiles.RemoveElement(UnsignedSample, "<PrescriptionSign>", "</PrescriptionSign>");

        var ex = Refused(xml, _format);

        Assert.Equal("document.reference-unsigned", ex.Code);
    }

    [Fact]
    public void Validate_CsvNamesAnotherPrescription_ReturnsInvalidField()
    {
        var csv = SampleCsv.Replace("7,1439e0c5-7c1d-4512-861d-263de48417bf,", "7,00000000-0000-0000-0000-000000000000,", StringComparison.Ordinal);
        var xml = TestFiles.ReplaceBase64(UnsignedSample, CsvStart, CsvEnd, csv);

        var ex = Refused(xml, _format);

        Assert.Equal("document.invalid-field", ex.Code);
        Assert.Equal("DispensingDocument/line[7]/record[7]/field[1]", ex.FieldPath);
    }

    [Fact]
    public void Validate_DispensedBeforePrescribed_ReturnsInvalidField()
    {
        var csv = SampleCsv.Replace("5,20220908,", "5,20220906,", StringComparison.Ordinal);

        var ex = Refused(TestFiles.ReplaceBase64(UnsignedSample, CsvStart, CsvEnd, csv), _format);

        Assert.Equal("document.invalid-field", ex.Code);
        Assert.Contains("record[5]", ex.FieldPath, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(11)]
    [InlineData(15)]
    [InlineData(201)]
    [InlineData(301)]
    public void Validate_RequiredRecordMissing_ReturnsMissingRecord(int recordNumber)
    {
        var lines = SampleCsv.Split('\n').Where(l => !l.StartsWith($"{recordNumber},", StringComparison.Ordinal));
        var xml = TestFiles.ReplaceBase64(UnsignedSample, CsvStart, CsvEnd, string.Join('\n', lines));

        var ex = Refused(xml, _format);

        Assert.Equal("document.missing-record", ex.Code);
        Assert.Equal($"DispensingDocument/record[{recordNumber}]", ex.FieldPath);
    }

    [Fact]
    public void Validate_OtherCsvVersion_ReturnsUnsupportedVersion()
    {
        var csv = "CJ2," + SampleCsv[4..];

        Assert.Equal("document.unsupported-version", Refused(TestFiles.ReplaceBase64(UnsignedSample, CsvStart, CsvEnd, csv), _format).Code);
    }

    [Fact]
    public void Validate_OtherXmlVersion_ReturnsUnsupportedVersion()
    {
        var xml = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(UnsignedSample).Replace("\"EPD1.0\"", "\"EPD9.9\"", StringComparison.Ordinal));

        Assert.Equal("document.unsupported-version", Refused(xml, _format).Code);
    }

    [Fact]
    public void Validate_StraySignatureOutsideTheReference_ReturnsAlreadySigned()
    {
        var text = Encoding.UTF8.GetString(UnsignedSample);
        var xml = Encoding.UTF8.GetBytes(text.Replace("</Document>", "<X><ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/></X></Document>", StringComparison.Ordinal));

        Assert.Equal("document.already-signed", Refused(xml, _format).Code);
    }

    [Fact]
    public void Validate_PrescriptionSubmittedAsDispensing_ReturnsInvalidStructure()
    {
        var xml = new PrescriptionCsvBuilder().ToXml();

        Assert.Equal("document.invalid-structure", Refused(xml, _format).Code);
    }
}
