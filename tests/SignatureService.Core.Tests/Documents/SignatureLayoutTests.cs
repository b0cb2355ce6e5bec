using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using SignatureService.Core.Documents;
using SignatureService.Core.Documents.DeathCertificates;

namespace SignatureService.Core.Tests.Documents;

/// <summary>
/// Independent oracle: xmlsec1 signs each document where <see cref="ValidatedDocument.SignatureLayout"/> says, referencing the
/// target id (internal detached), and verifies it; a change inside the target breaks the signature.
/// </summary>
public sealed class SignatureLayoutTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dc-layout-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (int ExitCode, string Output) Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000));
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Inserts an XML-DSig template at the layout, signs it with xmlsec1, verifies it, and returns the signed file.</summary>
    private string SignAndVerify(ValidatedDocument document, string key)
    {
        var layout = document.SignatureLayout;

        // Put an XML-DSig template where the layout says: a new last child of the parent element.
        XNamespace ds = "http://www.w3.org/2000/09/xmldsig#";
        var xml = XDocument.Parse(Encoding.UTF8.GetString(document.Content.Span));
        var parent = layout.ParentElementPath.Split('/').Skip(1).Aggregate(xml.Root!, (e, name) => e.Element(name)!);
        parent.Add(new XElement(layout.SignatureElementName,
            new XElement(ds + "Signature", new XAttribute("xmlns", ds.NamespaceName), new XAttribute("Id", layout.SignatureElementName),
                new XElement(ds + "SignedInfo",
                    new XElement(ds + "CanonicalizationMethod", new XAttribute("Algorithm", "http://www.w3.org/2001/10/xml-exc-c14n#")),
                    new XElement(ds + "SignatureMethod", new XAttribute("Algorithm", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")),
                    new XElement(ds + "Reference", new XAttribute("URI", "#" + layout.TargetId),
                        new XElement(ds + "DigestMethod", new XAttribute("Algorithm", "http://www.w3.org/2001/04/xmlenc#sha256")),
                        new XElement(ds + "DigestValue"))),
                new XElement(ds + "SignatureValue"),
                new XElement(ds + "KeyInfo", new XElement(ds + "KeyValue")))));
        var template = Path.Combine(_directory, "template.xml");
        var signed = Path.Combine(_directory, "signed.xml");
        xml.Save(template, SaveOptions.DisableFormatting);
        // xmlsec1 is told which element carries the "id" attribute; here the element has the same name as its id value.
        const string idAttribute = "--id-attr:id";
        var idElement = layout.TargetId;
        // Note: a dispensing record holds the prescriber's signature first, so xmlsec1 is pointed at ours by its Id.
        var sign = Run("xmlsec1", ["--sign", "--privkey-pem", key, idAttribute, idElement, .. SelectSignature(layout), "--output", signed, template]);
        Assert.True(sign.ExitCode == 0, sign.Output);
        Assert.True(Verifies(key, signed, layout), "verify");

        return signed;
    }

    private string NewKey()
    {
        var key = Path.Combine(_directory, "key.pem");
        using var rsa = RSA.Create(2048);
        File.WriteAllText(key, rsa.ExportPkcs8PrivateKeyPem());
        return key;
    }

    private static string[] SelectSignature(DocumentSignatureLayout layout) =>
        ["--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:Signature", "--node-id", layout.SignatureElementName];

    private static bool Verifies(string key, string file, DocumentSignatureLayout layout) =>
        Run("xmlsec1", ["--verify", "--privkey-pem", key, "--id-attr:id", layout.TargetId, .. SelectSignature(layout), file]).ExitCode == 0;

    [Fact]
    public void Prescription_SignedByXmlsec1AtItsLayout_Verifies()
    {
        var document = new SignatureService.Core.Documents.Prescriptions.PrescriptionFormat().Validate(new PrescriptionCsvBuilder().ToXml(), "application/xml");
        var key = NewKey();

        var signed = SignAndVerify(document, key);

        var tampered = Path.Combine(_directory, "tampered.xml");
        var text = File.ReadAllText(signed);
        const string startTag = "<PrescriptionDocument id=\"PrescriptionDocument\">";
        var start = text.IndexOf(startTag, StringComparison.Ordinal) + startTag.Length;
        File.WriteAllText(tampered, text.Remove(start, 4).Insert(start, "U0oy"));
        Assert.False(Verifies(key, tampered, document.SignatureLayout));
    }

    [Fact]
    public void DispensingRecord_SignedByXmlsec1AtItsLayout_VerifiesAndCoversThePrescription()
    {
        var unsigned = TestFiles.RemoveElement(TestFiles.DispensingSample, "<DispensingSign>", "</DispensingSign>");
        var document = new SignatureService.Core.Documents.Dispensing.DispensingRecordFormat().Validate(unsigned, "application/xml");
        var key = NewKey();

        var signed = SignAndVerify(document, key);

        // The pharmacist's signature covers the embedded prescription too (DOMAIN.md §3).
        var tampered = Path.Combine(_directory, "tampered.xml");
        File.WriteAllText(tampered, File.ReadAllText(signed).Replace("1439e0c5-7c1d-4512-861d-263de48417bf", "1439e0c5-7c1d-4512-861d-263de48417b0", StringComparison.Ordinal));
        Assert.False(Verifies(key, tampered, document.SignatureLayout));
    }

    [Fact]
    public void CanonicalDeathCertificate_SignedByXmlsec1AtItsLayout_VerifiesAndStaysSchemaValid()
    {
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(9)));
        var format = new DeathCertificateFormat(DocumentType.DeathCertificate, clock);
        var json = """
            {
              "documentId": "0b8f6a52-7d7e-4d4c-9a34-5d2e3f1a9b10",
              "deceased": { "name": "検証　花子", "sex": 2, "dateOfBirth": "1950-06-30" },
              "death": { "date": "2026-11-19", "place": { "type": 6, "address": "大阪府大阪市北区１－１" } },
              "causes": { "chainOfEvents": [ { "description": "老衰" } ] },
              "surgery": { "performed": false },
              "autopsy": { "performed": false },
              "mannerOfDeath": 1,
              "diagnosisOrExaminationDate": "2026-11-19",
              "issueDate": "2026-11-20",
              "physician": { "name": "医師　次郎", "institutionName": "検証診療所", "institutionAddress": "大阪府大阪市北区２－２" }
            }
            """;
        var document = format.Validate(Encoding.UTF8.GetBytes(json), "application/json");
        var key = NewKey();
        var signed = SignAndVerify(document, key);

        // The signed file still matches the published schema, and the service refuses to sign it again.
        var schemas = new XmlSchemaSet();
        using (var reader = XmlReader.Create(Path.Combine(TestFiles.RepositoryRoot(), "openapi", "schemas", "death-certificate.xsd")))
        {
            schemas.Add(null, reader);
        }

        var errors = new List<string>();
        XDocument.Load(signed).Validate(schemas, (_, e) => errors.Add(e.Message));
        Assert.Empty(errors);
        var again = Assert.Throws<DocumentValidationException>(() => format.Validate(File.ReadAllBytes(signed), "application/xml"));
        Assert.Equal("document.already-signed", again.Code);

        // Changing the certified content breaks the signature: the reference really covers DeathCertificateDocument.
        var tampered = Path.Combine(_directory, "tampered.xml");
        File.WriteAllText(tampered, File.ReadAllText(signed).Replace("老衰", "肺炎", StringComparison.Ordinal));
        Assert.False(Verifies(key, tampered, document.SignatureLayout));
    }
}
