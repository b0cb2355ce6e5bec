using System.Globalization;
using SignatureService.Hsm.Cryptoki;
using SignatureService.Hsm.Tests.Infrastructure;

namespace SignatureService.Hsm.Tests.Unit;

/// <summary>Compares our structure layouts with the C compiler's view of the p11-kit PKCS#11 header (an independent oracle).</summary>
public sealed unsafe class HeaderLayoutOracleTests
{
    private const string Program = """
        #include <stddef.h>
        #include <stdio.h>
        #include <p11-kit/pkcs11.h>
        int main(void) {
          printf("%zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu\n",
            sizeof(CK_ATTRIBUTE), sizeof(CK_MECHANISM), sizeof(CK_RSA_PKCS_PSS_PARAMS), sizeof(CK_C_INITIALIZE_ARGS),
            sizeof(CK_TOKEN_INFO), offsetof(CK_TOKEN_INFO, flags), offsetof(CK_TOKEN_INFO, utcTime), sizeof(CK_SESSION_INFO),
            sizeof(CK_FUNCTION_LIST), offsetof(CK_FUNCTION_LIST, C_SignInit), offsetof(CK_FUNCTION_LIST, C_GenerateKeyPair),
            offsetof(CK_FUNCTION_LIST, C_WaitForSlotEvent));
          return 0;
        }
        """;

    [Fact]
    public void Structs_MatchGccLayoutOfP11KitHeader()
    {
        using var directory = new TemporaryDirectory();
        var source = directory.Write("layout.c", System.Text.Encoding.ASCII.GetBytes(Program));
        var binary = Path.Combine(directory.Path, "layout");
        var compile = ExternalTool.Run("gcc", "-I/usr/include/p11-kit-1", "-o", binary, source);
        Assert.True(compile.ExitCode == 0, "gcc and libp11-kit-dev are needed for this oracle: " + compile.Error);

        var run = ExternalTool.Run(binary);
        var c = run.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        CK_TOKEN_INFO info;
        CK_FUNCTION_LIST list;
        var infoStart = (byte*)&info;
        var listStart = (byte*)&list;
        long[] ours =
        [
            sizeof(CK_ATTRIBUTE), sizeof(CK_MECHANISM), sizeof(CK_RSA_PKCS_PSS_PARAMS), sizeof(CK_C_INITIALIZE_ARGS),
            sizeof(CK_TOKEN_INFO), (byte*)&info.flags - infoStart, info.utcTime - infoStart, sizeof(CK_SESSION_INFO),
            sizeof(CK_FUNCTION_LIST), (byte*)&list.C_SignInit - listStart, (byte*)&list.C_GenerateKeyPair - listStart,
            (byte*)&list.C_WaitForSlotEvent - listStart,
        ];
        Assert.Equal(c, ours);
    }
}
