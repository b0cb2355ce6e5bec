namespace SignatureService.Pki.Tests.XAdES;

internal static class TestFiles
{
    public static string Directory { get; } = Locate();

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Directory, name));

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "TestData", "XAdES");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("TestData/XAdES not found above the test output folder.");
    }
}
