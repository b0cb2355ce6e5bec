using SignatureService.Core.Documents.Prescriptions;

namespace SignatureService.Core.Documents.Dispensing;

/// <summary>
/// What a pharmacist reviews before signing a dispensing record, read from the dispensing CSV (header <c>CJ1</c>; its records follow
/// the JAHIS 電子版お薬手帳データフォーマット numbering, given in brackets) and from the embedded signed prescription.
/// </summary>
/// <param name="DispensingId">DispensingId from <c>DispensingManagement</c>.</param>
/// <param name="PrescriptionId">The prescription dispensed [7]; equal to the embedded prescription's id.</param>
/// <param name="DispensingDate">調剤年月日 [5].</param>
/// <param name="Pharmacy">The pharmacy [11].</param>
/// <param name="PharmacistName">薬剤師氏名 [15].</param>
/// <param name="Patient">The patient [1].</param>
/// <param name="InstitutionName">Prescribing institution's name [51], if recorded.</param>
/// <param name="DoctorName">Prescriber's name [55], if recorded.</param>
/// <param name="Rps">Dispensed Rp groups [201, 301] in document order.</param>
/// <param name="Remarks">備考 [501] in document order.</param>
/// <param name="Prescription">The embedded prescription as its prescriber signed it.</param>
public sealed record DispensingDisplay(
    string DispensingId,
    string PrescriptionId,
    DateOnly DispensingDate,
    Pharmacy Pharmacy,
    string PharmacistName,
    DispensingPatient Patient,
    string? InstitutionName,
    string? DoctorName,
    IReadOnlyList<DispensedRp> Rps,
    IReadOnlyList<string> Remarks,
    PrescriptionDisplay Prescription) : DocumentDisplay;

/// <summary>The dispensing pharmacy [11].</summary>
/// <param name="Name">名称.</param>
/// <param name="PrefectureCode">都道府県番号, if recorded.</param>
/// <param name="Code">薬局コード, if recorded.</param>
/// <param name="PostalCode">郵便番号, if recorded.</param>
/// <param name="Address">所在地, if recorded.</param>
/// <param name="Phone">電話番号, if recorded.</param>
public sealed record Pharmacy(string Name, string? PrefectureCode, string? Code, string? PostalCode, string? Address, string? Phone);

/// <summary>The patient as recorded by the pharmacy [1].</summary>
/// <param name="Name">氏名.</param>
/// <param name="NameKana">カナ氏名, if recorded.</param>
/// <param name="Sex">性別, if recorded.</param>
/// <param name="DateOfBirth">生年月日, if recorded.</param>
public sealed record DispensingPatient(string Name, string? NameKana, Sex? Sex, DateOnly? DateOfBirth);

/// <summary>One dispensed Rp: its usage [301] and drugs [201].</summary>
/// <param name="Number">RP番号.</param>
/// <param name="UsageText">用法名称 [301], if recorded.</param>
/// <param name="Quantity">調剤数量 [301], if recorded.</param>
/// <param name="QuantityUnit">調剤単位 [301] (e.g. <c>日分</c>), if recorded.</param>
/// <param name="Drugs">Dispensed drugs [201] in order.</param>
public sealed record DispensedRp(int Number, string? UsageText, decimal? Quantity, string? QuantityUnit, IReadOnlyList<DispensedDrug> Drugs);

/// <summary>A dispensed drug [201].</summary>
/// <param name="Name">薬品名称.</param>
/// <param name="Quantity">用量.</param>
/// <param name="Unit">単位名.</param>
/// <param name="CodeKind">薬品コード種別, if recorded.</param>
/// <param name="Code">薬品コード, if recorded.</param>
public sealed record DispensedDrug(string Name, decimal Quantity, string Unit, string? CodeKind, string? Code);
