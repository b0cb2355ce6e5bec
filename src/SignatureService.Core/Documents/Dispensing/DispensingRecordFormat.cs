using System.Xml.Linq;
using SignatureService.Core.Documents.Prescriptions;

namespace SignatureService.Core.Documents.Dispensing;

/// <summary>
/// The national dispensing record XML (<c>EPD1.0</c>; DOMAIN.md §3), submitted for the pharmacist's signature:
/// <code>
/// &lt;Document id="Document"&gt;
///   &lt;DispensingManagement id="DispensingManagement"&gt;&lt;Version Value="EPD1.0"/&gt;&lt;DispensingId Value="…"/&gt;&lt;/DispensingManagement&gt;
///   &lt;Dispensing id="Dispensing"&gt;
///     &lt;ReferencePrescription&gt;…the signed prescription, with its PrescriptionSign…&lt;/ReferencePrescription&gt;
///     &lt;DispensingDocument id="DispensingDocument"&gt;BASE64(UTF-8 CSV, first line CJ1)&lt;/DispensingDocument&gt;
///   &lt;/Dispensing&gt;
///   (&lt;AdditionalDispensedInformation …&gt;)
/// &lt;/Document&gt;
/// </code>
/// The pharmacist's <c>DispensingSign</c> is appended to <c>Document</c> and references <c>#Dispensing</c>, so it also covers the
/// prescriber's signature. Refused: a <c>DispensingSign</c> or a <c>ds:Signature</c> outside the embedded prescription
/// (<c>document.already-signed</c>); an embedded prescription without its signature (<c>document.reference-unsigned</c>).
/// The embedded signature itself is verified by the verification feature, not here. Submitted bytes are kept exactly.
/// </summary>
public sealed class DispensingRecordFormat : IDocumentFormat
{
    /// <summary>The supported <c>DispensingManagement/Version/@Value</c>.</summary>
    public const string Version = "EPD1.0";

    private static readonly DocumentSignatureLayout Layout = new("Dispensing", "DispensingSign", "Document");

    /// <inheritdoc />
    public DocumentType Type => DocumentType.DispensingRecord;

    /// <inheritdoc />
    public IReadOnlyList<string> MediaTypes { get; } = ["application/xml", "text/xml"];

    /// <inheritdoc />
    public ValidatedDocument Validate(ReadOnlySpan<byte> content, string mediaType)
    {
        DocumentInput.Check(content, mediaType, MediaTypes);
        var document = SecureXml.Load(content);
        var root = document.Root!;
        if (root.Name != "Document")
        {
            throw new DocumentValidationException(DocumentErrors.InvalidStructure, root.Name.LocalName);
        }

        var reference = root.Element("Dispensing")?.Element("ReferencePrescription");
        var ownSignature = root.Descendants("DispensingSign").Any()
            || root.Descendants(SecureXml.DsigNamespace + "Signature").Any(s => reference is null || !s.Ancestors().Contains(reference));
        if (ownSignature)
        {
            throw new DocumentValidationException(DocumentErrors.AlreadySigned, "Document/DispensingSign");
        }

        SecureXml.RequireUniqueIds(document);

        var management = SecureXml.Single(root, "DispensingManagement");
        if (SecureXml.ValueAttribute(management, "Version") != Version)
        {
            throw new DocumentValidationException(DocumentErrors.UnsupportedVersion, "Document/DispensingManagement/Version");
        }

        var dispensingId = SecureXml.ValueAttribute(management, "DispensingId");
        if (dispensingId.Length > 64 || dispensingId.Any(c => c <= ' ' || c > '~'))
        {
            throw new DocumentValidationException(DocumentErrors.InvalidField, "Document/DispensingManagement/DispensingId");
        }

        var dispensing = SecureXml.Single(root, "Dispensing");
        if ((string?)dispensing.Attribute("id") != "Dispensing")
        {
            throw new DocumentValidationException(DocumentErrors.InvalidStructure, "Document/Dispensing/@id");
        }

        var referencePrescription = SecureXml.Single(dispensing, "ReferencePrescription");
        RequirePrescriberSignature(referencePrescription);
        var (_, prescription) = PrescriptionFormat.ReadPrescription(referencePrescription);

        var csvElement = SecureXml.Single(dispensing, "DispensingDocument");
        if ((string?)csvElement.Attribute("id") != "DispensingDocument")
        {
            throw new DocumentValidationException(DocumentErrors.InvalidStructure, "Document/Dispensing/DispensingDocument/@id");
        }

        var display = DispensingCsvReader.Read(SecureXml.DecodeBase64(csvElement), dispensingId, prescription, "DispensingDocument");
        var summary = $"Dispensing {dispensingId} of prescription {display.PrescriptionId}, dispensed {display.DispensingDate:yyyy-MM-dd}, {display.Rps.Sum(r => r.Drugs.Count)} drug(s)";
        return new ValidatedDocument(Type, dispensingId, content, Layout, display, summary);
    }

    private static void RequirePrescriberSignature(XElement referencePrescription)
    {
        var sign = referencePrescription.Elements("PrescriptionSign").ToList();
        var signatures = sign.Count == 1 ? sign[0].Elements(SecureXml.DsigNamespace + "Signature").ToList() : [];
        if (signatures.Count != 1 || (string?)signatures[0].Attribute("Id") != "PrescriptionSign")
        {
            throw new DocumentValidationException(DocumentErrors.ReferenceUnsigned, "Document/Dispensing/ReferencePrescription/PrescriptionSign");
        }
    }
}
