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

    /// <summary>Statements each connection keeps prepared when the connection string does not say (<c>Max Auto Prepare</c>).</summary>
    public const int DefaultMaxAutoPrepare = 128;

    /// <summary>
    /// The service's data source for <paramref name="connectionString"/>, with two defaults the connection string can override:
    /// <list type="bullet">
    /// <item><c>Max Auto Prepare</c> <see cref="DefaultMaxAutoPrepare"/>: Npgsql prepares a statement on a connection after
    /// its fifth use there. Every hot path runs the same few dozen statements; unprepared, PostgreSQL parses, analyses and
    /// plans each one again. Set it to 0 behind a pooler in transaction mode, which cannot keep prepared statements.</item>
    /// <item><c>No Reset On Close</c>: a pooled connection is not reset (<c>RESET ALL</c>, <c>UNLISTEN *</c>, advisory locks,
    /// temporary tables...) each time it is returned, a round trip before the next statement. The service leaves no session
    /// state behind: it sets no parameters, listens to nothing, creates no temporary tables, and its only session-level
    /// advisory lock (the migration runner's) is released in a <c>finally</c>; the others are transaction-scoped.</item>
    /// </list>
    /// Measured on the signing benchmark (docs/benchmarks.md, four signers approving ten documents at once), auto-prepare alone
    /// took the pipeline from 40–43 % of the raw HSM rate to 51–52 %: PostgreSQL had been a third of the machine's CPU.
    /// </summary>
    public static Npgsql.NpgsqlDataSourceBuilder DataSourceBuilder(string connectionString)
    {
        var builder = new Npgsql.NpgsqlDataSourceBuilder(connectionString);
        // Note: the keys as written ("Max Auto Prepare" or "MaxAutoPrepare", any case); Npgsql's own builder knows every keyword.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()).ToHashSet();
        if (!given.Contains("maxautoprepare"))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        if (!given.Contains("noresetonclose"))
        {
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }

        return builder;
    }
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
