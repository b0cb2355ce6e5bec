using System.Runtime.CompilerServices;
using System.Text;

namespace SignatureService.Core.Tests.Documents;

/// <summary>Locates files of the repository from this source file, so the project needs no copy-to-output items.</summary>
internal static class TestFiles
{
    public static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));

    public static byte[] Sample(string name) =>
        File.ReadAllBytes(Path.Combine(RepositoryRoot(), "tests", "SignatureService.Core.Tests", "TestData", "eprescription", name));

    public static byte[] PrescriptionSample => Sample("Prescription-004_01.xml");

    public static byte[] DispensingSample => Sample("Dispensing-005_03.xml");

    /// <summary>Removes one element, given by its exact start and end tags, from the raw text (the rest stays byte for byte).</summary>
    public static byte[] RemoveElement(byte[] xml, string startTag, string endTag)
    {
        var text = Encoding.UTF8.GetString(xml);
        var start = text.IndexOf(startTag, StringComparison.Ordinal);
        var end = text.IndexOf(endTag, start, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{startTag} not found");
        return Encoding.UTF8.GetBytes(text.Remove(start, end + endTag.Length - start));
    }

    /// <summary>Replaces the Base64 text of the element whose start tag is given.</summary>
    public static byte[] ReplaceBase64(byte[] xml, string startTag, string endTag, string newCsv)
    {
        var text = Encoding.UTF8.GetString(xml);
        var start = text.IndexOf(startTag, StringComparison.Ordinal) + startTag.Length;
        var end = text.IndexOf(endTag, start, StringComparison.Ordinal);
        var replaced = string.Concat(text.AsSpan(0, start), Convert.ToBase64String(Encoding.UTF8.GetBytes(newCsv)), text.AsSpan(end));
        return Encoding.UTF8.GetBytes(replaced);
    }

    /// <summary>Decodes the Base64 text of the first element with the given start tag.</summary>
    public static string DecodeBase64(byte[] xml, string startTag, string endTag)
    {
        var text = Encoding.UTF8.GetString(xml);
        var start = text.IndexOf(startTag, StringComparison.Ordinal) + startTag.Length;
        var end = text.IndexOf(endTag, start, StringComparison.Ordinal);
        return Encoding.UTF8.GetString(Convert.FromBase64String(text[start..end]));
    }
}

/// <summary>A clock fixed at one instant.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
}
