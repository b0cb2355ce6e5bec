using System.Text.Json;
using System.Text.Json.Serialization;
using System.Xml.Linq;
using System.Xml.Schema;

namespace SignatureService.Core.Documents.DeathCertificates;

/// <summary>
/// Death certificate (死亡診断書) or postmortem examination certificate (死体検案書) in the service's own schema
/// (<see cref="DeathCertificateSchema"/>; DOMAIN.md §4). Accepts the JSON form of <see cref="DeathCertificate"/>
/// (<c>application/json</c>, camelCase, unknown members refused) or the XML itself (<c>application/xml</c>), and always returns
/// the canonical XML written by the service, so equal content gives equal bytes. Steps:
/// 1. size, media type and UTF-8; 2. parse (JSON strictly, or XML safely, then XSD); 3. the rules of the form
/// (dates in order, details required by the manner of death...); 4. write the canonical XML; 5. validate it against the XSD again.
/// </summary>
public sealed class DeathCertificateFormat : IDocumentFormat
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        AllowDuplicateProperties = false,
        NumberHandling = JsonNumberHandling.Strict,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = DocumentLimits.MaxJsonDepth,
    };

    private static readonly DocumentSignatureLayout Layout = new("DeathCertificateDocument", "DeathCertificateSign", "Document/DeathCertificate");

    private static readonly TimeSpan JapanOffset = TimeSpan.FromHours(9);

    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the format for one of the two certificate kinds.</summary>
    /// <param name="kind"><see cref="DocumentType.DeathCertificate"/> or <see cref="DocumentType.PostmortemCertificate"/>.</param>
    /// <param name="timeProvider">Clock for "not in the future" checks (dates are compared in Japan time, UTC+9).</param>
    public DeathCertificateFormat(DocumentType kind, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (kind is not (DocumentType.DeathCertificate or DocumentType.PostmortemCertificate))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a death certificate kind.");
        }

        Type = kind;
        _timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public DocumentType Type { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> MediaTypes { get; } = ["application/json", "application/xml", "text/xml"];

    /// <inheritdoc />
    public ValidatedDocument Validate(ReadOnlySpan<byte> content, string mediaType)
    {
        // 1. Size, media type, UTF-8.
        var baseType = DocumentInput.Check(content, mediaType, MediaTypes);

        // 2. Parse into the model.
        var certificate = baseType == "application/json" ? ParseJson(content) : ParseXml(content);

        // 3. Rules of the form.
        var today = DateOnly.FromDateTime(_timeProvider.GetUtcNow().ToOffset(JapanOffset).DateTime);
        DeathCertificateRules.Check(certificate, today);

        // 4. Canonical XML, then 5. the schema once more, so what is stored is always schema-valid.
        var bytes = DeathCertificateXml.Write(certificate, Type);
        var canonical = SecureXml.Load(bytes);
        ValidateSchema(canonical);
        var (_, readBack) = DeathCertificateXml.Read(canonical.Root!);

        var kindLabel = Type == DocumentType.DeathCertificate ? "Death certificate" : "Postmortem certificate";
        var summary = $"{kindLabel} {readBack.DocumentId}, death {readBack.Death.Date:yyyy-MM-dd}, issued {readBack.IssueDate:yyyy-MM-dd}";
        return new ValidatedDocument(Type, readBack.DocumentId, bytes, Layout, new DeathCertificateDisplay(Type, readBack), summary);
    }

    /// <summary>Serialises a certificate as the JSON this format accepts (camelCase), e.g. for clients and tests.</summary>
    public static string ToJson(DeathCertificate certificate) => JsonSerializer.Serialize(certificate, JsonOptions);

    private static DeathCertificate ParseJson(ReadOnlySpan<byte> content)
    {
        try
        {
            return JsonSerializer.Deserialize<DeathCertificate>(content, JsonOptions)
                ?? throw new DocumentValidationException(DocumentErrors.MalformedJson, "$");
        }
        catch (JsonException ex)
        {
            throw new DocumentValidationException(DocumentErrors.MalformedJson, ex.Path, ex);
        }
    }

    private DeathCertificate ParseXml(ReadOnlySpan<byte> content)
    {
        var document = SecureXml.Load(content);
        var root = document.Root!;
        if (root.Descendants("DeathCertificateSign").Any() || root.Descendants(SecureXml.DsigNamespace + "Signature").Any())
        {
            throw new DocumentValidationException(DocumentErrors.AlreadySigned, "Document/DeathCertificate/DeathCertificateSign");
        }

        ValidateSchema(document);
        var (kind, certificate) = DeathCertificateXml.Read(root);
        if (kind != DeathCertificateXml.KindName(Type))
        {
            throw new DocumentValidationException(DocumentErrors.InvalidField, "Document/DeathCertificate/DeathCertificateDocument/Kind");
        }

        return certificate;
    }

    private static void ValidateSchema(XDocument document)
    {
        DocumentValidationException? failure = null;
        document.Validate(DeathCertificateSchema.Schemas, (sender, args) =>
        {
            var path = sender switch
            {
                XElement element => SecureXml.PathOf(element),
                XAttribute { Parent: { } parent } attribute => $"{SecureXml.PathOf(parent)}/@{attribute.Name.LocalName}",
                _ => null,
            };
            failure ??= new DocumentValidationException(DocumentErrors.SchemaViolation, path, args.Exception);
        });
        if (failure is not null)
        {
            throw failure;
        }
    }
}
