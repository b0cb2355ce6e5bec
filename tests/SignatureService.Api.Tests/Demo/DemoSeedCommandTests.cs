using System.Text.RegularExpressions;
using SignatureService.Testing;

namespace SignatureService.Api.Tests.Demo;

/// <summary>The development-only <c>demo seed</c> verb, run as a process against a fresh database and the test token.</summary>
[Collection(SignatureService.Api.Tests.Demo.ProcessTests.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class DemoSeedCommandTests
{
    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task DemoSeed_OutsideDevelopment_ExitsTwoAndCreatesNothing(string environment)
    {
        await using var db = await TestDatabase.CreateAsync();
        var dir = Path.Combine(Path.GetTempPath(), $"signsvc-demo-{Guid.NewGuid():N}");

        var (exit, output, error) = await DemoProcess.ServiceAsync(DemoProcess.Environment(db, environment),
            "demo", "seed", "--dir", dir, "--licenses", DemoProcess.LicenseCsv);

        Assert.Equal(2, exit);
        Assert.Contains("only in development", error, StringComparison.Ordinal);
        Assert.Equal("", output);
        Assert.False(Directory.Exists(dir));
        // Not even the schema: the refusal comes before migrations, the HSM or any file.
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
    }

    [Fact]
    public async Task DemoSeed_Development_PreparesTheStory_AndASecondRunOnlyRenewsTheCodes()
    {
        await using var db = await TestDatabase.CreateAsync();
        var dir = Path.Combine(Path.GetTempPath(), $"signsvc-demo-{Guid.NewGuid():N}");
        try
        {
            var env = DemoProcess.Environment(db, "Development");
            var (exit, output, error) = await DemoProcess.ServiceAsync(env, "demo", "seed", "--dir", dir, "--licenses", DemoProcess.LicenseCsv);
            Assert.True(exit == 0, error + output);

            // Two codes printed: the demo physician's first, then the operator's.
            var ids = EnrollmentIdLine().Matches(output).Select(m => Guid.Parse(m.Groups[1].Value)).ToList();
            var codes = CodeLine().Matches(output).Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(2, ids.Count);
            Assert.Equal(2, codes.Count);
            Assert.Equal(output, await File.ReadAllTextAsync(Path.Combine(dir, "walkthrough.txt")));
            Assert.Contains("DEVELOPMENT ONLY", output, StringComparison.Ordinal);
            foreach (var file in new[] { "walkthrough.txt", "ehr-client-key.pem", "demo.env" })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, file)));
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
            Assert.Equal(3L, await db.ScalarAsync<long>("SELECT count(*) FROM certificate_authorities"));
            Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM ehr_clients WHERE client_id = 'demo-ehr'"));
            Assert.Equal(4L, await db.ScalarAsync<long>("SELECT count(*) FROM license_registry WHERE license_number LIKE 'DEMO-%'"));
            Assert.Equal("signer-enrollment", await db.ScalarAsync<string>($"SELECT purpose FROM enrollment_codes WHERE id = '{ids[0]}'"));
            Assert.Equal("operator-enrollment", await db.ScalarAsync<string>($"SELECT purpose FROM enrollment_codes WHERE id = '{ids[1]}'"));
            Assert.Equal("{ra-operator,ca-operator,auditor}", await db.ScalarAsync<string>(
                $"SELECT roles::text FROM users u JOIN enrollment_codes e ON e.user_id = u.id WHERE e.id = '{ids[1]}'"));

            // The physician went through the real proofing path: recorded and verified by one RA actor, approved by another,
            // the binding attested, and the application points at the printed enrollment.
            Assert.Equal(1L, await db.ScalarAsync<long>(
                $"SELECT count(*) FROM proofing_applications WHERE status = 'approved' AND verified_by <> decided_by AND binding_attested_at IS NOT NULL AND enrollment_id = '{ids[0]}'"));
            Assert.Equal(0L, await db.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE details::text LIKE '%{codes[0][..9]}%'"));

            var keys = await db.ScalarAsync<long>("SELECT count(*) FROM hsm_keys");
            var users = await db.ScalarAsync<long>("SELECT count(*) FROM users");
            var clientKey = await File.ReadAllTextAsync(Path.Combine(dir, "ehr-client-key.pem"));

            var (again, output2, error2) = await DemoProcess.ServiceAsync(env, "demo", "seed", "--dir", dir, "--licenses", DemoProcess.LicenseCsv);
            Assert.True(again == 0, error2 + output2);
            var ids2 = EnrollmentIdLine().Matches(output2).Select(m => Guid.Parse(m.Groups[1].Value)).ToList();
            Assert.Equal(2, ids2.Count);
            Assert.DoesNotContain(ids2[0], ids);
            Assert.DoesNotContain(ids2[1], ids);

            // Nothing else changed: same CA keys, users, client key, one application (now pointing at the new code).
            Assert.Equal(keys, await db.ScalarAsync<long>("SELECT count(*) FROM hsm_keys"));
            Assert.Equal(users, await db.ScalarAsync<long>("SELECT count(*) FROM users"));
            Assert.Equal(clientKey, await File.ReadAllTextAsync(Path.Combine(dir, "ehr-client-key.pem")));
            Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM proofing_applications WHERE enrollment_id = '{ids2[0]}'"));
            Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM proofing_applications"));
            // The first codes no longer work.
            Assert.Equal(2L, await db.ScalarAsync<long>(
                $"SELECT count(*) FROM enrollment_codes WHERE id IN ('{ids[0]}', '{ids[1]}') AND expires_at <= now()"));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [GeneratedRegex(@"Enrollment id:\s+([0-9a-f-]{36})")]
    private static partial Regex EnrollmentIdLine();

    [GeneratedRegex(@"Enrollment code:\s+([0-9A-Z-]+)")]
    private static partial Regex CodeLine();
}
