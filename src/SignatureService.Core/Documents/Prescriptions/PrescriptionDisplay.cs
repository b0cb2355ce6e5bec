namespace SignatureService.Core.Documents.Prescriptions;

/// <summary>
/// What a prescriber reviews before signing a prescription, read from the JAHIS CSV (院外処方箋2次元シンボル記録条件規約 record
/// numbers in brackets). Dates are Gregorian calendar dates as written in the CSV (<c>yyyyMMdd</c>).
/// </summary>
/// <param name="PrescriptionId">PrescriptionId from <c>PrescriptionManagement</c> (a UUID in the national service).</param>
/// <param name="Institution">The issuing institution [1–4].</param>
/// <param name="Prescriber">The prescriber [5].</param>
/// <param name="Patient">The patient [11–13].</param>
/// <param name="Insurance">Insurance and public-expense numbers [21–31], or <see langword="null"/> when none are recorded.</param>
/// <param name="IssueDate">交付年月日 [51].</param>
/// <param name="ExpiryDate">使用期限年月日 [52], or <see langword="null"/> (the statutory default then applies: 4 days including the issue date).</param>
/// <param name="Rps">The Rp groups (剤) in document order [101 and following].</param>
/// <param name="Remarks">備考 texts [81] in document order.</param>
public sealed record PrescriptionDisplay(
    string PrescriptionId,
    PrescriptionInstitution Institution,
    Prescriber Prescriber,
    PrescriptionPatient Patient,
    PrescriptionInsurance? Insurance,
    DateOnly IssueDate,
    DateOnly? ExpiryDate,
    IReadOnlyList<PrescriptionRp> Rps,
    IReadOnlyList<string> Remarks) : DocumentDisplay;

/// <summary>The issuing institution.</summary>
/// <param name="ScoreTableCode">点数表コード [1]: 1 医科, 3 歯科.</param>
/// <param name="Code">医療機関コード, 7 digits [1].</param>
/// <param name="PrefectureCode">都道府県番号, 2 digits [1].</param>
/// <param name="Name">名称 [1].</param>
/// <param name="PostalCode">郵便番号 [2], if recorded.</param>
/// <param name="Address">所在地 [2], if recorded.</param>
/// <param name="Phone">電話番号 [3], if recorded.</param>
/// <param name="Department">診療科名 [4], if recorded.</param>
public sealed record PrescriptionInstitution(
    string ScoreTableCode, string Code, string PrefectureCode, string Name, string? PostalCode, string? Address, string? Phone, string? Department);

/// <summary>The prescriber (医師・歯科医師) [5].</summary>
/// <param name="Code">医師コード, if recorded.</param>
/// <param name="NameKana">カナ氏名 (half-width katakana), if recorded.</param>
/// <param name="NameKanji">漢字氏名.</param>
public sealed record Prescriber(string? Code, string? NameKana, string NameKanji);

/// <summary>The patient.</summary>
/// <param name="Code">患者コード [11], if recorded.</param>
/// <param name="NameKanji">漢字氏名 [11].</param>
/// <param name="NameKana">カナ氏名 [11] (half-width katakana), if recorded.</param>
/// <param name="Sex">性別 [12], if recorded.</param>
/// <param name="DateOfBirth">生年月日 [13], if recorded.</param>
public sealed record PrescriptionPatient(string? Code, string NameKanji, string? NameKana, Sex? Sex, DateOnly? DateOfBirth);

/// <summary>Insurance numbers as recorded; each is <see langword="null"/> when absent.</summary>
/// <param name="InsuranceKind">保険種別 [21] (1 医保, 2 国保, 7 後期高齢者...).</param>
/// <param name="InsurerNumber">保険者番号 [22].</param>
/// <param name="CardSymbol">被保険者証記号 [23].</param>
/// <param name="CardNumber">被保険者証番号 [23].</param>
/// <param name="CardBranch">枝番 [23].</param>
/// <param name="PublicExpenses">公費負担者番号 and 受給者番号 [27–30], first to special.</param>
public sealed record PrescriptionInsurance(
    string? InsuranceKind, string? InsurerNumber, string? CardSymbol, string? CardNumber, string? CardBranch,
    IReadOnlyList<PublicExpense> PublicExpenses);

/// <summary>A public-expense (公費) payer and recipient.</summary>
/// <param name="PayerNumber">公費負担者番号.</param>
/// <param name="RecipientNumber">公費受給者番号, if recorded.</param>
public sealed record PublicExpense(string PayerNumber, string? RecipientNumber);

/// <summary>Dosage form group (剤形区分) of an Rp [101].</summary>
public enum DosageFormKind
{
    /// <summary>内服 (oral; quantity in days, 日分).</summary>
    Oral = 1,

    /// <summary>頓服 (as needed; quantity in times, 回分).</summary>
    AsNeeded = 2,

    /// <summary>外用 (external).</summary>
    External = 3,

    /// <summary>内服滴剤 (oral drops; quantity in days).</summary>
    OralDrops = 4,

    /// <summary>注射 (injection).</summary>
    Injection = 5,

    /// <summary>医療材料 (medical material).</summary>
    MedicalMaterial = 6,

    /// <summary>不明 (unknown).</summary>
    Unknown = 9,
}

/// <summary>One Rp (剤): dosage form, usage and drugs.</summary>
/// <param name="Number">RP番号 [101].</param>
/// <param name="DosageForm">剤形区分 [101].</param>
/// <param name="DosageFormName">剤形名称 [101], if recorded.</param>
/// <param name="Quantity">調剤数量 [101]: days for oral forms, times for as-needed, usually 1 otherwise.</param>
/// <param name="UsageCode">用法コード [111], if recorded.</param>
/// <param name="UsageText">用法名称 [111], e.g. <c>１日１回就寝前　服用</c>.</param>
/// <param name="TimesPerDay">用法１日回数 [111], if recorded.</param>
/// <param name="UsageSupplements">用法補足情報 [181] in order.</param>
/// <param name="Drugs">The drugs [201] in order.</param>
public sealed record PrescriptionRp(
    int Number, DosageFormKind DosageForm, string? DosageFormName, int Quantity, string? UsageCode, string UsageText, int? TimesPerDay,
    IReadOnlyList<string> UsageSupplements, IReadOnlyList<PrescribedDrug> Drugs);

/// <summary>A drug line of an Rp [201].</summary>
/// <param name="Sequence">RP内連番.</param>
/// <param name="CodeKind">薬品コード種別: 2 レセプト電算, 4 YJ, 6/7 一般名...</param>
/// <param name="Code">薬品コード.</param>
/// <param name="Name">薬品名称.</param>
/// <param name="Quantity">分量 (per day for oral forms, per dose for as-needed, total for external), in <see cref="Unit"/>.</param>
/// <param name="Unit">単位名, e.g. <c>錠</c>.</param>
/// <param name="Supplements">薬品補足情報 [281] in order.</param>
public sealed record PrescribedDrug(int Sequence, string CodeKind, string Code, string Name, decimal Quantity, string Unit, IReadOnlyList<string> Supplements);
