using Microsoft.EntityFrameworkCore;
using SignatureService.Api.Cli;
using SignatureService.Testing;

namespace SignatureService.Api.Tests.Pki;

/// <summary>The operator verbs, run in process exactly as on the server, against a fresh database and the real token.</summary>
public sealed class CaCommandLineTests
{
    [Fact]
    public async Task CaInit_RunTwice_SecondRunChangesNothing_AndOtherVerbsAnswer()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var dir = new SignatureService.Pki.Tests.Support.TempDir();
        string[] config =
        [
            $"--config:ConnectionStrings:SignatureService={db.ConnectionString}",
            $"--config:Hsm:ModulePath={TestEnvironment.HsmModulePath}",
            $"--config:Hsm:TokenLabel={TestEnvironment.HsmTokenLabel}",
            $"--config:Hsm:PinFile={TestEnvironment.HsmPinFile}",
        ];
        var bad = dir.Write("bad.csv", "profession,license_number\nfoo,bar\n"u8.ToArray());

        var first = await CommandLine.RunAsync(["ca", "init", .. config]);
        var keysAfterFirst = await db.ScalarAsync<long>("SELECT count(*) FROM hsm_keys");
        var second = await CommandLine.RunAsync(["ca", "init", .. config]);
        var keysAfterSecond = await db.ScalarAsync<long>("SELECT count(*) FROM hsm_keys");
        var crlsBefore = await db.ScalarAsync<long>("SELECT count(*) FROM crls");
        var generate = await CommandLine.RunAsync(["crl", "generate", .. config]);
        var crlsAfter = await db.ScalarAsync<long>("SELECT count(*) FROM crls");
        var import = await CommandLine.RunAsync(["license", "import", bad, .. config]);
        var revokeUnknown = await CommandLine.RunAsync(["cert", "revoke", "--serial", "4000AA", .. config]);
        var usage = await CommandLine.RunAsync(["cert", "frobnicate", .. config]);

        Assert.Equal(0, first);
        Assert.Equal(5, keysAfterFirst);
        Assert.Equal(0, second);
        Assert.Equal(keysAfterFirst, keysAfterSecond);
        Assert.Equal(0, generate);
        Assert.Equal(crlsBefore + 3, crlsAfter);
        Assert.Equal(3, import);
        Assert.Equal(3, revokeUnknown);
        Assert.Equal(2, usage);
        Assert.Equal(1, await db.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'ca.initialized'"));
    }
}
