using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;

namespace SignatureService.Pki.Tests.Support;

/// <summary>Files under tests/SignatureService.Pki.Tests/TestData, located from this source file.</summary>
public static class TestData
{
    public static string PathOf(string relative, [CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "TestData", relative);

    public static X509Certificate2 Certificate(string relative) =>
        X509CertificateLoader.LoadCertificateFromFile(PathOf(relative));
}
