using System.Text;
using SignatureService.Core.Documents;
using SignatureService.Core.Tests.Documents;
using SignatureService.Testing.Fuzzing;
using Xunit.Abstractions;

namespace SignatureService.Core.Tests.Fuzzing;

/// <summary>
/// Hostile documents of every format: only <see cref="DocumentValidationException"/> with a catalogue code escapes, each input is
/// answered within the bound, DTDs and entities are refused (no XXE, no billion laughs), and the valid seeds are still accepted.
/// </summary>
public sealed class DocumentFuzzTests(ITestOutputHelper output)
{
    private const string PrescriptionCsvStart = "<PrescriptionDocument id=\"PrescriptionDocument\">";
    private const string PrescriptionCsvEnd = "</PrescriptionDocument>";
    private const string DispensingCsvStart = "<DispensingDocument id=\"DispensingDocument\">";
    private const string DispensingCsvEnd = "</DispensingDocument>";

    private static readonly HashSet<string> Codes = [.. DocumentErrors.All.Select(e => e.Code)];
    private static readonly FixedTimeProvider Clock = new(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(9)));

    private readonly DocumentFormatRegistry _registry = DocumentFormatRegistry.CreateDefault(Clock);

    private static byte[] MedisPrescription => TestFiles.RemoveElement(TestFiles.PrescriptionSample, "<PrescriptionSign>", "</PrescriptionSign>");

    private static byte[] MedisDispensing => TestFiles.RemoveElement(TestFiles.DispensingSample, "<DispensingSign>", "</DispensingSign>");

    private static byte[] DeathJson => Encoding.UTF8.GetBytes(DeathCertificateJson);

    [Fact]
    public void Validate_MutatedPrescriptionXml_ThrowsOnlyCatalogueErrors()
    {
        var seeds = new[] { new PrescriptionCsvBuilder().ToXml(), MedisPrescription };
        AssertAccepted(DocumentTypeNames.Prescription, seeds, "application/xml");
        var mutator = new Mutator(Fuzz.Seed, HostileCorpus.XmlTokens) { MostlyValidUtf8 = true };

        var report = Run("prescription XML", DocumentTypeNames.Prescription, "application/xml", mutator.Corpus(seeds, Fuzz.Iterations(2500), truncateUpTo: 0));

        Assert.True(report["accepted"] >= seeds.Length, report.ToString());
        Assert.True(report["document.malformed-xml"] > 0, report.ToString());
    }

    [Fact]
    public void Validate_MutatedPrescriptionCsv_ThrowsOnlyCatalogueErrors()
    {
        var builder = new PrescriptionCsvBuilder();
        var seeds = new[] { Encoding.UTF8.GetBytes(builder.ToCsv()), Encoding.UTF8.GetBytes(TestFiles.DecodeBase64(MedisPrescription, PrescriptionCsvStart, PrescriptionCsvEnd)) };
        var mutator = new Mutator(Fuzz.Seed + 1, HostileCorpus.CsvTokens) { MostlyValidUtf8 = true };
        // Note: the CSV travels Base64-encoded inside the XML; invalid UTF-8 in it must be caught after decoding.
        var inputs = mutator.Corpus(seeds, Fuzz.Iterations(2500), truncateUpTo: 0)
            .Select(i => i with { Data = Encoding.UTF8.GetBytes(PrescriptionCsvBuilder.Wrap(string.Empty, builder.PrescriptionId)
                .Replace("<PrescriptionDocument id=\"PrescriptionDocument\"></PrescriptionDocument>",
                    PrescriptionCsvStart + Convert.ToBase64String(i.Data) + PrescriptionCsvEnd, StringComparison.Ordinal)) });

        var report = Run("prescription CSV", DocumentTypeNames.Prescription, "application/xml", inputs);

        Assert.True(report["accepted"] >= 1, report.ToString());
        Assert.True(report["document.invalid-field"] > 0, report.ToString());
    }

    [Fact]
    public void Validate_MutatedDispensingRecord_ThrowsOnlyCatalogueErrors()
    {
        var xml = MedisDispensing;
        var csv = Encoding.UTF8.GetBytes(TestFiles.DecodeBase64(xml, DispensingCsvStart, DispensingCsvEnd));
        AssertAccepted(DocumentTypeNames.DispensingRecord, [xml], "application/xml");
        var xmlMutator = new Mutator(Fuzz.Seed + 2, HostileCorpus.XmlTokens) { MostlyValidUtf8 = true };
        var csvMutator = new Mutator(Fuzz.Seed + 3, HostileCorpus.CsvTokens) { MostlyValidUtf8 = true };
        var text = Encoding.UTF8.GetString(xml);
        var inputs = xmlMutator.Corpus([xml], Fuzz.Iterations(1000), truncateUpTo: 0)
            .Concat(csvMutator.Corpus([csv], Fuzz.Iterations(1000), truncateUpTo: 0).Select(i => i with
            {
                Index = i.Index + 1_000_000,
                Data = ReplaceBase64(text, DispensingCsvStart, DispensingCsvEnd, i.Data),
            }));

        var report = Run("dispensing record", DocumentTypeNames.DispensingRecord, "application/xml", inputs);

        Assert.True(report["accepted"] >= 2, report.ToString());
    }

    [Fact]
    public void Validate_MutatedDeathCertificateJson_ThrowsOnlyCatalogueErrors()
    {
        AssertAccepted(DocumentTypeNames.DeathCertificate, [DeathJson], "application/json");
        var mutator = new Mutator(Fuzz.Seed + 4, HostileCorpus.JsonTokens) { MostlyValidUtf8 = true };

        var report = Run("death certificate JSON", DocumentTypeNames.DeathCertificate, "application/json", mutator.Corpus([DeathJson], Fuzz.Iterations(2500), truncateUpTo: 0));

        Assert.True(report["document.malformed-json"] > 0, report.ToString());
    }

    [Fact]
    public void Validate_MutatedDeathCertificateXml_ThrowsOnlyCatalogueErrors()
    {
        var xml = _registry.Validate(DocumentTypeNames.DeathCertificate, DeathJson, "application/json").Content.ToArray();
        AssertAccepted(DocumentTypeNames.DeathCertificate, [xml], "application/xml");
        var mutator = new Mutator(Fuzz.Seed + 5, HostileCorpus.XmlTokens) { MostlyValidUtf8 = true };

        var report = Run("death certificate XML", DocumentTypeNames.DeathCertificate, "application/xml", mutator.Corpus([xml], Fuzz.Iterations(1500), truncateUpTo: 0));

        Assert.True(report["accepted"] >= 1, report.ToString());
        Assert.True(report["document.schema-violation"] + report["document.malformed-xml"] > 0, report.ToString());
    }

    [Theory]
    [InlineData(DocumentTypeNames.Prescription)]
    [InlineData(DocumentTypeNames.DispensingRecord)]
    [InlineData(DocumentTypeNames.DeathCertificate)]
    [InlineData(DocumentTypeNames.PostmortemCertificate)]
    public void Validate_EntityExpansionAndExternalEntities_AreRefusedWithoutExpansion(string type)
    {
        var inputs = HostileCorpus.ExternalEntities().Prepend(HostileCorpus.BillionLaughs()).Select((d, i) => new FuzzInput(i, "hostile", d));

        var report = Run($"{type} entities", type, "application/xml", inputs, total: TimeSpan.FromSeconds(20));

        Assert.Equal(0, report["accepted"]);
        Assert.True(report["document.dtd-forbidden"] >= 5, report.ToString());
    }

    [Theory]
    [InlineData(DocumentTypeNames.Prescription, "application/xml")]
    [InlineData(DocumentTypeNames.DispensingRecord, "application/xml")]
    [InlineData(DocumentTypeNames.DeathCertificate, "application/xml")]
    [InlineData(DocumentTypeNames.DeathCertificate, "application/json")]
    public void Validate_DepthBombsAndOddEncodings_ThrowOnlyCatalogueErrors(string type, string mediaType)
    {
        byte[][] hostile =
        [
            HostileCorpus.XmlDepthBomb(100), HostileCorpus.XmlDepthBomb(100_000), HostileCorpus.JsonDepthBomb(100_000), HostileCorpus.JsonObjectDepthBomb(10_000),
            [0xEF, 0xBB, 0xBF, .. "{}"u8], [0xFE, 0xFF, 0x00, 0x3C], [0xFF, 0xFE, 0x3C, 0x00], [0x00], [0xC0, 0x80], "\0<a/>"u8.ToArray(),
            new byte[DocumentLimits.MaxDocumentBytes + 1],
            Encoding.UTF8.GetBytes("<a " + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"a{i}=\"1\" ")) + "/>"),
            Encoding.UTF8.GetBytes("<a>" + new string('x', DocumentLimits.MaxDocumentBytes - 8) + "</a>"),
            Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Repeat("1e999999", 100_000)) + "]"),
            Encoding.UTF8.GetBytes("{\"documentId\":\"" + new string('9', 500_000) + "\"}"),
        ];

        var report = Run($"{type} hostile", type, mediaType, hostile.Select((d, i) => new FuzzInput(i, "hostile", d)), total: TimeSpan.FromSeconds(30));

        Assert.Equal(0, report["accepted"]);
    }

    private FuzzReport Run(string target, string type, string mediaType, IEnumerable<FuzzInput> inputs, TimeSpan? total = null)
    {
        var report = Fuzz.Run(target, Fuzz.Seed, inputs, data =>
        {
            _registry.Validate(type, data, mediaType);
            return "accepted";
        }, ex => ex is DocumentValidationException { Code: var code } && Codes.Contains(code) ? code : null, total: total);
        output.WriteLine(report.ToString());
        return report;
    }

    private void AssertAccepted(string type, byte[][] seeds, string mediaType)
    {
        foreach (var seed in seeds)
        {
            Assert.Equal(seed.Length > 0, _registry.Validate(type, seed, mediaType).Content.Length > 0);
        }
    }

    private static byte[] ReplaceBase64(string xml, string startTag, string endTag, byte[] content)
    {
        var start = xml.IndexOf(startTag, StringComparison.Ordinal) + startTag.Length;
        var end = xml.IndexOf(endTag, start, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(string.Concat(xml.AsSpan(0, start), Convert.ToBase64String(content), xml.AsSpan(end)));
    }

    private const string DeathCertificateJson = """
        {
          "documentId": "6F1C2B9E-3D4A-4E5F-8A7B-9C0D1E2F3A4B",
          "deceased": { "name": "死亡　太郎", "nameKana": "しぼう　たろう", "sex": 1, "dateOfBirth": "1940-04-01", "ageAtDeath": 86 },
          "death": {
            "date": "2026-11-18", "time": "14:30:00", "timeEstimated": false,
            "place": { "type": 1, "facilityName": "テスト総合病院", "address": "東京都千代田区千代田１－１" }
          },
          "causes": {
            "chainOfEvents": [ { "description": "急性心筋梗塞", "onsetToDeath": { "value": 3, "unit": "hours" } } ],
            "contributing": [ { "description": "２型糖尿病", "onsetToDeath": { "value": 10, "unit": "years" } } ]
          },
          "surgery": { "performed": false },
          "autopsy": { "performed": false },
          "mannerOfDeath": 1,
          "diagnosisOrExaminationDate": "2026-11-18",
          "issueDate": "2026-11-19",
          "physician": { "name": "医師　一郎", "institutionName": "テスト総合病院", "institutionAddress": "東京都千代田区千代田１－１" },
          "remarks": "特になし"
        }
        """;
}
