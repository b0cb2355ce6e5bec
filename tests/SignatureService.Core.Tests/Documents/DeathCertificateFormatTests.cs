using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using SignatureService.Core.Documents;
using SignatureService.Core.Documents.DeathCertificates;

namespace SignatureService.Core.Tests.Documents;

public sealed class DeathCertificateFormatTests
{
    private static readonly FixedTimeProvider Clock = new(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(9)));

    private readonly DeathCertificateFormat _death = new(DocumentType.DeathCertificate, Clock);
    private readonly DeathCertificateFormat _postmortem = new(DocumentType.PostmortemCertificate, Clock);

    private const string ValidJson = """
        {
          "documentId": "6F1C2B9E-3D4A-4E5F-8A7B-9C0D1E2F3A4B",
          "deceased": { "name": "死亡　太郎", "nameKana": "しぼう　たろう", "sex": 1, "dateOfBirth": "1940-04-01", "ageAtDeath": 86 },
          "death": {
            "date": "2026-11-18", "time": "14:30:00", "timeEstimated": false,
            "place": { "type": 1, "facilityName": "テスト総合病院", "address": "東京都千代田区千代田１－１" }
          },
          "causes": {
            "chainOfEvents": [
              { "description": "急性心筋梗塞", "onsetToDeath": { "value": 3, "unit": "hours" } },
              { "description": "狭心症", "onsetToDeath": { "value": 5, "unit": "years" } }
            ],
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

    private static byte[] Json(string json) => Encoding.UTF8.GetBytes(json);

    private static byte[] Modified(Action<JsonObject> change)
    {
        var node = JsonNode.Parse(ValidJson)!.AsObject();
        change(node);
        return Json(node.ToJsonString());
    }

    private static byte[] TrafficDeath(Action<JsonObject>? change = null) => Modified(node =>
    {
        node["mannerOfDeath"] = 2;
        node["externalCause"] = JsonNode.Parse("""
            { "injuryDate": "2026-11-18", "injuryTime": "11:05:00", "placeType": 3, "placeAddress": "東京都千代田区内", "circumstances": "歩行中に乗用車と衝突" }
            """);
        node["causes"]!["chainOfEvents"] = JsonNode.Parse("""[{ "description": "外傷性くも膜下出血", "onsetToDeath": { "value": 3, "unit": "hours" } }]""");
        change?.Invoke(node);
    });

    /// <summary>Validates with the published XSD file, independently of the copy compiled into the service.</summary>
    private static void AssertValidAgainstPublishedSchema(byte[] xml)
    {
        var schemas = new XmlSchemaSet();
        using (var reader = XmlReader.Create(Path.Combine(TestFiles.RepositoryRoot(), "openapi", "schemas", "death-certificate.xsd")))
        {
            schemas.Add(null, reader);
        }

        var errors = new List<string>();
        XDocument.Parse(Encoding.UTF8.GetString(xml)).Validate(schemas, (_, e) => errors.Add(e.Message));
        Assert.Empty(errors);
    }

    private static DocumentValidationException Refused(DeathCertificateFormat format, byte[] content, string mediaType = "application/json") =>
        Assert.Throws<DocumentValidationException>(() => format.Validate(content, mediaType));

    [Fact]
    public void Validate_Json_ProducesSchemaValidCanonicalXml()
    {
        var result = _death.Validate(Json(ValidJson), "application/json");

        var bytes = result.Content.ToArray();
        Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }));
        AssertValidAgainstPublishedSchema(bytes);
        Assert.Equal(SHA256.HashData(bytes), result.Sha256.ToArray());
        Assert.Equal("6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b", result.DocumentId);
        Assert.Equal(new DocumentSignatureLayout("DeathCertificateDocument", "DeathCertificateSign", "Document/DeathCertificate"), result.SignatureLayout);

        var root = XDocument.Parse(Encoding.UTF8.GetString(bytes)).Root!;
        var content = root.Element("DeathCertificate")!.Element("DeathCertificateDocument")!;
        Assert.Equal("DeathCertificateDocument", (string?)content.Attribute("id"));
        Assert.Equal("death-certificate", content.Element("Kind")!.Value);
        Assert.Equal("2026-11-18", content.Element("Death")!.Element("Date")!.Value);
        Assert.Equal("14:30", content.Element("Death")!.Element("Time")!.Value);
        Assert.Equal("1", (string?)content.Element("MannerOfDeath")!.Attribute("Code"));
        Assert.Equal(2, content.Element("Causes")!.Element("ChainOfEvents")!.Elements("Cause").Count());
        Assert.DoesNotContain("死亡　太郎", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SameJsonTwice_GivesIdenticalBytes()
    {
        var first = _death.Validate(Json(ValidJson), "application/json");
        var second = new DeathCertificateFormat(DocumentType.DeathCertificate, Clock).Validate(Json(ValidJson), "application/json");

        Assert.Equal(first.Content.ToArray(), second.Content.ToArray());
        Assert.Equal(first.Sha256Hex, second.Sha256Hex);
    }

    [Fact]
    public void Validate_JsonWithOtherMemberOrderAndWhitespace_GivesIdenticalBytes()
    {
        var node = JsonNode.Parse(ValidJson)!.AsObject();
        var reordered = new JsonObject();
        foreach (var (key, value) in node.Reverse())
        {
            reordered[key] = value?.DeepClone();
        }

        var first = _death.Validate(Json(ValidJson), "application/json");
        var second = _death.Validate(Json(reordered.ToJsonString()), "application/json; charset=utf-8");

        Assert.Equal(first.Content.ToArray(), second.Content.ToArray());
    }

    [Fact]
    public void Validate_CanonicalXmlSubmittedAsXml_GivesIdenticalBytes()
    {
        var fromJson = _death.Validate(Json(ValidJson), "application/json").Content.ToArray();
        var indented = Encoding.UTF8.GetBytes(XDocument.Parse(Encoding.UTF8.GetString(fromJson)).ToString(SaveOptions.None));

        var fromXml = _death.Validate(fromJson, "application/xml");
        var fromIndentedXml = _death.Validate(indented, "application/xml");

        Assert.Equal(fromJson, fromXml.Content.ToArray());
        Assert.Equal(fromJson, fromIndentedXml.Content.ToArray());
    }

    [Fact]
    public void Validate_Display_ReadsBackTheContent()
    {
        var display = Assert.IsType<DeathCertificateDisplay>(_death.Validate(Json(ValidJson), "application/json").Display);

        Assert.Equal(DocumentType.DeathCertificate, display.Kind);
        Assert.Equal("死亡　太郎", display.Certificate.Deceased.Name);
        Assert.Equal(Sex.Male, display.Certificate.Deceased.Sex);
        Assert.Equal(new TimeOnly(14, 30), display.Certificate.Death.Time);
        Assert.Equal(PlaceOfDeathType.Hospital, display.Certificate.Death.Place.Type);
        Assert.Equal(new OnsetInterval { Value = 5, Unit = IntervalUnit.Years }, display.Certificate.Causes.ChainOfEvents[1].OnsetToDeath);
        Assert.Equal("２型糖尿病", Assert.Single(display.Certificate.Causes.Contributing).Description);
    }

    [Fact]
    public void Validate_PostmortemFormat_WritesPostmortemKind()
    {
        var result = _postmortem.Validate(Json(ValidJson), "application/json");

        Assert.Equal(DocumentType.PostmortemCertificate, result.Type);
        Assert.Contains("<Kind>postmortem-certificate</Kind>", Encoding.UTF8.GetString(result.Content.Span), StringComparison.Ordinal);
        AssertValidAgainstPublishedSchema(result.Content.ToArray());
    }

    [Fact]
    public void Validate_DeathCertificateXmlToPostmortemFormat_ReturnsInvalidField()
    {
        var xml = _death.Validate(Json(ValidJson), "application/json").Content.ToArray();

        var ex = Refused(_postmortem, xml, "application/xml");

        Assert.Equal("document.invalid-field", ex.Code);
        Assert.EndsWith("/Kind", ex.FieldPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TrafficDeathWithExternalCause_IsAccepted()
    {
        var result = _death.Validate(TrafficDeath(), "application/json");

        AssertValidAgainstPublishedSchema(result.Content.ToArray());
        var certificate = Assert.IsType<DeathCertificateDisplay>(result.Display).Certificate;
        Assert.Equal(MannerOfDeath.TrafficAccident, certificate.MannerOfDeath);
        Assert.Equal(InjuryPlaceType.Road, certificate.ExternalCause!.PlaceType);
    }

    [Fact]
    public void Validate_DeathBeforeBirth_ReturnsInvalidField()
    {
        var ex = Refused(_death, Modified(n => n["deceased"]!["dateOfBirth"] = "2026-11-19"));

        Assert.Equal("document.invalid-field", ex.Code);
        Assert.Equal("deceased.dateOfBirth", ex.FieldPath);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    [InlineData(99)]
    public void Validate_UnknownMannerCode_ReturnsInvalidField(int code)
    {
        var ex = Refused(_death, Modified(n => n["mannerOfDeath"] = code));

        Assert.Equal("document.invalid-field", ex.Code);
        Assert.Equal("mannerOfDeath", ex.FieldPath);
    }

    [Fact]
    public void Validate_UnknownMannerCodeInXml_ReturnsSchemaViolation()
    {
        var xml = Encoding.UTF8.GetString(_death.Validate(Json(ValidJson), "application/json").Content.Span)
            .Replace("<MannerOfDeath Code=\"1\" />", "<MannerOfDeath Code=\"13\" />", StringComparison.Ordinal)
            .Replace("<MannerOfDeath Code=\"1\"/>", "<MannerOfDeath Code=\"13\"/>", StringComparison.Ordinal);
        Assert.Contains("Code=\"13\"", xml, StringComparison.Ordinal);

        var ex = Refused(_death, Encoding.UTF8.GetBytes(xml), "application/xml");

        Assert.Equal("document.schema-violation", ex.Code);
        Assert.Contains("MannerOfDeath", ex.FieldPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyChainOfEvents_ReturnsInvalidField()
    {
        var ex = Refused(_death, Modified(n => n["causes"]!["chainOfEvents"] = new JsonArray()));

        Assert.Equal("document.invalid-field", ex.Code);
        Assert.Equal("causes.chainOfEvents", ex.FieldPath);
    }

    [Fact]
    public void Validate_CausesWithoutChain_ReturnsMalformedJson()
    {
        var ex = Refused(_death, Modified(n => n["causes"]!.AsObject().Remove("chainOfEvents")));

        Assert.Equal("document.malformed-json", ex.Code);
    }

    [Fact]
    public void Validate_BlankCauseDescription_ReturnsInvalidField()
    {
        var ex = Refused(_death, Modified(n => n["causes"]!["chainOfEvents"]![0]!["description"] = "  "));

        Assert.Equal("causes.chainOfEvents[0].description", ex.FieldPath);
    }

    [Fact]
    public void Validate_UnderlyingCauseShorterThanDirectCause_ReturnsInvalidField()
    {
        // (イ) caused (ア), so it cannot have begun after it.
        var ex = Refused(_death, Modified(n => n["causes"]!["chainOfEvents"]![1]!["onsetToDeath"] = JsonNode.Parse("""{ "value": 30, "unit": "minutes" }""")));

        Assert.Equal("document.invalid-field", ex.Code);
        Assert.Equal("causes.chainOfEvents[1].onsetToDeath", ex.FieldPath);
    }

    [Fact]
    public void Validate_IntervalLongerThanLife_ReturnsInvalidField()
    {
        var ex = Refused(_death, Modified(n => n["causes"]!["contributing"]![0]!["onsetToDeath"] = JsonNode.Parse("""{ "value": 120, "unit": "years" }""")));

        Assert.Equal("causes.contributing[0].onsetToDeath", ex.FieldPath);
    }

    [Fact]
    public void Validate_ExternalMannerWithoutDetails_ReturnsInvalidField()
    {
        var ex = Refused(_death, TrafficDeath(n => n.Remove("externalCause")));

        Assert.Equal("externalCause", ex.FieldPath);
    }

    [Fact]
    public void Validate_NaturalDeathWithExternalDetails_ReturnsInvalidField()
    {
        var ex = Refused(_death, TrafficDeath(n => n["mannerOfDeath"] = 1));

        Assert.Equal("externalCause", ex.FieldPath);
    }

    [Fact]
    public void Validate_InjuryAfterDeath_ReturnsInvalidField()
    {
        var ex = Refused(_death, TrafficDeath(n => n["externalCause"]!["injuryTime"] = "15:00:00"));

        Assert.Equal("externalCause.injuryTime", ex.FieldPath);
    }

    [Theory]
    [InlineData("issueDate", "2026-11-21")]                   // in the future (Japan date is 2026-11-20)
    [InlineData("issueDate", "2026-11-17")]                   // before the diagnosis
    [InlineData("diagnosisOrExaminationDate", "2026-11-17")]  // before the death
    public void Validate_DatesOutOfOrder_ReturnsInvalidField(string field, string value)
    {
        var ex = Refused(_death, Modified(n => n[field] = value));

        Assert.Equal("document.invalid-field", ex.Code);
        Assert.Equal(field, ex.FieldPath);
    }

    [Fact]
    public void Validate_DeathInTheFuture_ReturnsInvalidField()
    {
        var ex = Refused(_death, Modified(n =>
        {
            n["death"]!["date"] = "2026-11-21";
            n["diagnosisOrExaminationDate"] = "2026-11-21";
            n["issueDate"] = "2026-11-21";
        }));

        Assert.Equal("death.date", ex.FieldPath);
    }

    [Fact]
    public void Validate_AgeDisagreesWithBirthDate_ReturnsInvalidField()
    {
        Assert.Equal("deceased.ageAtDeath", Refused(_death, Modified(n => n["deceased"]!["ageAtDeath"] = 85)).FieldPath);
    }

    [Fact]
    public void Validate_NoBirthDateAndNoAge_ReturnsInvalidField()
    {
        var ex = Refused(_postmortem, Modified(n =>
        {
            n["deceased"]!.AsObject().Remove("dateOfBirth");
            n["deceased"]!.AsObject().Remove("ageAtDeath");
        }));

        Assert.Equal("deceased.ageAtDeath", ex.FieldPath);
    }

    [Fact]
    public void Validate_HospitalWithoutFacilityName_ReturnsInvalidField()
    {
        Assert.Equal("death.place.facilityName", Refused(_death, Modified(n => n["death"]!["place"]!.AsObject().Remove("facilityName"))).FieldPath);
    }

    [Fact]
    public void Validate_SurgeryPerformedWithoutDate_ReturnsInvalidField()
    {
        Assert.Equal("surgery.date", Refused(_death, Modified(n => n["surgery"] = JsonNode.Parse("""{ "performed": true, "findings": "冠動脈バイパス術" }"""))).FieldPath);
    }

    [Fact]
    public void Validate_FindingsWithoutAutopsy_ReturnsInvalidField()
    {
        Assert.Equal("autopsy.findings", Refused(_death, Modified(n => n["autopsy"]!["findings"] = "所見")).FieldPath);
    }

    [Fact]
    public void Validate_CarriageReturnInText_ReturnsInvalidField()
    {
        Assert.Equal("remarks", Refused(_death, Modified(n => n["remarks"] = "一行目\r\n二行目")).FieldPath);
    }

    [Fact]
    public void Validate_DocumentIdNotUuid_ReturnsInvalidField()
    {
        Assert.Equal("documentId", Refused(_death, Modified(n => n["documentId"] = "DC-0001")).FieldPath);
    }

    [Theory]
    [InlineData("""{ "unexpected": 1 }""")]
    [InlineData("""[1, 2, 3]""")]
    [InlineData("""{ "documentId": null }""")]
    [InlineData("""not json""")]
    public void Validate_MalformedJson_ReturnsMalformedJson(string json)
    {
        Assert.Equal("document.malformed-json", Refused(_death, Json(json)).Code);
    }

    [Fact]
    public void Validate_UnknownMember_ReturnsMalformedJsonWithPath()
    {
        var ex = Refused(_death, Modified(n => n["deceased"]!["nickname"] = "x"));

        Assert.Equal("document.malformed-json", ex.Code);
        Assert.Contains("deceased", ex.FieldPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateMember_ReturnsMalformedJson()
    {
        var json = ValidJson.Replace("\"mannerOfDeath\": 1,", "\"mannerOfDeath\": 1, \"mannerOfDeath\": 2,", StringComparison.Ordinal);

        Assert.Equal("document.malformed-json", Refused(_death, Json(json)).Code);
    }

    [Fact]
    public void Validate_DeeplyNestedJson_ReturnsMalformedJson()
    {
        var json = string.Concat(Enumerable.Repeat("[", 10_000)) + string.Concat(Enumerable.Repeat("]", 10_000));

        Assert.Equal("document.malformed-json", Refused(_death, Json(json)).Code);
    }

    [Fact]
    public void Validate_SignedXml_ReturnsAlreadySigned()
    {
        var xml = Encoding.UTF8.GetString(_death.Validate(Json(ValidJson), "application/json").Content.Span)
            .Replace("</DeathCertificate>", "<DeathCertificateSign><ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"DeathCertificateSign\"/></DeathCertificateSign></DeathCertificate>", StringComparison.Ordinal);

        Assert.Equal("document.already-signed", Refused(_death, Encoding.UTF8.GetBytes(xml), "application/xml").Code);
    }

    [Fact]
    public void Validate_XmlWithUnknownElement_ReturnsSchemaViolation()
    {
        var xml = Encoding.UTF8.GetString(_death.Validate(Json(ValidJson), "application/json").Content.Span)
            .Replace("<IssueDate>", "<Extra>x</Extra><IssueDate>", StringComparison.Ordinal);

        Assert.Equal("document.schema-violation", Refused(_death, Encoding.UTF8.GetBytes(xml), "application/xml").Code);
    }

    [Fact]
    public void PublishedSchema_MatchesTheCompiledCopy()
    {
        var published = File.ReadAllText(Path.Combine(TestFiles.RepositoryRoot(), "openapi", "schemas", "death-certificate.xsd")).ReplaceLineEndings("\n").TrimEnd();

        Assert.Equal(published, DeathCertificateSchema.Xsd.ReplaceLineEndings("\n").TrimEnd());
    }

    [Fact]
    public void ToJson_RoundTripsThroughValidate()
    {
        var display = Assert.IsType<DeathCertificateDisplay>(_death.Validate(Json(ValidJson), "application/json").Display);

        var again = _death.Validate(Json(DeathCertificateFormat.ToJson(display.Certificate)), "application/json");

        Assert.Equal(_death.Validate(Json(ValidJson), "application/json").Sha256Hex, again.Sha256Hex);
    }

    [Theory]
    [InlineData("14:30:00", true)]
    [InlineData("14:30:15", false)]
    [InlineData("25:00:00", false)]
    public void Validate_DeathTime_MustBeWholeMinutes(string time, bool accepted)
    {
        var content = Modified(n => n["death"]!["time"] = time);

        if (accepted)
        {
            Assert.Equal(new TimeOnly(14, 30), Assert.IsType<DeathCertificateDisplay>(_death.Validate(content, "application/json").Display).Certificate.Death.Time);
        }
        else
        {
            Assert.Equal(time == "25:00:00" ? "document.malformed-json" : "document.invalid-field", Refused(_death, content).Code);
        }
    }

    [Fact]
    public void Validate_LoneSurrogateInName_ReturnsMalformedJson()
    {
        var json = ValidJson.Replace("\"name\": \"死亡　太郎\"", "\"name\": \"死亡\\ud800太郎\"", StringComparison.Ordinal);
        Assert.Contains("ud800", json, StringComparison.Ordinal);

        var ex = Refused(_death, Json(json));

        // System.Text.Json refuses the invalid escape itself; the rules check surrogates again for defence in depth.
        Assert.Equal("document.malformed-json", ex.Code);
        Assert.Contains("name", ex.FieldPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Sha256_MatchesOpenSsl()
    {
        var result = _death.Validate(Json(ValidJson), "application/json");
        var path = Path.Combine(Path.GetTempPath(), $"death-certificate-{Guid.NewGuid():N}.xml");
        File.WriteAllBytes(path, result.Content.ToArray());
        try
        {
            using var openssl = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("openssl", ["dgst", "-sha256", "-r", path])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            var output = openssl.StandardOutput.ReadToEnd();
            Assert.True(openssl.WaitForExit(10_000));

            Assert.Equal(0, openssl.ExitCode);
            Assert.Equal(result.Sha256Hex, output.Split(' ')[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
