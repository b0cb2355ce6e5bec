using SignatureService.Core.Documents.Jahis;
using SignatureService.Core.Documents.Prescriptions;

namespace SignatureService.Core.Documents.Dispensing;

/// <summary>
/// Reads the dispensing CSV of the national service (header <c>CJ1</c>). Record numbers and field order follow the JAHIS
/// 電子版お薬手帳データフォーマット layout as observed in the MEDIS dispensing sample; positions are 1-based after the record number.
/// </summary>
internal static class DispensingCsvReader
{
    /// <summary>The header (version) of the CSV this reader understands.</summary>
    public const string Header = "CJ1";

    /// <summary>Parses and checks the CSV against the embedded prescription; returns the display model.</summary>
    public static DispensingDisplay Read(ReadOnlySpan<byte> csv, string dispensingId, PrescriptionDisplay prescription, string source)
    {
        var records = JahisCsv.Parse(csv, source, Header);

        // 1 患者: 氏名, 性別, 生年月日, 郵便番号, 住所, 電話, 緊急連絡先, 血液型, 体重, カナ氏名.
        var patientRecord = JahisCsv.RequireRecord(records, 1, source);
        var patient = new DispensingPatient(
            patientRecord.Required(1),
            patientRecord.Optional(10),
            patientRecord.Field(2).Length == 0 ? null : JahisCsv.ParseSex(patientRecord, 2),
            patientRecord.OptionalDate(3));

        // 5 調剤年月日 (required): not before the prescription was issued, nor before the patient's birth.
        var dateRecord = JahisCsv.RequireRecord(records, 5, source);
        var dispensingDate = dateRecord.RequiredDate(1);
        if (dispensingDate < prescription.IssueDate || dispensingDate < patient.DateOfBirth)
        {
            throw dateRecord.Invalid(1);
        }

        // 7 処方箋ID: must name the embedded prescription, so the pharmacist signs for what was actually prescribed.
        var idRecord = JahisCsv.RequireRecord(records, 7, source);
        if (!string.Equals(idRecord.Required(1), prescription.PrescriptionId, StringComparison.Ordinal))
        {
            throw idRecord.Invalid(1);
        }

        // 11 薬局: 名称, 都道府県番号, 点数表, コード, 郵便番号, 所在地, 電話番号.
        var pharmacyRecord = JahisCsv.RequireRecord(records, 11, source);
        var pharmacy = new Pharmacy(
            pharmacyRecord.Required(1), pharmacyRecord.Optional(2), pharmacyRecord.Optional(4),
            pharmacyRecord.Optional(5), pharmacyRecord.Optional(6), pharmacyRecord.Optional(7));

        // 15 薬剤師: 氏名 (required).
        var pharmacistName = JahisCsv.RequireRecord(records, 15, source).Required(1);

        // 51 医療機関: 名称…; 55 医師: 氏名, 診療科 (optional).
        var institutionName = JahisCsv.OptionalRecord(records, 51)?.Optional(1);
        var doctorName = JahisCsv.OptionalRecord(records, 55)?.Optional(1);

        var remarks = records.Where(r => r.RecordNumber == 501).Select(r => r.Required(1)).ToList();

        return new DispensingDisplay(
            dispensingId, prescription.PrescriptionId, dispensingDate, pharmacy, pharmacistName, patient,
            institutionName, doctorName, ReadRps(records, source), remarks, prescription);
    }

    private static List<DispensedRp> ReadRps(IReadOnlyList<JahisRecord> records, string source)
    {
        // 201 薬品: RP番号, 薬品名称, 用量, 単位名, 薬品コード種別, 薬品コード. 301 用法: RP番号, 用法名称, 調剤数量, 調剤単位, ...
        var drugRecords = records.Where(r => r.RecordNumber == 201).ToList();
        if (drugRecords.Count == 0)
        {
            throw new DocumentValidationException(DocumentErrors.MissingRecord, $"{source}/record[201]");
        }

        var usageRecords = records.Where(r => r.RecordNumber == 301).ToList();
        if (usageRecords.Count == 0)
        {
            throw new DocumentValidationException(DocumentErrors.MissingRecord, $"{source}/record[301]");
        }

        var order = new List<int>();
        var drugsByRp = new Dictionary<int, List<DispensedDrug>>();
        foreach (var drug in drugRecords)
        {
            var rp = drug.RequiredInt(1);
            if (!drugsByRp.TryGetValue(rp, out var list))
            {
                drugsByRp[rp] = list = [];
                order.Add(rp);
            }

            var quantity = drug.RequiredDecimal(3);
            if (quantity <= 0)
            {
                throw drug.Invalid(3);
            }

            list.Add(new DispensedDrug(drug.Required(2), quantity, drug.Required(4), drug.Optional(5), drug.Optional(6)));
        }

        var usages = new Dictionary<int, JahisRecord>();
        foreach (var usage in usageRecords)
        {
            var rp = usage.RequiredInt(1);
            if (!drugsByRp.ContainsKey(rp) || !usages.TryAdd(rp, usage))
            {
                throw usage.Invalid(1);
            }
        }

        var result = new List<DispensedRp>(order.Count);
        foreach (var rp in order)
        {
            if (!usages.TryGetValue(rp, out var usage))
            {
                throw new DocumentValidationException(DocumentErrors.MissingRecord, $"{source}/rp[{rp}]/record[301]");
            }

            result.Add(new DispensedRp(rp, usage.Optional(2), usage.OptionalDecimal(3), usage.Optional(4), drugsByRp[rp]));
        }

        return result;
    }
}
