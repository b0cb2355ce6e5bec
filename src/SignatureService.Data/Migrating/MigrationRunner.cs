using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace SignatureService.Data.Migrating;

/// <summary>
/// Applies the embedded SQL migrations to a PostgreSQL database. Thread-safe and safe across replicas: the whole run holds a
/// session-level advisory lock, so concurrent starters wait and then find nothing left to do.
/// </summary>
/// <remarks>
/// Each file runs in its own transaction together with its row in <c>schema_migrations</c>, so a failing file leaves nothing
/// half-applied. Applied files are compared by SHA-256 on every run; a changed file stops the run with <see cref="MigrationException"/>.
/// </remarks>
public sealed partial class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    // Note: an arbitrary constant ("SIGNSVC1" in ASCII) shared by every replica and the migrate command.
    private const long AdvisoryLockKey = 0x5349474E53564331;

    private readonly IReadOnlyList<MigrationScript> _scripts = MigrationScript.LoadEmbedded();

    /// <summary>The migrations this build carries, in order.</summary>
    public IReadOnlyList<MigrationScript> Scripts => _scripts;

    /// <summary>Applies every pending migration and returns the names of those applied (empty when up to date).</summary>
    /// <exception cref="MigrationException">An applied file changed, or the database holds a version this build does not know.</exception>
    public Task<IReadOnlyList<string>> ApplyAsync(CancellationToken cancellationToken) => ApplyAsync(_scripts, cancellationToken);

    internal async Task<IReadOnlyList<string>> ApplyAsync(IReadOnlyList<MigrationScript> scripts, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_lock(@key)", cancellationToken, ("key", AdvisoryLockKey));
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   bytea       NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken);

            var applied = await ReadAppliedAsync(connection, cancellationToken);
            Verify(scripts, applied);

            var done = new List<string>();
            foreach (var script in scripts)
            {
                if (applied.ContainsKey(script.Version))
                {
                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                try
                {
                    await using (var command = new NpgsqlCommand(script.Sql, connection, transaction))
                    {
                        await command.ExecuteNonQueryAsync(cancellationToken);
                    }

                    await using (var record = new NpgsqlCommand(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES (@v, @n, @c)", connection, transaction))
                    {
                        record.Parameters.AddWithValue("v", script.Version);
                        record.Parameters.AddWithValue("n", script.Name);
                        record.Parameters.AddWithValue("c", script.Checksum);
                        await record.ExecuteNonQueryAsync(cancellationToken);
                    }

                    await transaction.CommitAsync(cancellationToken);
                }
                catch (PostgresException ex)
                {
                    await transaction.RollbackAsync(CancellationToken.None);
                    throw new MigrationException(
                        $"Migration '{script.Name}' failed and was rolled back: {ex.SqlState} {ex.MessageText}", ex);
                }

                LogApplied(logger, script.Name);
                done.Add(script.Name);
            }

            return done;
        }
        finally
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, ("key", AdvisoryLockKey));
        }
    }

    /// <summary>Returns how many of this build's migrations are not applied yet (0 when the schema is current).</summary>
    /// <exception cref="MigrationException">An applied file changed, or the database holds a version this build does not know.</exception>
    public async Task<int> CountPendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('schema_migrations') IS NOT NULL", connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                return _scripts.Count;
            }
        }

        var applied = await ReadAppliedAsync(connection, cancellationToken);
        Verify(_scripts, applied);
        return _scripts.Count(s => !applied.ContainsKey(s.Version));
    }

    private static void Verify(IReadOnlyList<MigrationScript> scripts, Dictionary<int, (string Name, byte[] Checksum)> applied)
    {
        var known = scripts.ToDictionary(s => s.Version);
        foreach (var (version, row) in applied.OrderBy(a => a.Key))
        {
            if (!known.TryGetValue(version, out var script))
            {
                throw new MigrationException(
                    $"The database has migration {version} ('{row.Name}') applied, which this build does not contain. " +
                    "It was migrated by a newer build; deploy that build or restore the database.");
            }

            if (!CryptographicOperations.FixedTimeEquals(script.Checksum, row.Checksum))
            {
                throw new MigrationException(
                    $"Migration '{script.Name}' was changed after it was applied (checksum differs). " +
                    "Applied migrations must never be edited: restore the file and add a new migration instead.");
            }
        }
    }

    private static async Task<Dictionary<int, (string Name, byte[] Checksum)>> ReadAppliedAsync(
        NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, (string, byte[])>();
        await using var command = new NpgsqlCommand("SELECT version, name, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = (reader.GetString(1), (byte[])reader.GetValue(2));
        }

        return applied;
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Applied database migration {Migration}")]
    private static partial void LogApplied(ILogger logger, string migration);
}
