using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace SignatureService.Core.Documents.DeathCertificates;

/// <summary>
/// Maps <see cref="DeathCertificate"/> to and from the canonical XML of <see cref="DeathCertificateSchema"/>.
/// The writer is deterministic: UTF-8 without BOM, an XML declaration, no indentation, elements in schema order,
/// optional elements omitted when empty, dates <c>yyyy-MM-dd</c>, times <c>HH:mm</c>, the UUID in lower case.
/// </summary>
internal static class DeathCertificateXml
{
    /// <summary>Kind names written in <c>Kind</c>.</summary>
    public static string KindName(DocumentType kind) => kind switch
    {
        DocumentType.DeathCertificate => DocumentTypeNames.DeathCertificate,
        DocumentType.PostmortemCertificate => DocumentTypeNames.PostmortemCertificate,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a death certificate kind."),
    };

    /// <summary>Writes the canonical bytes.</summary>
    public static byte[] Write(DeathCertificate certificate, DocumentType kind)
    {
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = false,
            OmitXmlDeclaration = false,
            NewLineHandling = NewLineHandling.None,
            CheckCharacters = true,
        };
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, settings))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement("Document");
            writer.WriteAttributeString("id", "Document");
            writer.WriteStartElement("DeathCertificate");

            writer.WriteStartElement("DeathCertificateManagement");
            writer.WriteAttributeString("id", "DeathCertificateManagement");
            writer.WriteStartElement("Version");
            writer.WriteAttributeString("Value", DeathCertificateSchema.Version);
            writer.WriteEndElement();
            writer.WriteStartElement("DocumentId");
            writer.WriteAttributeString("Value", Guid.ParseExact(certificate.DocumentId, "D").ToString("D"));
            writer.WriteEndElement();
            writer.WriteEndElement();

            writer.WriteStartElement("DeathCertificateDocument");
            writer.WriteAttributeString("id", "DeathCertificateDocument");
            writer.WriteElementString("Kind", KindName(kind));
            WriteDeceased(writer, certificate.Deceased);
            WriteDeath(writer, certificate.Death);
            WriteCauses(writer, certificate.Causes);

            writer.WriteStartElement("Surgery");
            writer.WriteAttributeString("Performed", XmlConvert.ToString(certificate.Surgery.Performed));
            Optional(writer, "Findings", certificate.Surgery.Findings);
            Optional(writer, "Date", Date(certificate.Surgery.Date));
            writer.WriteEndElement();

            writer.WriteStartElement("Autopsy");
            writer.WriteAttributeString("Performed", XmlConvert.ToString(certificate.Autopsy.Performed));
            Optional(writer, "Findings", certificate.Autopsy.Findings);
            writer.WriteEndElement();

            Coded(writer, "MannerOfDeath", (int)certificate.MannerOfDeath);
            if (certificate.ExternalCause is { } external)
            {
                writer.WriteStartElement("ExternalCause");
                writer.WriteElementString("InjuryDate", Date(external.InjuryDate));
                Optional(writer, "InjuryTime", Time(external.InjuryTime));
                Coded(writer, "PlaceType", (int)external.PlaceType);
                Optional(writer, "PlaceAddress", external.PlaceAddress);
                writer.WriteElementString("Circumstances", external.Circumstances);
                writer.WriteEndElement();
            }

            writer.WriteElementString("DiagnosisOrExaminationDate", Date(certificate.DiagnosisOrExaminationDate));
            writer.WriteElementString("IssueDate", Date(certificate.IssueDate));
            writer.WriteStartElement("Physician");
            writer.WriteElementString("Name", certificate.Physician.Name);
            writer.WriteElementString("InstitutionName", certificate.Physician.InstitutionName);
            writer.WriteElementString("InstitutionAddress", certificate.Physician.InstitutionAddress);
            writer.WriteEndElement();
            Optional(writer, "Remarks", certificate.Remarks);

            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }

        return stream.ToArray();
    }

    private static void WriteDeceased(XmlWriter writer, Deceased deceased)
    {
        writer.WriteStartElement("Deceased");
        writer.WriteElementString("Name", deceased.Name);
        Optional(writer, "NameKana", deceased.NameKana);
        Coded(writer, "Sex", (int)deceased.Sex);
        Optional(writer, "DateOfBirth", Date(deceased.DateOfBirth));
        Optional(writer, "AgeAtDeath", deceased.AgeAtDeath?.ToString(CultureInfo.InvariantCulture));
        writer.WriteEndElement();
    }

    private static void WriteDeath(XmlWriter writer, DeathEvent death)
    {
        writer.WriteStartElement("Death");
        writer.WriteElementString("Date", Date(death.Date));
        if (death.Time is { } time)
        {
            writer.WriteStartElement("Time");
            writer.WriteAttributeString("Estimated", XmlConvert.ToString(death.TimeEstimated));
            writer.WriteString(Time(time));
            writer.WriteEndElement();
        }

        writer.WriteStartElement("Place");
        Coded(writer, "Type", (int)death.Place.Type);
        Optional(writer, "FacilityName", death.Place.FacilityName);
        writer.WriteElementString("Address", death.Place.Address);
        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    private static void WriteCauses(XmlWriter writer, CausesOfDeath causes)
    {
        writer.WriteStartElement("Causes");
        writer.WriteStartElement("ChainOfEvents");
        foreach (var cause in causes.ChainOfEvents)
        {
            WriteCause(writer, cause);
        }

        writer.WriteEndElement();
        if (causes.Contributing.Count > 0)
        {
            writer.WriteStartElement("ContributingConditions");
            foreach (var cause in causes.Contributing)
            {
                WriteCause(writer, cause);
            }

            writer.WriteEndElement();
        }

        writer.WriteEndElement();
    }

    private static void WriteCause(XmlWriter writer, CauseOfDeath cause)
    {
        writer.WriteStartElement("Cause");
        writer.WriteElementString("Description", cause.Description);
        if (cause.OnsetToDeath is { } interval)
        {
            writer.WriteStartElement("OnsetToDeath");
            writer.WriteAttributeString("Value", interval.Value.ToString(CultureInfo.InvariantCulture));
            writer.WriteAttributeString("Unit", UnitName(interval.Unit));
            writer.WriteEndElement();
        }

        writer.WriteEndElement();
    }

    private static void Coded(XmlWriter writer, string name, int code)
    {
        writer.WriteStartElement(name);
        writer.WriteAttributeString("Code", code.ToString(CultureInfo.InvariantCulture));
        writer.WriteEndElement();
    }

    private static void Optional(XmlWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteElementString(name, value);
        }
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Date(DateOnly? date) => date is { } d ? Date(d) : null;

    private static string Time(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    private static string? Time(TimeOnly? time) => time is { } t ? Time(t) : null;

    private static string UnitName(IntervalUnit unit) => unit switch
    {
        IntervalUnit.Minutes => "minutes",
        IntervalUnit.Hours => "hours",
        IntervalUnit.Days => "days",
        IntervalUnit.Months => "months",
        IntervalUnit.Years => "years",
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Undefined interval unit."),
    };

    /// <summary>
    /// Reads a schema-valid document back into the model. Only called after <see cref="DeathCertificateSchema"/> validation,
    /// so shapes and lexical forms are already known to be right.
    /// </summary>
    public static (string Kind, DeathCertificate Certificate) Read(XElement root)
    {
        var certificate = root.Element("DeathCertificate")!;
        var management = certificate.Element("DeathCertificateManagement")!;
        var content = certificate.Element("DeathCertificateDocument")!;
        var deceased = content.Element("Deceased")!;
        var death = content.Element("Death")!;
        var place = death.Element("Place")!;
        var causes = content.Element("Causes")!;
        var surgery = content.Element("Surgery")!;
        var autopsy = content.Element("Autopsy")!;
        var external = content.Element("ExternalCause");
        var physician = content.Element("Physician")!;
        var time = death.Element("Time");

        var model = new DeathCertificate
        {
            DocumentId = (string)management.Element("DocumentId")!.Attribute("Value")!,
            Deceased = new Deceased
            {
                Name = deceased.Element("Name")!.Value,
                NameKana = deceased.Element("NameKana")?.Value,
                Sex = (Sex)Code(deceased.Element("Sex")!),
                DateOfBirth = OptionalDate(deceased.Element("DateOfBirth")),
                AgeAtDeath = deceased.Element("AgeAtDeath") is { } age ? XmlConvert.ToInt32(age.Value) : null,
            },
            Death = new DeathEvent
            {
                Date = ParseDate(death.Element("Date")!.Value),
                Time = time is null ? null : ParseTime(time.Value),
                TimeEstimated = time is not null && XmlConvert.ToBoolean((string)time.Attribute("Estimated")!),
                Place = new PlaceOfDeath
                {
                    Type = (PlaceOfDeathType)Code(place.Element("Type")!),
                    FacilityName = place.Element("FacilityName")?.Value,
                    Address = place.Element("Address")!.Value,
                },
            },
            Causes = new CausesOfDeath
            {
                ChainOfEvents = causes.Element("ChainOfEvents")!.Elements("Cause").Select(ReadCause).ToList(),
                Contributing = causes.Element("ContributingConditions")?.Elements("Cause").Select(ReadCause).ToList() ?? [],
            },
            Surgery = new Surgery
            {
                Performed = XmlConvert.ToBoolean((string)surgery.Attribute("Performed")!),
                Findings = surgery.Element("Findings")?.Value,
                Date = OptionalDate(surgery.Element("Date")),
            },
            Autopsy = new Autopsy
            {
                Performed = XmlConvert.ToBoolean((string)autopsy.Attribute("Performed")!),
                Findings = autopsy.Element("Findings")?.Value,
            },
            MannerOfDeath = (MannerOfDeath)Code(content.Element("MannerOfDeath")!),
            ExternalCause = external is null
                ? null
                : new ExternalCause
                {
                    InjuryDate = ParseDate(external.Element("InjuryDate")!.Value),
                    InjuryTime = external.Element("InjuryTime") is { } injuryTime ? ParseTime(injuryTime.Value) : null,
                    PlaceType = (InjuryPlaceType)Code(external.Element("PlaceType")!),
                    PlaceAddress = external.Element("PlaceAddress")?.Value,
                    Circumstances = external.Element("Circumstances")!.Value,
                },
            DiagnosisOrExaminationDate = ParseDate(content.Element("DiagnosisOrExaminationDate")!.Value),
            IssueDate = ParseDate(content.Element("IssueDate")!.Value),
            Physician = new CertifyingPhysician
            {
                Name = physician.Element("Name")!.Value,
                InstitutionName = physician.Element("InstitutionName")!.Value,
                InstitutionAddress = physician.Element("InstitutionAddress")!.Value,
            },
            Remarks = content.Element("Remarks")?.Value,
        };
        return (content.Element("Kind")!.Value, model);
    }

    private static CauseOfDeath ReadCause(XElement cause) => new()
    {
        Description = cause.Element("Description")!.Value,
        OnsetToDeath = cause.Element("OnsetToDeath") is { } interval
            ? new OnsetInterval
            {
                Value = XmlConvert.ToInt32((string)interval.Attribute("Value")!),
                Unit = (string)interval.Attribute("Unit")! switch
                {
                    "minutes" => IntervalUnit.Minutes,
                    "hours" => IntervalUnit.Hours,
                    "days" => IntervalUnit.Days,
                    "months" => IntervalUnit.Months,
                    _ => IntervalUnit.Years,
                },
            }
            : null,
    };

    private static int Code(XElement element) => XmlConvert.ToInt32((string)element.Attribute("Code")!);

    private static DateOnly? OptionalDate(XElement? element) => element is null ? null : ParseDate(element.Value);

    private static DateOnly ParseDate(string value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new DocumentValidationException(DocumentErrors.SchemaViolation);

    private static TimeOnly ParseTime(string value) =>
        TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw new DocumentValidationException(DocumentErrors.SchemaViolation);
}
