using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace SignatureService.Api.Tests.Identity;

public sealed partial class OperatorCommandLineTests
{
    [Fact]
    public async Task OperatorCreate_PrintsEnrollmentOnce_AndTheCodeRegistersAKey()
    {
        await using var h = await IdentityHarness.StartAsync();

        var (exit, output, error) = await RunAsync(h.Db.ConnectionString, "operator", "create", "--name", "First Operator", "--role", "ca-operator");

        Assert.True(exit == 0, error);
        var enrollmentId = Guid.Parse(EnrollmentIdLine().Match(output).Groups[1].Value);
        var code = CodeLine().Match(output).Groups[1].Value;
        Assert.Equal(39, code.Length);
        var userId = await h.Db.ScalarAsync<Guid>($"SELECT user_id FROM enrollment_codes WHERE id = '{enrollmentId}'");
        Assert.Equal("pending", await h.Db.ScalarAsync<string>($"SELECT status FROM users WHERE id = '{userId}'"));
        Assert.Equal(0L, await h.Db.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE details::text LIKE '%{code[..9]}%'"));
        Assert.Equal("cli", await h.Db.ScalarAsync<string>("SELECT actor_type FROM audit_events WHERE action = 'identity.operator-created'"));

        var registration = h.MakeCredential(await h.RegistrationOptionsAsync(enrollmentId, code.ToLowerInvariant()));
        await IdentityHarness.Expect(await h.RegisterAsync(enrollmentId, code, registration), HttpStatusCode.Created);
        await h.LoginAsync(registration.Credential);
    }

    [Theory]
    [InlineData("signer")]
    [InlineData("root")]
    public async Task OperatorCreate_NotAnOperatorRole_IsRefused(string role)
    {
        await using var h = await IdentityHarness.StartAsync();

        var (exit, _, error) = await RunAsync(h.Db.ConnectionString, "operator", "create", "--name", "X", "--role", role);

        Assert.Equal(3, exit);
        Assert.Contains("request.validation-failed", error, StringComparison.Ordinal);
        Assert.Equal(0L, await h.Db.ScalarAsync<long>("SELECT count(*) FROM users"));
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string connectionString, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ConnectionStrings__SignatureService"] = connectionString;
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    [GeneratedRegex(@"Enrollment id:\s+([0-9a-f-]{36})")]
    private static partial Regex EnrollmentIdLine();

    [GeneratedRegex(@"Enrollment code:\s+([0-9A-Z-]+)")]
    private static partial Regex CodeLine();
}
