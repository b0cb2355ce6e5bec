using System.Security.Cryptography;
using System.Text;
using SignatureService.Core.Documents;
using SignatureService.Core.Documents.Prescriptions;

namespace SignatureService.Core.Tests.Documents;

public sealed class PrescriptionFormatTests
{
    private readonly PrescriptionFormat _format = new();

    private static DocumentValidationException Refused(Action action) => Assert.Throws<DocumentValidationException>(action);

    [Fact]
    public void Validate_SignedMedisSample_ReturnsAlreadySigned()
    {
        var ex = Refused(() => _format.Validate(TestFiles.PrescriptionSample, "application/xml"));

        Assert.Equal("document.already-signed", ex.Code);
    }

    [Fact]
    public void Validate_MedisSampleWithoutItsSignature_ExtractsTheCsvFields()
    {
        var unsigned = TestFiles.RemoveElement(TestFiles.PrescriptionSample, "<PrescriptionSign>", "</PrescriptionSign>");

        var result = _format.Validate(unsigned, "application/xml");

        var display = Assert.IsType<PrescriptionDisplay>(result.Display);
        Assert.Equal("1439e0c5-7c1d-4512-861d-263de48417bf", display.PrescriptionId);
        Assert.Equal("1439e0c5-7c1d-4512-861d-263de48417bf", result.DocumentId);
        Assert.Equal(new PrescriptionInstitution("1", "8000010", "99", "検証用病院", "852-8154", "長崎県長崎市", "03-3775-3111", "内科"), display.Institution);
        Assert.Equal(new Prescriber("000000000000001", "ｲｼｬｻﾌﾞﾛｳ", "医者　三郎"), display.Prescriber);
        Assert.Equal(new PrescriptionPatient("000000000000001", "電処　有効五二", "ﾃﾞﾝｼｮ ﾕｳｺｳｺﾞﾆ", Sex.Female, new DateOnly(2011, 1, 1)), display.Patient);
        Assert.Equal(new DateOnly(2022, 9, 7), display.IssueDate);
        Assert.Equal(new DateOnly(2022, 12, 31), display.ExpiryDate);
        Assert.Equal(["備考０１"], display.Remarks);

        var insurance = Assert.IsType<PrescriptionInsurance>(display.Insurance);
        Assert.Equal(("1", "31130842", "2022", "010001", "01"), (insurance.InsuranceKind, insurance.InsurerNumber, insurance.CardSymbol, insurance.CardNumber, insurance.CardBranch));
        Assert.Equal(4, insurance.PublicExpenses.Count);
        Assert.Equal(new PublicExpense("29123456", "1234567"), insurance.PublicExpenses[0]);

        Assert.Equal(2, display.Rps.Count);
        var rp1 = display.Rps[0];
        Assert.Equal((1, DosageFormKind.Oral, 14, "1011100000000000", "１日１回就寝前　服用", (int?)1), (rp1.Number, rp1.DosageForm, rp1.Quantity, rp1.UsageCode, rp1.UsageText, rp1.TimesPerDay));
        Assert.Equal(["用法補足情報０１"], rp1.UsageSupplements);
        var drug1 = Assert.Single(rp1.Drugs);
        Assert.Equal((1, "2", "622688101", "ミニリンメルトＯＤ錠２５μｇ", 2m, "錠"), (drug1.Sequence, drug1.CodeKind, drug1.Code, drug1.Name, drug1.Quantity, drug1.Unit));
        Assert.Equal(["薬品補足情報０１"], drug1.Supplements);

        var rp2 = display.Rps[1];
        Assert.Equal((2, DosageFormKind.External, 1, "適宜　服用"), (rp2.Number, rp2.DosageForm, rp2.Quantity, rp2.UsageText));
        var drug2 = Assert.Single(rp2.Drugs);
        Assert.Equal(("662640683", "アルメタ軟膏　０．１％", 1m, "本"), (drug2.Code, drug2.Name, drug2.Quantity, drug2.Unit));
    }

    [Fact]
    public void Validate_ValidPrescription_KeepsSubmittedBytesAndHashesThem()
    {
        var xml = new PrescriptionCsvBuilder().ToXml();

        var result = _format.Validate(xml, "application/xml; charset=utf-8");

        Assert.Equal(xml, result.Content.ToArray());
        Assert.Equal(SHA256.HashData(xml), result.Sha256.ToArray());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(xml)), result.Sha256Hex);
        Assert.Equal(DocumentType.Prescription, result.Type);
        Assert.Equal(new DocumentSignatureLayout("PrescriptionDocument", "PrescriptionSign", "Document/Prescription"), result.SignatureLayout);
        Assert.DoesNotContain("患者", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BuiltPrescription_ReadsRpsInOrder()
    {
        var result = _format.Validate(new PrescriptionCsvBuilder().ToXml(), "text/xml");

        var display = Assert.IsType<PrescriptionDisplay>(result.Display);
        Assert.Equal([1, 2], display.Rps.Select(r => r.Number));
        Assert.Equal(DosageFormKind.AsNeeded, display.Rps[1].DosageForm);
        Assert.Null(display.Rps[1].TimesPerDay);
        Assert.Equal(["１回１錠"], display.Rps[1].Drugs[0].Supplements);
        Assert.Equal(3m, display.Rps[0].Drugs[0].Quantity);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(11)]
    [InlineData(51)]
    [InlineData(101)]
    public void Validate_RequiredRecordMissing_ReturnsMissingRecord(int recordNumber)
    {
        var builder = new PrescriptionCsvBuilder().Without(recordNumber);
        if (recordNumber == 101)
        {
            builder.Without(111).Without(201).Without(281);
        }

        var ex = Refused(() => _format.Validate(builder.ToXml(), "application/xml"));

        Assert.Equal("document.missing-record", ex.Code);
        Assert.Equal($"PrescriptionDocument/record[{recordNumber}]", ex.FieldPath);
    }

    [Fact]
    public void Validate_RpWithoutUsage_ReturnsMissingRecord()
    {
        var xml = new PrescriptionCsvBuilder().Add("101,3,1,,7").Add("201,3,1,1,2,620000033,カロナール錠３００　３００ｍｇ,3,1,錠").ToXml();

        var ex = Refused(() => _format.Validate(xml, "application/xml"));

        Assert.Equal("document.missing-record", ex.Code);
        Assert.Equal("PrescriptionDocument/rp[3]/record[111]", ex.FieldPath);
    }

    [Fact]
    public void Validate_RpWithoutDrug_ReturnsMissingRecord()
    {
        var xml = new PrescriptionCsvBuilder().Add("101,3,1,,7").Add("111,3,3,1013044400000000,１日３回朝昼夕食後　服用,3").ToXml();

        var ex = Refused(() => _format.Validate(xml, "application/xml"));

        Assert.Equal("document.missing-record", ex.Code);
        Assert.Equal("PrescriptionDocument/rp[3]/record[201]", ex.FieldPath);
    }

    [Theory]
    [InlineData(51, "51,2026-11-20")]                 // not yyyyMMdd
    [InlineData(51, "51,20261131")]                   // no such day
    [InlineData(13, "13,20270101")]                   // born after the issue date
    [InlineData(52, "52,20261119")]                   // expires before it is issued
    [InlineData(12, "12,3")]                          // unknown sex code
    [InlineData(1, "1,1,131234,13,テスト内科クリニック")] // institution code not 7 digits
    [InlineData(101, "101,1,8,,7")]                   // unknown dosage form
    [InlineData(101, "101,1,1,,0")]                   // zero days
    [InlineData(201, "201,1,1,1,2,620000033,カロナール錠３００　３００ｍｇ,３,1,錠")] // full-width quantity
    [InlineData(201, "201,9,1,1,2,620000033,カロナール錠３００　３００ｍｇ,3,1,錠")] // drug in an undeclared Rp
    [InlineData(5, "5,,ｼﾝｻﾂ ﾀﾛｳ,")]                  // prescriber name empty
    public void Validate_InvalidField_ReturnsInvalidField(int recordNumber, string line)
    {
        var xml = new PrescriptionCsvBuilder().Replace(recordNumber, line).ToXml();

        var ex = Refused(() => _format.Validate(xml, "application/xml"));

        Assert.Equal("document.invalid-field", ex.Code);
        Assert.Contains($"record[{recordNumber}]", ex.FieldPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateRpNumber_ReturnsInvalidField()
    {
        var xml = new PrescriptionCsvBuilder().Add("101,1,1,,7").ToXml();

        Assert.Equal("document.invalid-field", Refused(() => _format.Validate(xml, "application/xml")).Code);
    }

    [Theory]
    [InlineData("SJ2", "document.unsupported-version")]
    [InlineData("CJ1", "document.invalid-structure")]
    public void Validate_WrongCsvHeader_IsRefused(string header, string code)
    {
        var xml = new PrescriptionCsvBuilder().ReplaceHeader(header).ToXml();

        Assert.Equal(code, Refused(() => _format.Validate(xml, "application/xml")).Code);
    }

    [Fact]
    public void Validate_OtherXmlVersion_ReturnsUnsupportedVersion()
    {
        var xml = new PrescriptionCsvBuilder { Version = "EPS2.0" }.ToXml();

        Assert.Equal("document.unsupported-version", Refused(() => _format.Validate(xml, "application/xml")).Code);
    }

    [Fact]
    public void Validate_PrescriptionSignElementPresent_ReturnsAlreadySigned()
    {
        var xml = new PrescriptionCsvBuilder().ToXml("<PrescriptionSign/>");

        Assert.Equal("document.already-signed", Refused(() => _format.Validate(xml, "application/xml")).Code);
    }

    [Fact]
    public void Validate_DsigSignatureAnywhere_ReturnsAlreadySigned()
    {
        var xml = new PrescriptionCsvBuilder().ToXml("<Other><ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/></Other>");

        Assert.Equal("document.already-signed", Refused(() => _format.Validate(xml, "application/xml")).Code);
    }

    [Fact]
    public void Validate_DuplicateIdAttribute_ReturnsInvalidStructure()
    {
        // A second element with id="PrescriptionDocument" would let a verifier and a viewer look at different data.
        var xml = new PrescriptionCsvBuilder().ToXml("<AdditionalPrescriptionInformation id=\"PrescriptionDocument\"/>");

        var ex = Refused(() => _format.Validate(xml, "application/xml"));

        Assert.Equal("document.invalid-structure", ex.Code);
    }

    [Fact]
    public void Validate_CsvNotBase64_ReturnsInvalidField()
    {
        var xml = Encoding.UTF8.GetBytes(PrescriptionCsvBuilder.Wrap("x", "id-1").Replace(Convert.ToBase64String("x"u8.ToArray()), "***", StringComparison.Ordinal));

        Assert.Equal("document.invalid-field", Refused(() => _format.Validate(xml, "application/xml")).Code);
    }

    [Fact]
    public void Validate_CsvNotUtf8_ReturnsInvalidEncoding()
    {
        var csvBytes = Encoding.UTF8.GetBytes(new PrescriptionCsvBuilder().ToCsv()).Concat(new byte[] { 0xC3, 0x28 }).ToArray();
        var xml = Encoding.UTF8.GetBytes(PrescriptionCsvBuilder.Wrap("", "id-1").Replace("></PrescriptionDocument>", $">{Convert.ToBase64String(csvBytes)}</PrescriptionDocument>", StringComparison.Ordinal));

        Assert.Equal("document.invalid-encoding", Refused(() => _format.Validate(xml, "application/xml")).Code);
    }

    [Fact]
    public void Validate_WrongRoot_ReturnsInvalidStructure()
    {
        Assert.Equal("document.invalid-structure", Refused(() => _format.Validate("<Other/>"u8.ToArray(), "application/xml")).Code);
    }

    [Fact]
    public void Validate_MissingPrescriptionDocument_ReturnsInvalidStructure()
    {
        var xml = "<Document id=\"Document\"><Prescription><PrescriptionManagement id=\"PrescriptionManagement\"><Version Value=\"EPS1.0\"/><PrescriptionId Value=\"x\"/></PrescriptionManagement></Prescription></Document>"u8.ToArray();

        var ex = Refused(() => _format.Validate(xml, "application/xml"));

        Assert.Equal("document.invalid-structure", ex.Code);
        Assert.Equal("Document/Prescription/PrescriptionDocument", ex.FieldPath);
    }

    [Theory]
    [InlineData("application/json", "document.unsupported-media-type")]
    [InlineData("application/pdf", "document.unsupported-media-type")]
    [InlineData("", "document.unsupported-media-type")]
    [InlineData("application/xml; charset=shift_jis", "document.invalid-encoding")]
    public void Validate_WrongMediaType_IsRefused(string mediaType, string code)
    {
        Assert.Equal(code, Refused(() => _format.Validate(new PrescriptionCsvBuilder().ToXml(), mediaType)).Code);
    }

    [Fact]
    public void Validate_CsvWithCrLfLineEnds_IsAccepted()
    {
        var csv = new PrescriptionCsvBuilder().ToCsv().Replace("\n", "\r\n", StringComparison.Ordinal);

        var result = _format.Validate(Encoding.UTF8.GetBytes(PrescriptionCsvBuilder.Wrap(csv, "id-crlf")), "application/xml");

        Assert.Equal("テスト内科クリニック", Assert.IsType<PrescriptionDisplay>(result.Display).Institution.Name);
    }

    [Fact]
    public void Validate_ThousandsOfRps_IsHandledQuickly()
    {
        var builder = new PrescriptionCsvBuilder();
        for (var rp = 3; rp < 1600; rp++)
        {
            builder.Add($"101,{rp},1,,7").Add($"111,{rp},3,1013044400000000,１日３回朝昼夕食後　服用,3").Add($"201,{rp},1,1,2,620000033,カロナール錠３００　３００ｍｇ,3,1,錠");
        }

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var result = _format.Validate(builder.ToXml(), "application/xml");

        Assert.Equal(1599, Assert.IsType<PrescriptionDisplay>(result.Display).Rps.Count);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Validate_MoreCsvLinesThanAllowed_ReturnsTooManyElements()
    {
        var builder = new PrescriptionCsvBuilder();
        for (var i = 0; i < DocumentLimits.MaxCsvLines; i++)
        {
            builder.Add("81,1,,x");
        }

        Assert.Equal("document.too-many-elements", Refused(() => _format.Validate(builder.ToXml(), "application/xml")).Code);
    }

    [Fact]
    public void Validate_HugeElementName_KeepsTheFieldPathShort()
    {
        var name = new string('n', 100_000);
        var xml = Encoding.UTF8.GetBytes($"<{name}/>");

        var ex = Refused(() => _format.Validate(xml, "application/xml"));

        Assert.Equal("document.invalid-structure", ex.Code);
        Assert.True(ex.FieldPath!.Length <= DocumentValidationException.MaxFieldPathLength);
        Assert.True(ex.Message.Length < 1000);
    }

    [Fact]
    public void Validate_CallerChangesItsBufferAfterwards_StoredBytesAndHashStay()
    {
        var xml = new PrescriptionCsvBuilder().ToXml();
        var original = xml.ToArray();

        var result = _format.Validate(xml, "application/xml");
        Array.Fill(xml, (byte)'x');

        Assert.Equal(original, result.Content.ToArray());
        Assert.Equal(SHA256.HashData(original), result.Sha256.ToArray());
    }
}
