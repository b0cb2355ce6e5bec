using Npgsql;
using SignatureService.Data.Migrating;

namespace SignatureService.Api.Hosting;

/// <summary>
/// Migrations may run under a different database role than the service: <c>ConnectionStrings:SignatureServiceMigrations</c>
/// (the schema owner), when set; otherwise the service's own connection. The service's runtime role (a member of
/// <c>signsvc_runtime</c>) may only INSERT and SELECT the audit trail and cannot change the schema.
/// </summary>
internal static class MigrationConnection
{
    /// <summary>The optional connection string name of the schema owner.</summary>
    public const string Name = "SignatureServiceMigrations";

    public static MigrationRunner CreateRunner(IServiceProvider services)
    {
        var owner = services.GetRequiredService<IConfiguration>().GetConnectionString(Name);
        var dataSource = string.IsNullOrWhiteSpace(owner)
            ? services.GetRequiredService<NpgsqlDataSource>()
            : new NpgsqlDataSourceBuilder(owner).UseLoggerFactory(services.GetRequiredService<ILoggerFactory>()).Build();
        return new MigrationRunner(dataSource, services.GetRequiredService<ILogger<MigrationRunner>>());
    }
}
