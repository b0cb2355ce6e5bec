namespace SignatureService.Data.Migrating;

/// <summary>
/// The database schema cannot be brought to the version this build expects without a person deciding: an applied migration
/// file was changed, or the database was migrated by a newer build. The service refuses to start rather than guess.
/// </summary>
public sealed class MigrationException(string message, Exception? inner = null) : Exception(message, inner);
