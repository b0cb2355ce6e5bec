using System.Text.Json.Serialization;

namespace SignatureService.Core.Documents.DeathCertificates;

/// <summary>
/// Content of a death certificate (死亡診断書) or postmortem examination certificate (死体検案書), following the official form.
/// This is the JSON form accepted from the EHR (camelCase) and the display model; the canonical form is the XML of
/// <see cref="DeathCertificateSchema"/>. Coded values use the numbers printed on the form. Dates are Gregorian, times are
/// Japan local time with minute precision.
/// </summary>
public sealed record DeathCertificate
{
    /// <summary>The EHR's identifier of this certificate: a UUID (written lower-case in the canonical XML).</summary>
    public required string DocumentId { get; init; }

    /// <summary>The deceased person.</summary>
    public required Deceased Deceased { get; init; }

    /// <summary>Date, time and place of death.</summary>
    public required DeathEvent Death { get; init; }

    /// <summary>Causes of death (Part I chain and Part II contributing conditions).</summary>
    public required CausesOfDeath Causes { get; init; }

    /// <summary>手術 (surgery related to the causes).</summary>
    public required Surgery Surgery { get; init; }

    /// <summary>解剖 (autopsy).</summary>
    public required Autopsy Autopsy { get; init; }

    /// <summary>死因の種類 (form codes 1–12).</summary>
    public required MannerOfDeath MannerOfDeath { get; init; }

    /// <summary>外因死の追加事項: required for external causes (codes 2–11), not allowed for code 1, optional for 12.</summary>
    public ExternalCause? ExternalCause { get; init; }

    /// <summary>診断年月日 (death certificate) or 検案年月日 (postmortem certificate): on or after the death date.</summary>
    public required DateOnly DiagnosisOrExaminationDate { get; init; }

    /// <summary>発行年月日: on or after <see cref="DiagnosisOrExaminationDate"/>, not in the future (Japan date).</summary>
    public required DateOnly IssueDate { get; init; }

    /// <summary>The certifying physician and institution.</summary>
    public required CertifyingPhysician Physician { get; init; }

    /// <summary>その他特に付言すべきことがら (up to 2,000 characters), if any.</summary>
    public string? Remarks { get; init; }
}

/// <summary>The deceased person.</summary>
public sealed record Deceased
{
    /// <summary>氏名 (family and given name separated by a full-width space; up to 100 characters).</summary>
    public required string Name { get; init; }

    /// <summary>ふりがな, if known (up to 100 characters).</summary>
    public string? NameKana { get; init; }

    /// <summary>性別 (1 男, 2 女).</summary>
    public required Sex Sex { get; init; }

    /// <summary>生年月日, if known; on or before the death date.</summary>
    public DateOnly? DateOfBirth { get; init; }

    /// <summary>Age at death in full years (0–150): required when <see cref="DateOfBirth"/> is unknown, else must agree with it.</summary>
    public int? AgeAtDeath { get; init; }
}

/// <summary>死亡したとき・ところ.</summary>
public sealed record DeathEvent
{
    /// <summary>Date of death (not in the future).</summary>
    public required DateOnly Date { get; init; }

    /// <summary>Time of death (Japan local time, whole minutes), if known.</summary>
    public TimeOnly? Time { get; init; }

    /// <summary><see langword="true"/> when <see cref="Time"/> is estimated (推定).</summary>
    public bool TimeEstimated { get; init; }

    /// <summary>Where the death occurred.</summary>
    public required PlaceOfDeath Place { get; init; }
}

/// <summary>死亡したところ.</summary>
public sealed record PlaceOfDeath
{
    /// <summary>死亡したところの種別 (form codes 1–7).</summary>
    public required PlaceOfDeathType Type { get; init; }

    /// <summary>施設の名称: required for types 1–5 (up to 200 characters).</summary>
    public string? FacilityName { get; init; }

    /// <summary>死亡したところ (address, up to 200 characters).</summary>
    public required string Address { get; init; }
}

/// <summary>死亡したところの種別 (form codes).</summary>
public enum PlaceOfDeathType
{
    /// <summary>1 病院.</summary>
    Hospital = 1,

    /// <summary>2 診療所.</summary>
    Clinic = 2,

    /// <summary>3 介護医療院・介護老人保健施設.</summary>
    LongTermCareFacility = 3,

    /// <summary>4 助産所.</summary>
    MaternityHome = 4,

    /// <summary>5 老人ホーム.</summary>
    NursingHome = 5,

    /// <summary>6 自宅.</summary>
    Home = 6,

    /// <summary>7 その他.</summary>
    Other = 7,
}

/// <summary>死亡の原因.</summary>
public sealed record CausesOfDeath
{
    /// <summary>Part I, 1–4 lines: (ア) the direct cause first, each following line the cause of the one before.</summary>
    public required IReadOnlyList<CauseOfDeath> ChainOfEvents { get; init; }

    /// <summary>Part II, 0–3 other significant conditions contributing to death.</summary>
    public IReadOnlyList<CauseOfDeath> Contributing { get; init; } = [];
}

/// <summary>One cause line.</summary>
public sealed record CauseOfDeath
{
    /// <summary>傷病名等 (up to 200 characters).</summary>
    public required string Description { get; init; }

    /// <summary>発病（発症）又は受傷から死亡までの期間, or <see langword="null"/> when unknown.</summary>
    public OnsetInterval? OnsetToDeath { get; init; }
}

/// <summary>A duration from onset (or injury) to death, as a count of one unit.</summary>
public sealed record OnsetInterval
{
    /// <summary>The count, 0–99,999.</summary>
    public required int Value { get; init; }

    /// <summary>The unit.</summary>
    public required IntervalUnit Unit { get; init; }
}

/// <summary>Unit of an <see cref="OnsetInterval"/>; written as the lower-case English name.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IntervalUnit>))]
public enum IntervalUnit
{
    /// <summary>分.</summary>
    [JsonStringEnumMemberName("minutes")]
    Minutes = 1,

    /// <summary>時間.</summary>
    [JsonStringEnumMemberName("hours")]
    Hours = 2,

    /// <summary>日.</summary>
    [JsonStringEnumMemberName("days")]
    Days = 3,

    /// <summary>月 (counted as 30.4375 days when compared).</summary>
    [JsonStringEnumMemberName("months")]
    Months = 4,

    /// <summary>年 (counted as 365.25 days when compared).</summary>
    [JsonStringEnumMemberName("years")]
    Years = 5,
}

/// <summary>手術.</summary>
public sealed record Surgery
{
    /// <summary>手術の有無.</summary>
    public required bool Performed { get; init; }

    /// <summary>部位及び主要所見 (only when performed; up to 1,000 characters).</summary>
    public string? Findings { get; init; }

    /// <summary>手術年月日: required when performed, between birth and death.</summary>
    public DateOnly? Date { get; init; }
}

/// <summary>解剖.</summary>
public sealed record Autopsy
{
    /// <summary>解剖の有無.</summary>
    public required bool Performed { get; init; }

    /// <summary>主要所見 (only when performed; up to 1,000 characters).</summary>
    public string? Findings { get; init; }
}

/// <summary>死因の種類 (form codes).</summary>
public enum MannerOfDeath
{
    /// <summary>1 病死及び自然死.</summary>
    Natural = 1,

    /// <summary>2 不慮の外因死: 交通事故.</summary>
    TrafficAccident = 2,

    /// <summary>3 不慮の外因死: 転倒・転落.</summary>
    Fall = 3,

    /// <summary>4 不慮の外因死: 溺水.</summary>
    Drowning = 4,

    /// <summary>5 不慮の外因死: 煙、火災及び火焔による傷害.</summary>
    SmokeOrFire = 5,

    /// <summary>6 不慮の外因死: 窒息.</summary>
    Suffocation = 6,

    /// <summary>7 不慮の外因死: 中毒.</summary>
    Poisoning = 7,

    /// <summary>8 不慮の外因死: その他.</summary>
    OtherAccident = 8,

    /// <summary>9 その他及び不詳の外因死: 自殺.</summary>
    Suicide = 9,

    /// <summary>10 その他及び不詳の外因死: 他殺.</summary>
    Homicide = 10,

    /// <summary>11 その他及び不詳の外因死: その他及び不詳の外因.</summary>
    OtherOrUnknownExternal = 11,

    /// <summary>12 不詳の死.</summary>
    Unknown = 12,
}

/// <summary>外因死の追加事項.</summary>
public sealed record ExternalCause
{
    /// <summary>傷害が発生したとき (date): between birth and death.</summary>
    public required DateOnly InjuryDate { get; init; }

    /// <summary>傷害が発生したとき (time, whole minutes), if known.</summary>
    public TimeOnly? InjuryTime { get; init; }

    /// <summary>傷害が発生したところの種別 (form codes 1–4).</summary>
    public required InjuryPlaceType PlaceType { get; init; }

    /// <summary>傷害が発生したところ (address), if known (up to 200 characters).</summary>
    public string? PlaceAddress { get; init; }

    /// <summary>手段及び状況 (up to 1,000 characters).</summary>
    public required string Circumstances { get; init; }
}

/// <summary>傷害が発生したところの種別 (form codes).</summary>
public enum InjuryPlaceType
{
    /// <summary>1 住居.</summary>
    Residence = 1,

    /// <summary>2 工場及び建築現場.</summary>
    FactoryOrConstructionSite = 2,

    /// <summary>3 道路.</summary>
    Road = 3,

    /// <summary>4 その他.</summary>
    Other = 4,
}

/// <summary>The certifying physician (医師) and where the certificate is issued.</summary>
public sealed record CertifyingPhysician
{
    /// <summary>医師氏名 (up to 100 characters).</summary>
    public required string Name { get; init; }

    /// <summary>病院、診療所等の名称 (up to 200 characters).</summary>
    public required string InstitutionName { get; init; }

    /// <summary>所在地 or the physician's address (up to 200 characters).</summary>
    public required string InstitutionAddress { get; init; }
}

/// <summary>The signer's view of a death or postmortem certificate.</summary>
/// <param name="Kind">Which of the two certificates this is.</param>
/// <param name="Certificate">The certificate content, as read back from the canonical XML.</param>
public sealed record DeathCertificateDisplay(DocumentType Kind, DeathCertificate Certificate) : DocumentDisplay;
