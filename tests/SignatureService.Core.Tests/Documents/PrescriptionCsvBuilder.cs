using System.Text;

namespace SignatureService.Core.Tests.Documents;

/// <summary>
/// Builds JAHIS prescription CSV (SJ1) and its EPS1.0 XML wrapper for tests: starts from a valid prescription with two Rp,
/// and lets a test drop, replace or add records to make invalid ones.
/// </summary>
internal sealed class PrescriptionCsvBuilder
{
    private readonly List<string> _lines =
    [
        "SJ1",
        "1,1,1312345,13,テスト内科クリニック",
        "2,100-0001,東京都千代田区千代田１－１",
        "3,03-1234-5678,,",
        "4,2,01,内科",
        "5,,ｼﾝｻﾂ ﾀﾛｳ,診察　太郎",
        "11,P0001,患者　花子,ｶﾝｼﾞｬ ﾊﾅｺ",
        "12,2",
        "13,19800215",
        "21,1",
        "22,06123456",
        "23,記号,12345,1,00",
        "51,20261120",
        "52,20261123",
        "81,1,,後発品変更不可の薬品なし",
        "101,1,1,,7",
        "111,1,3,1013044400000000,１日３回朝昼夕食後　服用,3",
        "201,1,1,1,2,620000033,カロナール錠３００　３００ｍｇ,3,1,錠",
        "101,2,2,,5",
        "111,2,3,1050110000000000,疼痛時　服用,",
        "201,2,1,1,2,620000033,カロナール錠３００　３００ｍｇ,1,1,錠",
        "281,2,1,1,,１回１錠,",
    ];

    public string PrescriptionId { get; set; } = "2b6b2a0e-8a43-4b57-9d5e-3c0e1f5a7c11";

    public string Version { get; set; } = "EPS1.0";

    public PrescriptionCsvBuilder Without(int recordNumber)
    {
        _lines.RemoveAll(l => l.StartsWith($"{recordNumber},", StringComparison.Ordinal));
        return this;
    }

    public PrescriptionCsvBuilder Replace(int recordNumber, string line)
    {
        var index = _lines.FindIndex(l => l.StartsWith($"{recordNumber},", StringComparison.Ordinal));
        Assert.True(index >= 0);
        _lines[index] = line;
        return this;
    }

    public PrescriptionCsvBuilder ReplaceHeader(string header)
    {
        _lines[0] = header;
        return this;
    }

    public PrescriptionCsvBuilder Add(string line)
    {
        _lines.Add(line);
        return this;
    }

    public string ToCsv() => string.Join('\n', _lines) + "\n";

    public static string Wrap(string csv, string prescriptionId, string version = "EPS1.0", string extra = "") =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        + "<Document id=\"Document\"><Prescription>"
        + $"<PrescriptionManagement id=\"PrescriptionManagement\"><Version Value=\"{version}\"/><PrescriptionId Value=\"{prescriptionId}\"/></PrescriptionManagement>"
        + $"<PrescriptionDocument id=\"PrescriptionDocument\">{Convert.ToBase64String(Encoding.UTF8.GetBytes(csv))}</PrescriptionDocument>"
        + extra
        + "</Prescription></Document>";

    public byte[] ToXml(string extra = "") => Encoding.UTF8.GetBytes(Wrap(ToCsv(), PrescriptionId, Version, extra));
}
