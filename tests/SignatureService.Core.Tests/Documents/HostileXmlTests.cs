using System.Diagnostics;
using System.Text;
using SignatureService.Core.Documents;

namespace SignatureService.Core.Tests.Documents;

/// <summary>Hostile XML must fail fast, with its own code, in every XML format.</summary>
public sealed class HostileXmlTests
{
    private static readonly TimeSpan GenerousBound = TimeSpan.FromSeconds(5);

    private static readonly DocumentFormatRegistry Registry =
        DocumentFormatRegistry.CreateDefault(new FixedTimeProvider(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero)));

    // Note: attachments are PDF bytes, never parsed as XML (AttachmentFormat refuses XML by media type).
    public static TheoryData<string> DocumentTypes => new(DocumentTypeNames.All.Where(n => n != DocumentTypeNames.Attachment));

    private static DocumentValidationException RefusedQuickly(string documentType, byte[] content)
    {
        var stopwatch = Stopwatch.StartNew();
        var ex = Assert.Throws<DocumentValidationException>(() => Registry.Validate(documentType, content, "application/xml"));
        stopwatch.Stop();
        Assert.True(stopwatch.Elapsed < GenerousBound, $"took {stopwatch.Elapsed}");
        return ex;
    }

    [Theory]
    [MemberData(nameof(DocumentTypes))]
    public void Validate_ExternalEntity_ReturnsDtdForbidden(string documentType)
    {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <Document id="Document">&xxe;</Document>
            """;

        Assert.Equal("document.dtd-forbidden", RefusedQuickly(documentType, Encoding.UTF8.GetBytes(xml)).Code);
    }

    [Theory]
    [MemberData(nameof(DocumentTypes))]
    public void Validate_BillionLaughs_ReturnsDtdForbidden(string documentType)
    {
        var entities = new StringBuilder("<!ENTITY lol \"lol\">");
        for (var i = 1; i <= 9; i++)
        {
            var previous = i == 1 ? "lol" : $"lol{i - 1}";
            entities.Append(CultureInfoInvariant($"<!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&{previous};", 10))}\">"));
        }

        var xml = $"<?xml version=\"1.0\"?><!DOCTYPE Document [{entities}]><Document id=\"Document\">&lol9;</Document>";

        Assert.Equal("document.dtd-forbidden", RefusedQuickly(documentType, Encoding.UTF8.GetBytes(xml)).Code);
    }

    [Theory]
    [MemberData(nameof(DocumentTypes))]
    public void Validate_TenThousandLevelsDeep_ReturnsTooDeep(string documentType)
    {
        var xml = "<Document id=\"Document\">" + string.Concat(Enumerable.Repeat("<a>", 10_000)) + string.Concat(Enumerable.Repeat("</a>", 10_000)) + "</Document>";

        Assert.Equal("document.too-deep", RefusedQuickly(documentType, Encoding.UTF8.GetBytes(xml)).Code);
    }

    [Theory]
    [MemberData(nameof(DocumentTypes))]
    public void Validate_TwoMebibyteAttribute_ReturnsTooLarge(string documentType)
    {
        var xml = $"<Document id=\"Document\" x=\"{new string('a', 2 * 1024 * 1024)}\"/>";

        Assert.Equal("document.too-large", RefusedQuickly(documentType, Encoding.UTF8.GetBytes(xml)).Code);
    }

    [Theory]
    [MemberData(nameof(DocumentTypes))]
    public void Validate_AttributeOverItsLimit_ReturnsValueTooLong(string documentType)
    {
        var xml = $"<Document id=\"Document\" x=\"{new string('a', DocumentLimits.MaxAttributeLength + 1)}\"/>";

        Assert.Equal("document.value-too-long", RefusedQuickly(documentType, Encoding.UTF8.GetBytes(xml)).Code);
    }

    [Theory]
    [MemberData(nameof(DocumentTypes))]
    public void Validate_TooManyElements_ReturnsTooManyElements(string documentType)
    {
        var xml = "<Document id=\"Document\">" + string.Concat(Enumerable.Repeat("<a/>", DocumentLimits.MaxElements + 1)) + "</Document>";

        Assert.Equal("document.too-many-elements", RefusedQuickly(documentType, Encoding.UTF8.GetBytes(xml)).Code);
    }

    [Theory]
    [MemberData(nameof(DocumentTypes))]
    public void Validate_InvalidUtf8_ReturnsInvalidEncoding(string documentType)
    {
        var xml = Encoding.UTF8.GetBytes("<Document id=\"Document\">").Concat(new byte[] { 0xFF, 0xFE, 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("</Document>")).ToArray();

        Assert.Equal("document.invalid-encoding", RefusedQuickly(documentType, xml).Code);
    }

    [Theory]
    [MemberData(nameof(DocumentTypes))]
    public void Validate_DeclaresAnotherEncoding_ReturnsInvalidEncoding(string documentType)
    {
        var xml = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><Document id=\"Document\"/>");

        Assert.Equal("document.invalid-encoding", RefusedQuickly(documentType, xml).Code);
    }

    [Theory]
    [MemberData(nameof(DocumentTypes))]
    public void Validate_NotWellFormed_ReturnsMalformedXml(string documentType)
    {
        Assert.Equal("document.malformed-xml", RefusedQuickly(documentType, Encoding.UTF8.GetBytes("<Document id=\"Document\"><a></Document>")).Code);
    }

    [Theory]
    [MemberData(nameof(DocumentTypes))]
    public void Validate_Empty_ReturnsMalformedXml(string documentType)
    {
        Assert.Equal("document.malformed-xml", RefusedQuickly(documentType, []).Code);
    }

    [Theory]
    [MemberData(nameof(DocumentTypes))]
    public void Validate_InvalidCharacterReference_ReturnsMalformedXml(string documentType)
    {
        Assert.Equal("document.malformed-xml", RefusedQuickly(documentType, Encoding.UTF8.GetBytes("<Document id=\"Document\">&#0;</Document>")).Code);
    }

    private static string CultureInfoInvariant(FormattableString value) => FormattableString.Invariant(value);
}
