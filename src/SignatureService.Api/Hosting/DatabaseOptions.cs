using Microsoft.Extensions.Options;

namespace SignatureService.Api.Hosting;

/// <summary>How the service reaches PostgreSQL. Bound from <c>ConnectionStrings:SignatureService</c> and the <c>Database</c> section.</summary>
public sealed class DatabaseOptions
{
    /// <summary>The configuration section of the non-connection-string settings.</summary>
    public const string Section = "Database";

    /// <summary>Npgsql connection string; the password comes from a <c>Passfile</c> or the deployment's secret, never committed settings.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Apply pending migrations at start-up (default). Off when a separate migration job runs <c>migrate</c>.</summary>
    public bool ApplyMigrationsAtStartup { get; set; } = true;

    /// <summary>Upper bound of the back-off between start-up attempts while PostgreSQL is unreachable (1–300 s, default 30).</summary>
    public int MaxRetryDelaySeconds { get; set; } = 30;
}

internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("ConnectionStrings:SignatureService is required (an Npgsql connection string).");
        }
        else
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                failures.Add($"ConnectionStrings:SignatureService is not a valid Npgsql connection string: {ex.Message}");
            }
        }

        if (options.MaxRetryDelaySeconds is < 1 or > 300)
        {
            failures.Add("Database:MaxRetryDelaySeconds must be between 1 and 300.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
