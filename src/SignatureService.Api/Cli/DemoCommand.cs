using SignatureService.Api.Features.Demo;
using SignatureService.Api.Features.Pki;
using SignatureService.Data.Migrating;

namespace SignatureService.Api.Cli;

/// <summary>
/// <c>demo seed --licenses FILE.csv [--dir DIR] [--url URL]</c>: the development first-run story (see <see cref="DemoSeed"/>).
/// Refused with exit code 2, before anything is touched, unless the environment is Development.
/// </summary>
internal static class DemoCommand
{
    public const string Usage = "                   SignatureService.Api demo seed --licenses FILE.csv [--dir DIR] [--url http://localhost:5080]   (Development only)";

    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> positional, Dictionary<string, List<string>> options)
    {
        var environment = services.GetRequiredService<IHostEnvironment>();
        if (!environment.IsDevelopment())
        {
            await Console.Error.WriteLineAsync(
                $"demo: refused: the demo exists only in development (ASPNETCORE_ENVIRONMENT=Development); this is '{environment.EnvironmentName}'. Nothing was changed.");
            return 2;
        }

        if (positional is not ["demo", "seed"])
        {
            throw new CommandLine.UsageException("Unknown demo command.");
        }

        var configuration = services.GetRequiredService<IConfiguration>();
        var dataDirectory = configuration["SignatureService:DataDirectory"];
        var directory = Single(options, "--dir")
                        ?? (dataDirectory is { Length: > 0 } ? Path.Combine(dataDirectory, "demo") : throw new CommandLine.UsageException("--dir is required (or SignatureService:DataDirectory)."));
        // Note: the fictional registry stays in scripts/demo (passed by scripts/run.sh); it is not copied into the build output.
        var licenses = Single(options, "--licenses") ?? throw new CommandLine.UsageException("--licenses FILE.csv is required (scripts/demo/licenses.csv).");
        if (!File.Exists(licenses))
        {
            throw new CommandLine.UsageException($"--licenses {licenses}: no such file.");
        }

        await services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        PkiCommands.OpenHsm(services);
        var result = await ActivatorUtilities.CreateInstance<DemoSeed>(services).SeedAsync(
            new DemoSeedInput(Path.GetFullPath(directory), Path.GetFullPath(licenses), Single(options, "--url") ?? "http://localhost:5080"),
            CancellationToken.None);
        await Console.Out.WriteAsync(result.Walkthrough);
        return 0;
    }

    private static string? Single(Dictionary<string, List<string>> options, string name) =>
        options.TryGetValue(name, out var values) ? values is [var one] ? one : throw new CommandLine.UsageException($"{name} may be given once.") : null;
}
