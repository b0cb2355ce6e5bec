using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using SignatureService.Api.Hosting;

namespace SignatureService.Api.Health;

/// <summary>Ready when the schema is migrated and PostgreSQL answers a trivial query within the check's timeout.</summary>
internal sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource, DatabaseStatus status) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!status.IsMigrated)
        {
            return HealthCheckResult.Unhealthy(status.State);
        }

        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("migrated and reachable");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("database unreachable");
        }
    }
}
