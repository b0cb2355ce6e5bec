using System.Text;
using System.Text.RegularExpressions;

namespace SignatureService.Pki.Tests.XAdES;

/// <summary>Inputs for the builder: the MEDIS samples with their outer signature removed, and a death certificate.</summary>
internal static partial class UnsignedDocuments
{
    public static byte[] Prescription() => Strip(TestFiles.Read("Prescription-004_01.xml"), PrescriptionSign());

    /// <summary>The dispensing sample without DispensingSign; the doctor's signed prescription stays embedded.</summary>
    public static byte[] Dispensing() => Strip(TestFiles.Read("Dispensing-005_03.xml"), DispensingSign());

    public static byte[] DeathCertificate() => Encoding.UTF8.GetBytes(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" id=\"Document\">\n" +
        "  <DeathCertificate>\n" +
        "    <DeathCertificateDocument id=\"DeathCertificateDocument\">\n" +
        "      <Deceased><Name>試験　太郎</Name><Sex>1</Sex><BirthDate>1940-01-02</BirthDate></Deceased>\n" +
        "      <Death><Time>2026-11-20T03:10:00+09:00</Time><PlaceType>1</PlaceType></Death>\n" +
        "      <Causes><I a=\"肺炎\" aInterval=\"約10日\"/></Causes>\n" +
        "    </DeathCertificateDocument>\n" +
        "  </DeathCertificate>\n</Document>\n");

    private static byte[] Strip(byte[] document, Regex signature)
    {
        var text = Encoding.UTF8.GetString(document);
        var stripped = signature.Replace(text, string.Empty, 1);
        if (stripped.Length == text.Length)
        {
            throw new InvalidOperationException("signature element not found");
        }

        return Encoding.UTF8.GetBytes(stripped);
    }

    [GeneratedRegex("<PrescriptionSign>.*?</PrescriptionSign>", RegexOptions.Singleline)]
    private static partial Regex PrescriptionSign();

    [GeneratedRegex("<DispensingSign>.*</DispensingSign>", RegexOptions.Singleline)]
    private static partial Regex DispensingSign();
}
