using System.Text.Json;
using SignatureService.Core.Documents;
using SignatureService.Core.Documents.Prescriptions;

namespace SignatureService.Core.Tests.Documents;

public sealed class DocumentCatalogueTests
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private static readonly FixedTimeProvider Clock = new(new DateTimeOffset(2026, 11, 20, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public void DocumentErrors_Codes_AreUniqueAndNamespaced()
    {
        var codes = DocumentErrors.All.Select(e => e.Code).ToList();

        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, c => Assert.Matches("^document\\.[a-z]+(-[a-z]+)*$", c));
        Assert.All(DocumentErrors.All, e => Assert.Contains(e.HttpStatus, new[] { 400, 413, 415 }));
    }

    [Fact]
    public void DocumentErrors_All_ListsEveryPublicField()
    {
        var fields = typeof(DocumentErrors).GetFields().Where(f => f.FieldType == typeof(DocumentError)).Select(f => (DocumentError)f.GetValue(null)!);

        Assert.Equal(fields.OrderBy(e => e.Code), DocumentErrors.All.OrderBy(e => e.Code));
    }

    [Theory]
    [InlineData("prescription", DocumentType.Prescription)]
    [InlineData("dispensing-record", DocumentType.DispensingRecord)]
    [InlineData("death-certificate", DocumentType.DeathCertificate)]
    [InlineData("postmortem-certificate", DocumentType.PostmortemCertificate)]
    public void DocumentTypeNames_RoundTrip(string name, DocumentType type)
    {
        Assert.True(DocumentTypeNames.TryParse(name, out var parsed));
        Assert.Equal(type, parsed);
        Assert.Equal(name, type.ToWireName());
    }

    [Theory]
    [InlineData("Prescription")]
    [InlineData("death_certificate")]
    [InlineData("")]
    [InlineData(null)]
    public void DocumentTypeNames_UnknownName_IsNotParsed(string? name)
    {
        Assert.False(DocumentTypeNames.TryParse(name, out _));
    }

    [Fact]
    public void Registry_Default_HasAFormatPerType()
    {
        var registry = DocumentFormatRegistry.CreateDefault(Clock);

        foreach (var type in Enum.GetValues<DocumentType>())
        {
            Assert.Equal(type, registry.Get(type).Type);
        }
    }

    [Fact]
    public void Registry_UnknownTypeName_ReturnsUnknownType()
    {
        var registry = DocumentFormatRegistry.CreateDefault(Clock);

        var ex = Assert.Throws<DocumentValidationException>(() => registry.Validate("referral-letter", new PrescriptionCsvBuilder().ToXml(), "application/xml"));

        Assert.Equal("document.unknown-type", ex.Code);
    }

    [Fact]
    public void Registry_ValidPrescription_IsRoutedToItsFormat()
    {
        var registry = DocumentFormatRegistry.CreateDefault(Clock);

        var result = registry.Validate("prescription", new PrescriptionCsvBuilder().ToXml(), "application/xml");

        Assert.Equal(DocumentType.Prescription, result.Type);
    }

    [Fact]
    public void Registry_DuplicateType_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => new DocumentFormatRegistry([new PrescriptionFormat(), new PrescriptionFormat()]));
    }

    [Fact]
    public void DocumentDisplay_SerialisesWithTypeDiscriminator()
    {
        var display = new PrescriptionFormat().Validate(new PrescriptionCsvBuilder().ToXml(), "application/xml").Display;

        var json = JsonSerializer.Serialize(display, WebJson);

        using var parsed = JsonDocument.Parse(json);
        Assert.Equal("prescription", parsed.RootElement.GetProperty("documentType").GetString());
        Assert.Equal("テスト内科クリニック", parsed.RootElement.GetProperty("institution").GetProperty("name").GetString());
    }
}
