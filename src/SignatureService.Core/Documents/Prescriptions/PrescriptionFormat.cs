using System.Xml.Linq;

namespace SignatureService.Core.Documents.Prescriptions;

/// <summary>
/// The national e-prescription XML (電子処方箋管理サービス, <c>EPS1.0</c>; DOMAIN.md §3), submitted unsigned for signing:
/// <code>
/// &lt;Document id="Document"&gt;&lt;Prescription&gt;
///   &lt;PrescriptionManagement id="PrescriptionManagement"&gt;&lt;Version Value="EPS1.0"/&gt;&lt;PrescriptionId Value="…"/&gt;&lt;/PrescriptionManagement&gt;
///   &lt;PrescriptionDocument id="PrescriptionDocument"&gt;BASE64(UTF-8 CSV, first line SJ1)&lt;/PrescriptionDocument&gt;
///   (&lt;AdditionalPrescriptionInformation …&gt;)
/// &lt;/Prescription&gt;&lt;/Document&gt;
/// </code>
/// The submitted bytes are kept exactly (never re-serialised). A document that already contains a <c>PrescriptionSign</c> or any
/// <c>ds:Signature</c> is refused with <c>document.already-signed</c>: the service signs each prescription once, as its prescriber.
/// </summary>
public sealed class PrescriptionFormat : IDocumentFormat
{
    /// <summary>The supported <c>PrescriptionManagement/Version/@Value</c>.</summary>
    public const string Version = "EPS1.0";

    private static readonly DocumentSignatureLayout Layout = new("PrescriptionDocument", "PrescriptionSign", "Document/Prescription");

    /// <inheritdoc />
    public DocumentType Type => DocumentType.Prescription;

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

        if (root.Descendants("PrescriptionSign").Any() || root.Descendants(SecureXml.DsigNamespace + "Signature").Any())
        {
            throw new DocumentValidationException(DocumentErrors.AlreadySigned, "Document/Prescription/PrescriptionSign");
        }

        SecureXml.RequireUniqueIds(document);
        var prescription = SecureXml.Single(root, "Prescription");
        var (prescriptionId, display) = ReadPrescription(prescription);

        var summary = $"Prescription {prescriptionId}, issued {display.IssueDate:yyyy-MM-dd}, {display.Rps.Count} Rp, {display.Rps.Sum(r => r.Drugs.Count)} drug(s)";
        return new ValidatedDocument(Type, prescriptionId, content, Layout, display, summary);
    }

    /// <summary>
    /// Reads a <c>Prescription</c> element (also the <c>ReferencePrescription</c> of a dispensing record, which has the same children):
    /// version, id and the CSV. Signatures are not looked at here.
    /// </summary>
    internal static (string PrescriptionId, PrescriptionDisplay Display) ReadPrescription(XElement prescription)
    {
        var management = SecureXml.Single(prescription, "PrescriptionManagement");
        if ((string?)management.Attribute("id") != "PrescriptionManagement")
        {
            throw new DocumentValidationException(DocumentErrors.InvalidStructure, $"{SecureXml.PathOf(management)}/@id");
        }

        var version = SecureXml.ValueAttribute(management, "Version");
        if (version != Version)
        {
            throw new DocumentValidationException(DocumentErrors.UnsupportedVersion, $"{SecureXml.PathOf(management)}/Version");
        }

        var prescriptionId = SecureXml.ValueAttribute(management, "PrescriptionId");
        if (prescriptionId.Length > 64 || prescriptionId.Any(c => c <= ' ' || c > '~'))
        {
            throw new DocumentValidationException(DocumentErrors.InvalidField, $"{SecureXml.PathOf(management)}/PrescriptionId");
        }

        var csvElement = SecureXml.Single(prescription, "PrescriptionDocument");
        if ((string?)csvElement.Attribute("id") != "PrescriptionDocument")
        {
            throw new DocumentValidationException(DocumentErrors.InvalidStructure, $"{SecureXml.PathOf(csvElement)}/@id");
        }

        var csv = SecureXml.DecodeBase64(csvElement);
        return (prescriptionId, PrescriptionCsvReader.Read(csv, prescriptionId, "PrescriptionDocument"));
    }
}
