using System.Text.Json;
using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Audit;
using SignatureService.Api.Features.Clients;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Hosting;
using SignatureService.Core.Errors;
using SignatureService.Data.Audit;
using SignatureService.Data.Migrating;

namespace SignatureService.Api.Cli;

/// <summary>
/// Operator verbs run on the server (<c>dotnet SignatureService.Api.dll VERB ...</c>) with the same configuration as the service:
/// <list type="bullet">
/// <item><c>migrate</c>: apply pending database migrations and exit (the Kubernetes migration Job).</item>
/// <item><c>client add --client-id ID --name NAME --kid KID --alg ES256|PS256|RS256 --jwk-file FILE [--callback-origin URL]...</c></item>
/// <item><c>client add-key --client-id ID --kid KID --alg ALG --jwk-file FILE</c>, <c>client retire-key --client-id ID --kid KID</c></item>
/// <item><c>client disable --client-id ID</c>, <c>client enable --client-id ID</c></item>
/// <item><c>operator create --name NAME --role ca-operator|ra-operator|auditor [--role ...]</c>: a pending operator and its
/// one-time enrollment code (printed once, stored hashed).</item>
/// <item><c>audit verify</c>: recompute the audit chain and checkpoints; prints a JSON report naming the first broken or missing event.</item>
/// <item><c>audit seal</c>: seal every pending audit event now and sign a checkpoint over the head (opens the HSM).</item>
/// <item>CA operator verbs <c>ca</c>, <c>cert</c>, <c>license</c>, <c>crl</c>: see <see cref="PkiCommands"/>.</item>
/// <item><c>demo seed</c> (Development only): see <see cref="DemoCommand"/>.</item>
/// </list>
/// Exit codes: 0 done, 2 usage or configuration error, 3 refused (validation, conflict, migration refused),
/// 4 the audit trail failed verification.
/// </summary>
internal static class CommandLine
{
    private static readonly string[] Verbs = ["migrate", "client", "ca", "cert", "license", "crl", "operator", "audit", "demo"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.Contains(args[0], StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        var (positional, options) = Parse(args);
        var builder = WebApplication.CreateBuilder([.. options.Where(o => o.Key.StartsWith("--config:", StringComparison.Ordinal))
            .Select(o => $"--{o.Key["--config:".Length..]}={o.Value[0]}")]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Note: a verb's standard output is its result (codes, reports, the demo walkthrough); log lines go to standard error.
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddSignatureService();
        await using var app = builder.Build();
        try
        {
            _ = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            await using var scope = app.Services.CreateAsyncScope();
            var services = scope.ServiceProvider;
            return positional switch
            {
                ["migrate"] => await MigrateAsync(services),
                ["client", var action] => await ClientAsync(services, action, options),
                ["operator", "create"] => await CreateOperatorAsync(services, options),
                ["audit", var action and ("verify" or "seal")] => await AuditCommand.RunAsync(services, action),
                ["ca" or "cert" or "license" or "crl", ..] => await PkiCommands.RunAsync(services, positional, options),
                ["demo", ..] => await DemoCommand.RunAsync(services, positional, options),
                _ => Usage(),
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
        catch (ServiceException ex)
        {
            var fields = ex.FieldErrors is null ? "" : " " + string.Join("; ", ex.FieldErrors.Select(f => $"{f.Key}: {string.Join(" ", f.Value)}"));
            await Console.Error.WriteLineAsync($"{ex.Error.Code}: {ex.Detail ?? ex.Error.Title}{fields}");
            return 3;
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return Usage();
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

    private static async Task<int> ClientAsync(IServiceProvider services, string action, Dictionary<string, List<string>> options)
    {
        await services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        var registration = services.GetRequiredService<ClientRegistration>();
        var actor = AuditActor.CommandLine(Environment.UserName);
        var clientId = Required(options, "--client-id");
        switch (action)
        {
            case "add":
                await registration.RegisterAsync(
                    new RegisterClientInput(clientId, Required(options, "--name"), [ReadKey(options)], options.GetValueOrDefault("--callback-origin") ?? []),
                    actor, CancellationToken.None);
                await Console.Out.WriteLineAsync($"Registered EHR client {clientId}.");
                return 0;
            case "add-key":
                await registration.AddKeyAsync(clientId, ReadKey(options), actor, CancellationToken.None);
                await Console.Out.WriteLineAsync($"Added key to {clientId}.");
                return 0;
            case "retire-key":
                await registration.RetireKeyAsync(clientId, Required(options, "--kid"), actor, CancellationToken.None);
                await Console.Out.WriteLineAsync($"Retired key of {clientId}.");
                return 0;
            case "disable" or "enable":
                await registration.SetStatusAsync(clientId, action == "enable", actor, CancellationToken.None);
                await Console.Out.WriteLineAsync($"Client {clientId} {action}d.");
                return 0;
            default:
                return Usage();
        }
    }

    private static async Task<int> CreateOperatorAsync(IServiceProvider services, Dictionary<string, List<string>> options)
    {
        await services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        var roles = options.GetValueOrDefault("--role") ?? throw new UsageException("--role is required.");
        var (userId, enrollment) = await services.GetRequiredService<OperatorEnrollment>().CreateAsync(
            Required(options, "--name"), roles, AuditActor.CommandLine(Environment.UserName), CancellationToken.None);
        await Console.Out.WriteLineAsync($"""
            Created operator {userId} (pending) with role(s) {string.Join(", ", roles)}.
            Enrollment id:   {enrollment.EnrollmentId}
            Enrollment code: {EnrollmentCodes.Format(enrollment.Code)}
            The code is shown only this once and expires at {enrollment.ExpiresAt:u}. Give it to the operator out of band;
            they register a security key with it at /v1/identity/registration.
            """);
        return 0;
    }

    private static ClientKeyInput ReadKey(Dictionary<string, List<string>> options)
    {
        var file = Required(options, "--jwk-file");
        JsonElement jwk;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            jwk = document.RootElement.Clone();
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new UsageException($"--jwk-file {file}: {ex.Message}");
        }

        return new ClientKeyInput(Required(options, "--kid"), Required(options, "--alg"), jwk);
    }

    internal static string Required(Dictionary<string, List<string>> options, string name) =>
        options.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : throw new UsageException($"{name} is required once.");

    private static (List<string> Positional, Dictionary<string, List<string>> Options) Parse(string[] args)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                var (name, value) = args[i].Contains('=', StringComparison.Ordinal)
                    ? (args[i][..args[i].IndexOf('=', StringComparison.Ordinal)], args[i][(args[i].IndexOf('=', StringComparison.Ordinal) + 1)..])
                    : (args[i], i + 1 < args.Length ? args[++i] : "");
                if (!options.TryGetValue(name, out var list))
                {
                    options[name] = list = [];
                }

                list.Add(value);
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        return (positional, options);
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: SignatureService.Api migrate
                   SignatureService.Api client add --client-id ID --name NAME --kid KID --alg ES256|PS256|RS256 --jwk-file FILE [--callback-origin URL]...
                   SignatureService.Api client add-key --client-id ID --kid KID --alg ALG --jwk-file FILE
                   SignatureService.Api client retire-key --client-id ID --kid KID
                   SignatureService.Api client disable|enable --client-id ID
                   SignatureService.Api operator create --name NAME --role ca-operator|ra-operator|auditor [--role ROLE]...
                   SignatureService.Api audit verify|seal
            """);
        Console.Error.WriteLine(PkiCommands.Usage);
        Console.Error.WriteLine(DemoCommand.Usage);
        Console.Error.WriteLine("Configuration comes from the environment (e.g. ConnectionStrings__SignatureService) or --config:Key=Value.");
        return 2;
    }

    internal sealed class UsageException(string message) : Exception(message);
}
