namespace SignatureService.Core.Documents.DeathCertificates;

/// <summary>
/// The rules a schema cannot express: dates in order, details required or forbidden by other answers, text hygiene.
/// Field paths are the JSON paths (camelCase), for JSON and XML input alike.
/// </summary>
internal static class DeathCertificateRules
{
    private const double DaysPerMonth = 30.4375;
    private const double DaysPerYear = 365.25;

    /// <summary>Checks <paramref name="certificate"/>; <paramref name="today"/> is the current date in Japan.</summary>
    /// <exception cref="DocumentValidationException"><c>document.invalid-field</c> with the path of the first offending field.</exception>
    public static void Check(DeathCertificate certificate, DateOnly today)
    {
        if (!Guid.TryParseExact(certificate.DocumentId, "D", out _))
        {
            throw Invalid("documentId");
        }

        var deceased = certificate.Deceased;
        Text(deceased.Name, "deceased.name", 100);
        OptionalText(deceased.NameKana, "deceased.nameKana", 100);
        Defined(deceased.Sex, "deceased.sex");

        var death = certificate.Death;
        if (death.Date > today)
        {
            throw Invalid("death.date");
        }

        WholeMinutes(death.Time, "death.time");
        if (death.Time is null && death.TimeEstimated)
        {
            throw Invalid("death.timeEstimated");
        }

        // 1. Birth ≤ death, and the stated age agrees with the dates.
        if (deceased.DateOfBirth is { } birth)
        {
            if (birth > death.Date)
            {
                throw Invalid("deceased.dateOfBirth");
            }

            if (deceased.AgeAtDeath is { } age && age != FullYears(birth, death.Date))
            {
                throw Invalid("deceased.ageAtDeath");
            }
        }
        else if (deceased.AgeAtDeath is null or < 0 or > 150)
        {
            throw Invalid("deceased.ageAtDeath");
        }

        // 2. Place: the facility name is required for facilities (types 1–5).
        var place = death.Place;
        Defined(place.Type, "death.place.type");
        Text(place.Address, "death.place.address", 200);
        if (place.Type is >= PlaceOfDeathType.Hospital and <= PlaceOfDeathType.NursingHome)
        {
            Text(place.FacilityName, "death.place.facilityName", 200);
        }
        else
        {
            OptionalText(place.FacilityName, "death.place.facilityName", 200);
        }

        CheckCauses(certificate.Causes, deceased.DateOfBirth, death.Date);
        CheckSurgeryAndAutopsy(certificate, deceased.DateOfBirth, death.Date);
        CheckMannerOfDeath(certificate, deceased.DateOfBirth, death.Date);

        // 3. Death ≤ diagnosis/examination ≤ issue ≤ today.
        if (certificate.DiagnosisOrExaminationDate < death.Date)
        {
            throw Invalid("diagnosisOrExaminationDate");
        }

        if (certificate.IssueDate < certificate.DiagnosisOrExaminationDate || certificate.IssueDate > today)
        {
            throw Invalid("issueDate");
        }

        var physician = certificate.Physician;
        Text(physician.Name, "physician.name", 100);
        Text(physician.InstitutionName, "physician.institutionName", 200);
        Text(physician.InstitutionAddress, "physician.institutionAddress", 200);
        OptionalText(certificate.Remarks, "remarks", 2000, multiline: true);
    }

    private static void CheckCauses(CausesOfDeath causes, DateOnly? birth, DateOnly deathDate)
    {
        if (causes.ChainOfEvents is not { Count: >= 1 and <= 4 })
        {
            throw Invalid("causes.chainOfEvents");
        }

        if (causes.Contributing is not { Count: <= 3 })
        {
            throw Invalid("causes.contributing");
        }

        double? previousDays = null;
        for (var i = 0; i < causes.ChainOfEvents.Count; i++)
        {
            var path = $"causes.chainOfEvents[{i}]";
            var days = CheckCause(causes.ChainOfEvents[i], path, birth, deathDate);

            // Each line is the cause of the line above, so it cannot have started later (shorter interval) than that line.
            if (days is not null && previousDays is not null && days < previousDays)
            {
                throw Invalid($"{path}.onsetToDeath");
            }

            previousDays = days ?? previousDays;
        }

        for (var i = 0; i < causes.Contributing.Count; i++)
        {
            CheckCause(causes.Contributing[i], $"causes.contributing[{i}]", birth, deathDate);
        }
    }

    private static double? CheckCause(CauseOfDeath? cause, string path, DateOnly? birth, DateOnly deathDate)
    {
        if (cause is null)
        {
            throw Invalid(path);
        }

        Text(cause.Description, $"{path}.description", 200);
        if (cause.OnsetToDeath is not { } interval)
        {
            return null;
        }

        Defined(interval.Unit, $"{path}.onsetToDeath.unit");
        if (interval.Value is < 0 or > 99_999)
        {
            throw Invalid($"{path}.onsetToDeath.value");
        }

        var days = interval.Unit switch
        {
            IntervalUnit.Minutes => interval.Value / 1440.0,
            IntervalUnit.Hours => interval.Value / 24.0,
            IntervalUnit.Days => interval.Value,
            IntervalUnit.Months => interval.Value * DaysPerMonth,
            _ => interval.Value * DaysPerYear,
        };

        // Onset cannot precede birth (one unit of slack for rounded intervals such as "about 3 years").
        var slack = interval.Unit switch { IntervalUnit.Years => DaysPerYear, IntervalUnit.Months => DaysPerMonth, _ => 1.0 };
        if (birth is { } born && days > deathDate.DayNumber - born.DayNumber + slack)
        {
            throw Invalid($"{path}.onsetToDeath");
        }

        return days;
    }

    private static void CheckSurgeryAndAutopsy(DeathCertificate certificate, DateOnly? birth, DateOnly deathDate)
    {
        var surgery = certificate.Surgery;
        if (surgery.Performed)
        {
            if (surgery.Date is not { } date || date > deathDate || date < birth)
            {
                throw Invalid("surgery.date");
            }

            OptionalText(surgery.Findings, "surgery.findings", 1000, multiline: true);
        }
        else if (surgery.Date is not null || surgery.Findings is not null)
        {
            throw Invalid(surgery.Date is not null ? "surgery.date" : "surgery.findings");
        }

        var autopsy = certificate.Autopsy;
        if (autopsy.Performed)
        {
            OptionalText(autopsy.Findings, "autopsy.findings", 1000, multiline: true);
        }
        else if (autopsy.Findings is not null)
        {
            throw Invalid("autopsy.findings");
        }
    }

    private static void CheckMannerOfDeath(DeathCertificate certificate, DateOnly? birth, DateOnly deathDate)
    {
        Defined(certificate.MannerOfDeath, "mannerOfDeath");
        var external = certificate.ExternalCause;
        switch (certificate.MannerOfDeath)
        {
            case MannerOfDeath.Natural when external is not null:
                throw Invalid("externalCause");
            case >= MannerOfDeath.TrafficAccident and <= MannerOfDeath.OtherOrUnknownExternal when external is null:
                throw Invalid("externalCause");
        }

        if (external is null)
        {
            return;
        }

        if (external.InjuryDate > deathDate || external.InjuryDate < birth)
        {
            throw Invalid("externalCause.injuryDate");
        }

        WholeMinutes(external.InjuryTime, "externalCause.injuryTime");
        if (external.InjuryDate == deathDate && external.InjuryTime > certificate.Death.Time)
        {
            throw Invalid("externalCause.injuryTime");
        }

        Defined(external.PlaceType, "externalCause.placeType");
        OptionalText(external.PlaceAddress, "externalCause.placeAddress", 200);
        Text(external.Circumstances, "externalCause.circumstances", 1000, multiline: true);
    }

    private static int FullYears(DateOnly birth, DateOnly at)
    {
        var years = at.Year - birth.Year;
        return at < birth.AddYears(years) ? years - 1 : years;
    }

    private static void WholeMinutes(TimeOnly? time, string path)
    {
        if (time is { } t && (t.Second != 0 || t.Ticks % TimeSpan.TicksPerSecond != 0))
        {
            throw Invalid(path);
        }
    }

    private static void Defined<TEnum>(TEnum value, string path)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw Invalid(path);
        }
    }

    private static void OptionalText(string? value, string path, int maxLength, bool multiline = false)
    {
        if (value is not null)
        {
            Text(value, path, maxLength, multiline);
        }
    }

    /// <summary>
    /// Required text: not blank, at most <paramref name="maxLength"/> UTF-16 code units, only characters XML 1.0 allows, no CR
    /// (XML would turn it into LF and the signed bytes would differ from what was shown), LF only where multi-line text is allowed.
    /// </summary>
    private static void Text(string? value, string path, int maxLength, bool multiline = false)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > maxLength || value.Trim().Length != value.Length)
        {
            throw Invalid(path);
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    throw Invalid(path);
                }

                i++;
                continue;
            }

            var allowed = c switch
            {
                '\n' => multiline,
                '\t' => multiline,
                < ' ' => false,
                >= '\u007F' and <= '\u009F' => false,
                '\uFFFE' or '\uFFFF' => false,
                _ => !char.IsLowSurrogate(c),
            };
            if (!allowed)
            {
                throw Invalid(path);
            }
        }
    }

    private static DocumentValidationException Invalid(string path) => new(DocumentErrors.InvalidField, path);
}
