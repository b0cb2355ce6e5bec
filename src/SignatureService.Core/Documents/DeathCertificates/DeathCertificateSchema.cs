using System.Xml;
using System.Xml.Schema;

namespace SignatureService.Core.Documents.DeathCertificates;

/// <summary>
/// The XML schema of the death and postmortem certificate (<c>DCS1.0</c>). The same text is published as
/// <c>openapi/schemas/death-certificate.xsd</c>; a test fails when the two drift apart.
/// </summary>
public static class DeathCertificateSchema
{
    /// <summary>The format version written in <c>DeathCertificateManagement/Version/@Value</c>.</summary>
    public const string Version = "DCS1.0";

    /// <summary>The XSD text.</summary>
    public const string Xsd = """
<?xml version="1.0" encoding="UTF-8"?>
<!--
  SignatureService death certificate (死亡診断書) and postmortem examination certificate (死体検案書), version DCS1.0.
  Follows the official form (医師法施行規則 第四号書式). No namespace, like the national e-prescription (EP.xsd).
  The XAdES signature goes into DeathCertificateSign and references #DeathCertificateDocument.
  Codes are the numbers printed on the form. Dates are Gregorian (yyyy-MM-dd), times are Japan local time (HH:mm).
  The service validates every document against this schema and then checks the rules a schema cannot express
  (dates in order, details required by the manner of death, ...).
-->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">

  <xs:element name="Document">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="DeathCertificate" type="DeathCertificateType"/>
      </xs:sequence>
      <xs:attribute name="id" type="IdDocument" use="required"/>
    </xs:complexType>
  </xs:element>

  <xs:complexType name="DeathCertificateType">
    <xs:sequence>
      <xs:element name="DeathCertificateManagement" type="ManagementType"/>
      <xs:element name="DeathCertificateDocument" type="CertificateType"/>
      <!-- Added by the service when it signs; a document submitted for signing must not have it. -->
      <xs:element name="DeathCertificateSign" type="SignType" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="ManagementType">
    <xs:sequence>
      <xs:element name="Version">
        <xs:complexType>
          <xs:attribute name="Value" use="required" fixed="DCS1.0" type="xs:string"/>
        </xs:complexType>
      </xs:element>
      <xs:element name="DocumentId">
        <xs:complexType>
          <xs:attribute name="Value" use="required" type="UuidType"/>
        </xs:complexType>
      </xs:element>
    </xs:sequence>
    <xs:attribute name="id" type="IdDeathCertificateManagement" use="required"/>
  </xs:complexType>

  <xs:complexType name="SignType">
    <xs:sequence>
      <xs:any namespace="http://www.w3.org/2000/09/xmldsig#" processContents="skip"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="CertificateType">
    <xs:sequence>
      <!-- death-certificate = 死亡診断書, postmortem-certificate = 死体検案書 -->
      <xs:element name="Kind" type="KindType"/>
      <xs:element name="Deceased" type="DeceasedType"/>
      <xs:element name="Death" type="DeathType"/>
      <xs:element name="Causes" type="CausesType"/>
      <xs:element name="Surgery" type="SurgeryType"/>
      <xs:element name="Autopsy" type="AutopsyType"/>
      <xs:element name="MannerOfDeath" type="MannerOfDeathType"/>
      <xs:element name="ExternalCause" type="ExternalCauseType" minOccurs="0"/>
      <!-- 診断年月日 (death certificate) or 検案年月日 (postmortem certificate) -->
      <xs:element name="DiagnosisOrExaminationDate" type="DateType"/>
      <!-- 本診断書（検案書）発行年月日 -->
      <xs:element name="IssueDate" type="DateType"/>
      <xs:element name="Physician" type="PhysicianType"/>
      <!-- その他特に付言すべきことがら -->
      <xs:element name="Remarks" type="Text2000" minOccurs="0"/>
    </xs:sequence>
    <xs:attribute name="id" type="IdDeathCertificateDocument" use="required"/>
  </xs:complexType>

  <xs:simpleType name="KindType">
    <xs:restriction base="xs:string">
      <xs:enumeration value="death-certificate"/>
      <xs:enumeration value="postmortem-certificate"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:complexType name="DeceasedType">
    <xs:sequence>
      <xs:element name="Name" type="Text100"/>
      <xs:element name="NameKana" type="Text100" minOccurs="0"/>
      <!-- 1 男, 2 女 -->
      <xs:element name="Sex" type="CodedSex"/>
      <xs:element name="DateOfBirth" type="DateType" minOccurs="0"/>
      <!-- Full years at death; required when the date of birth is unknown. -->
      <xs:element name="AgeAtDeath" type="AgeType" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="DeathType">
    <xs:sequence>
      <xs:element name="Date" type="DateType"/>
      <xs:element name="Time" type="DeathTimeType" minOccurs="0"/>
      <xs:element name="Place" type="PlaceOfDeathType"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="DeathTimeType">
    <xs:simpleContent>
      <xs:extension base="TimeType">
        <!-- true when the time is estimated (推定) -->
        <xs:attribute name="Estimated" type="xs:boolean" use="required"/>
      </xs:extension>
    </xs:simpleContent>
  </xs:complexType>

  <xs:complexType name="PlaceOfDeathType">
    <xs:sequence>
      <!-- 1 病院, 2 診療所, 3 介護医療院・介護老人保健施設, 4 助産所, 5 老人ホーム, 6 自宅, 7 その他 -->
      <xs:element name="Type" type="CodedPlaceOfDeath"/>
      <!-- Required for types 1 to 5. -->
      <xs:element name="FacilityName" type="Text200" minOccurs="0"/>
      <xs:element name="Address" type="Text200"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="CausesType">
    <xs:sequence>
      <!-- Part I: (ア) direct cause first, then (イ), (ウ), (エ) each the cause of the line above. -->
      <xs:element name="ChainOfEvents">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="Cause" type="CauseType" minOccurs="1" maxOccurs="4"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
      <!-- Part II: other significant conditions contributing to death. -->
      <xs:element name="ContributingConditions" minOccurs="0">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="Cause" type="CauseType" minOccurs="1" maxOccurs="3"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="CauseType">
    <xs:sequence>
      <xs:element name="Description" type="Text200"/>
      <!-- 発病（発症）又は受傷から死亡までの期間; absent when unknown. -->
      <xs:element name="OnsetToDeath" type="IntervalType" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="IntervalType">
    <xs:attribute name="Value" use="required">
      <xs:simpleType>
        <xs:restriction base="xs:int">
          <xs:minInclusive value="0"/>
          <xs:maxInclusive value="99999"/>
        </xs:restriction>
      </xs:simpleType>
    </xs:attribute>
    <xs:attribute name="Unit" use="required">
      <xs:simpleType>
        <xs:restriction base="xs:string">
          <xs:enumeration value="minutes"/>
          <xs:enumeration value="hours"/>
          <xs:enumeration value="days"/>
          <xs:enumeration value="months"/>
          <xs:enumeration value="years"/>
        </xs:restriction>
      </xs:simpleType>
    </xs:attribute>
  </xs:complexType>

  <xs:complexType name="SurgeryType">
    <xs:sequence>
      <!-- 部位及び主要所見 -->
      <xs:element name="Findings" type="Text1000" minOccurs="0"/>
      <xs:element name="Date" type="DateType" minOccurs="0"/>
    </xs:sequence>
    <xs:attribute name="Performed" type="xs:boolean" use="required"/>
  </xs:complexType>

  <xs:complexType name="AutopsyType">
    <xs:sequence>
      <xs:element name="Findings" type="Text1000" minOccurs="0"/>
    </xs:sequence>
    <xs:attribute name="Performed" type="xs:boolean" use="required"/>
  </xs:complexType>

  <!--
    死因の種類: 1 病死及び自然死; 不慮の外因死 2 交通事故, 3 転倒・転落, 4 溺水, 5 煙、火災及び火焔による傷害, 6 窒息, 7 中毒,
    8 その他; その他及び不詳の外因死 9 自殺, 10 他殺, 11 その他及び不詳の外因; 12 不詳の死
  -->
  <xs:complexType name="MannerOfDeathType">
    <xs:attribute name="Code" use="required">
      <xs:simpleType>
        <xs:restriction base="xs:int">
          <xs:minInclusive value="1"/>
          <xs:maxInclusive value="12"/>
        </xs:restriction>
      </xs:simpleType>
    </xs:attribute>
  </xs:complexType>

  <!-- 外因死の追加事項: required for codes 2 to 11, not allowed for code 1. -->
  <xs:complexType name="ExternalCauseType">
    <xs:sequence>
      <xs:element name="InjuryDate" type="DateType"/>
      <xs:element name="InjuryTime" type="TimeType" minOccurs="0"/>
      <!-- 1 住居, 2 工場及び建築現場, 3 道路, 4 その他 -->
      <xs:element name="PlaceType" type="CodedInjuryPlace"/>
      <xs:element name="PlaceAddress" type="Text200" minOccurs="0"/>
      <!-- 手段及び状況 -->
      <xs:element name="Circumstances" type="Text1000"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="PhysicianType">
    <xs:sequence>
      <xs:element name="Name" type="Text100"/>
      <xs:element name="InstitutionName" type="Text200"/>
      <xs:element name="InstitutionAddress" type="Text200"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="CodedSex">
    <xs:attribute name="Code" use="required">
      <xs:simpleType>
        <xs:restriction base="xs:int">
          <xs:enumeration value="1"/>
          <xs:enumeration value="2"/>
        </xs:restriction>
      </xs:simpleType>
    </xs:attribute>
  </xs:complexType>

  <xs:complexType name="CodedPlaceOfDeath">
    <xs:attribute name="Code" use="required">
      <xs:simpleType>
        <xs:restriction base="xs:int">
          <xs:minInclusive value="1"/>
          <xs:maxInclusive value="7"/>
        </xs:restriction>
      </xs:simpleType>
    </xs:attribute>
  </xs:complexType>

  <xs:complexType name="CodedInjuryPlace">
    <xs:attribute name="Code" use="required">
      <xs:simpleType>
        <xs:restriction base="xs:int">
          <xs:minInclusive value="1"/>
          <xs:maxInclusive value="4"/>
        </xs:restriction>
      </xs:simpleType>
    </xs:attribute>
  </xs:complexType>

  <xs:simpleType name="AgeType">
    <xs:restriction base="xs:int">
      <xs:minInclusive value="0"/>
      <xs:maxInclusive value="150"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="DateType">
    <xs:restriction base="xs:date">
      <xs:pattern value="\d{4}-\d{2}-\d{2}"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="TimeType">
    <xs:restriction base="xs:string">
      <xs:pattern value="([01]\d|2[0-3]):[0-5]\d"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="UuidType">
    <xs:restriction base="xs:string">
      <xs:pattern value="[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Text100">
    <xs:restriction base="xs:string">
      <xs:minLength value="1"/>
      <xs:maxLength value="100"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Text200">
    <xs:restriction base="xs:string">
      <xs:minLength value="1"/>
      <xs:maxLength value="200"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Text1000">
    <xs:restriction base="xs:string">
      <xs:minLength value="1"/>
      <xs:maxLength value="1000"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Text2000">
    <xs:restriction base="xs:string">
      <xs:minLength value="1"/>
      <xs:maxLength value="2000"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="IdDocument">
    <xs:restriction base="xs:ID">
      <xs:enumeration value="Document"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="IdDeathCertificateManagement">
    <xs:restriction base="xs:ID">
      <xs:enumeration value="DeathCertificateManagement"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="IdDeathCertificateDocument">
    <xs:restriction base="xs:ID">
      <xs:enumeration value="DeathCertificateDocument"/>
    </xs:restriction>
  </xs:simpleType>
</xs:schema>
""";

    private static readonly Lazy<XmlSchemaSet> CompiledSchemas = new(Compile, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The compiled schema set (read-only after compilation; safe to use from several threads for validation).</summary>
    internal static XmlSchemaSet Schemas => CompiledSchemas.Value;

    private static XmlSchemaSet Compile()
    {
        var set = new XmlSchemaSet { XmlResolver = null };
        using var reader = XmlReader.Create(new StringReader(Xsd), SecureXml.CreateReaderSettings());
        set.Add(null, reader);
        set.Compile();
        return set;
    }
}
