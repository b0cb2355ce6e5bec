using System.Diagnostics;
using SignatureService.Testing;

namespace SignatureService.Api.Tests.Demo;

/// <summary>Runs the service assembly as an operator would (<c>dotnet SignatureService.Api.dll ...</c>) and shell scripts of the repository.</summary>
internal static class DemoProcess
{
    /// <summary>The repository root (where SignatureService.sln is).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SignatureService.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("The repository root was not found.");
        }
    }

    public static string LicenseCsv => Path.Combine(RepositoryRoot, "scripts", "demo", "licenses.csv");

    /// <summary>The configuration a CLI verb needs against <paramref name="db"/> and the test token, in <paramref name="environment"/>.</summary>
    public static Dictionary<string, string> Environment(TestDatabase db, string environment) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = environment,
        ["DOTNET_ENVIRONMENT"] = environment,
        ["ConnectionStrings__SignatureService"] = db.ConnectionString,
        ["Hsm__ModulePath"] = TestEnvironment.HsmModulePath,
        ["Hsm__TokenLabel"] = TestEnvironment.HsmTokenLabel,
        ["Hsm__PinFile"] = TestEnvironment.HsmPinFile,
        ["Proofing__EvidenceKeyFile"] = TestEnvironment.ProofingKeyFile,
    };

    public static Task<(int Exit, string Output, string Error)> ServiceAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunAsync("dotnet", [typeof(Program).Assembly.Location, .. args], environment, Path.GetDirectoryName(typeof(Program).Assembly.Location)!);

    public static async Task<(int Exit, string Output, string Error)> RunAsync(
        string file, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, string workingDirectory, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish: {await output} {await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}

/// <summary>
/// Tests that run the service assembly as a separate process on the shared SoftHSM2 test token. SoftHSM2 keeps a token in files
/// that it does not guard against writers in other processes: a `demo seed` process generating the CA's keys while in-process
/// fixtures generated theirs once failed a fixture's C_GenerateKeyPair with CKR_GENERAL_ERROR. So these run one at a time,
/// after the parallel collections, like the fault tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessTests
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Processes on the shared token";
}
