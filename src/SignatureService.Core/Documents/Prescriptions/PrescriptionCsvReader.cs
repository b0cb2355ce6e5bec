using SignatureService.Core.Documents.Jahis;

namespace SignatureService.Core.Documents.Prescriptions;

/// <summary>
/// Reads the prescription CSV (JAHIS 院外処方箋2次元シンボル記録条件規約, as used by 電子処方箋管理サービス, header <c>SJ1</c>).
/// Field positions below are 1-based after the record number.
/// </summary>
internal static class PrescriptionCsvReader
{
    /// <summary>The header (version) of the CSV this reader understands.</summary>
    public const string Header = "SJ1";

    /// <summary>Parses and checks the CSV; returns the display model.</summary>
    public static PrescriptionDisplay Read(ReadOnlySpan<byte> csv, string prescriptionId, string source)
    {
        var records = JahisCsv.Parse(csv, source, Header);

        // 1 医療機関: 点数表, 医療機関コード, 都道府県番号, 名称 (required).
        var institution = JahisCsv.RequireRecord(records, 1, source);
        var scoreTable = institution.RequiredDigits(1, 1, 1);
        var institutionCode = institution.RequiredDigits(2, 7, 7);
        var prefecture = institution.RequiredDigits(3, 2, 2);
        var institutionName = institution.Required(4);

        // 2 所在地: 郵便番号, 所在地; 3 電話: 電話番号, FAX, その他; 4 診療科: 種別, コード, 名称 (optional).
        var address = JahisCsv.OptionalRecord(records, 2);
        var phone = JahisCsv.OptionalRecord(records, 3);
        var department = JahisCsv.OptionalRecord(records, 4);

        // 5 医師: 医師コード, カナ氏名, 漢字氏名 (required).
        var doctor = JahisCsv.RequireRecord(records, 5, source);
        var prescriber = new Prescriber(doctor.Optional(1), doctor.Optional(2), doctor.Required(3));

        // 11 患者氏名: 患者コード, 漢字氏名, カナ氏名 (required); 12 性別; 13 生年月日.
        var patientRecord = JahisCsv.RequireRecord(records, 11, source);
        var sexRecord = JahisCsv.OptionalRecord(records, 12);
        var birthRecord = JahisCsv.OptionalRecord(records, 13);
        var patient = new PrescriptionPatient(
            patientRecord.Optional(1),
            patientRecord.Required(2),
            patientRecord.Optional(3),
            sexRecord is null ? null : JahisCsv.ParseSex(sexRecord, 1),
            birthRecord?.RequiredDate(1));

        // 51 交付年月日 (required); 52 使用期限年月日 (optional).
        var issueRecord = JahisCsv.RequireRecord(records, 51, source);
        var issueDate = issueRecord.RequiredDate(1);
        var expiryRecord = JahisCsv.OptionalRecord(records, 52);
        var expiryDate = expiryRecord?.RequiredDate(1);
        if (expiryDate < issueDate)
        {
            throw expiryRecord!.Invalid(1);
        }

        if (patient.DateOfBirth > issueDate)
        {
            throw birthRecord!.Invalid(1);
        }

        var remarks = records.Where(r => r.RecordNumber == 81).Select(r => r.Required(3)).ToList();

        return new PrescriptionDisplay(
            prescriptionId,
            new PrescriptionInstitution(
                scoreTable, institutionCode, prefecture, institutionName,
                address?.Optional(1), address?.Optional(2), phone?.Optional(1), department?.Optional(3)),
            prescriber,
            patient,
            ReadInsurance(records),
            issueDate,
            expiryDate,
            ReadRps(records, source),
            remarks);
    }

    private static PrescriptionInsurance? ReadInsurance(IReadOnlyList<JahisRecord> records)
    {
        var kind = JahisCsv.OptionalRecord(records, 21);
        var insurer = JahisCsv.OptionalRecord(records, 22);
        var card = JahisCsv.OptionalRecord(records, 23);
        var expenses = records
            .Where(r => r.RecordNumber is >= 27 and <= 30)
            .Select(r => new PublicExpense(r.Required(1), r.Optional(2)))
            .ToList();
        if (kind is null && insurer is null && card is null && expenses.Count == 0)
        {
            return null;
        }

        return new PrescriptionInsurance(
            kind?.Optional(1), insurer?.RequiredDigits(1, 6, 8), card?.Optional(1), card?.Optional(2), card?.Optional(4), expenses);
    }

    private static List<PrescriptionRp> ReadRps(IReadOnlyList<JahisRecord> records, string source)
    {
        // 101 剤形: RP番号, 剤形区分, 剤形名称, 調剤数量. At least one Rp, numbers unique.
        var rpRecords = records.Where(r => r.RecordNumber == 101).ToList();
        if (rpRecords.Count == 0)
        {
            throw new DocumentValidationException(DocumentErrors.MissingRecord, $"{source}/record[101]");
        }

        var rpNumbers = new HashSet<int>();
        foreach (var rp in rpRecords)
        {
            if (!rpNumbers.Add(rp.RequiredInt(1)))
            {
                throw rp.Invalid(1);
            }
        }

        // Every Rp-level record must point at a declared Rp.
        foreach (var record in records.Where(r => r.RecordNumber is >= 101 and <= 299))
        {
            if (!rpNumbers.Contains(record.RequiredInt(1)))
            {
                throw record.Invalid(1);
            }
        }

        // Note: records are grouped once, so a hostile CSV with thousands of Rp lines stays linear.
        var byRp = records.Where(r => r.RecordNumber is > 101 and <= 299).ToLookup(r => (r.RecordNumber, Rp: r.RequiredInt(1)));
        var drugSupplements = byRp.Where(g => g.Key.RecordNumber == 281)
            .SelectMany(g => g)
            .ToLookup(r => (Rp: r.RequiredInt(1), Sequence: r.RequiredInt(2)), r => r.Required(5));

        var result = new List<PrescriptionRp>(rpRecords.Count);
        foreach (var rp in rpRecords)
        {
            var number = rp.RequiredInt(1);
            var dosageForm = rp.Field(2) switch
            {
                "1" => DosageFormKind.Oral,
                "2" => DosageFormKind.AsNeeded,
                "3" => DosageFormKind.External,
                "4" => DosageFormKind.OralDrops,
                "5" => DosageFormKind.Injection,
                "6" => DosageFormKind.MedicalMaterial,
                "9" => DosageFormKind.Unknown,
                _ => throw rp.Invalid(2),
            };
            var quantity = rp.RequiredInt(4);
            if (quantity == 0)
            {
                throw rp.Invalid(4);
            }

            // 111 用法: RP番号, 用法コード種別, 用法コード, 用法名称, 用法１日回数 (the first one of the Rp is used).
            var usage = byRp[(111, number)].FirstOrDefault()
                ?? throw new DocumentValidationException(DocumentErrors.MissingRecord, $"{source}/rp[{number}]/record[111]");

            // 181 用法補足: RP番号, 連番, 区分, 用法補足情報.
            var usageSupplements = byRp[(181, number)].Select(r => r.Required(4)).ToList();

            // 201 薬品: RP番号, RP内連番, 情報区分, 薬品コード種別, 薬品コード, 薬品名称, 分量, 力価フラグ, 単位名.
            // 281 薬品補足: RP番号, RP内連番, 補足連番, 区分, 薬品補足情報.
            var drugs = new List<PrescribedDrug>();
            foreach (var drug in byRp[(201, number)])
            {
                var sequence = drug.RequiredInt(2);
                var drugQuantity = drug.RequiredDecimal(7);
                if (drugQuantity <= 0)
                {
                    throw drug.Invalid(7);
                }

                drugs.Add(new PrescribedDrug(
                    sequence, drug.RequiredDigits(4, 1, 2), drug.Required(5), drug.Required(6), drugQuantity, drug.Required(9),
                    drugSupplements[(number, sequence)].ToList()));
            }

            if (drugs.Count == 0)
            {
                throw new DocumentValidationException(DocumentErrors.MissingRecord, $"{source}/rp[{number}]/record[201]");
            }

            result.Add(new PrescriptionRp(
                number, dosageForm, rp.Optional(3), quantity, usage.Optional(3), usage.Required(4), usage.OptionalInt(5), usageSupplements, drugs));
        }

        return result;
    }
}
