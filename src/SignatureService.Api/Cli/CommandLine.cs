using Microsoft.Extensions.Options;
using SignatureService.Api.Hosting;
using SignatureService.Data.Migrating;

namespace SignatureService.Api.Cli;

/// <summary>
/// Operator verbs run on the server (<c>dotnet SignatureService.Api.dll VERB ...</c>) with the same configuration as the service.
/// <c>migrate</c>: apply pending database migrations and exit (the Kubernetes migration Job).
/// </summary>
internal static class CommandLine
{
    private static readonly string[] Verbs = ["migrate"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.Contains(args[0], StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args[1..]);
        builder.AddSignatureService();
        await using var app = builder.Build();
        try
        {
            _ = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            return args[0] switch
            {
                "migrate" => await MigrateAsync(app.Services),
                _ => 2,
            };
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"Configuration is invalid: {string.Join(" ", ex.Failures)}");
            return 2;
        }
        catch (MigrationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 3;
        }
    }

    private static async Task<int> MigrateAsync(IServiceProvider services)
    {
        var applied = await services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        await Console.Out.WriteLineAsync(applied.Count == 0
            ? "Database schema is current; nothing to apply."
            : $"Applied: {string.Join(", ", applied)}");
        return 0;
    }
}
