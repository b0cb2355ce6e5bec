using Npgsql;
using SignatureService.Api.Hosting;
using SignatureService.Testing;

namespace SignatureService.Api.Tests.Hosting;

/// <summary>The service's connection defaults: statements prepared automatically, pooled connections not reset on return.</summary>
public sealed class DataSourceDefaultsTests
{
    [Theory]
    [InlineData("Host=db;Username=u", DatabaseOptions.DefaultMaxAutoPrepare, true)]
    [InlineData("Host=db;Username=u;Max Auto Prepare=0", 0, true)]
    [InlineData("Host=db;Username=u;MaxAutoPrepare=7", 7, true)]
    [InlineData("Host=db;Username=u;No Reset On Close=false", DatabaseOptions.DefaultMaxAutoPrepare, false)]
    [InlineData("Host=db;Username=u;noresetonclose=false;max auto prepare=3", 3, false)]
    public void Defaults_ApplyOnlyWhereTheConnectionStringIsSilent(string connectionString, int maxAutoPrepare, bool noResetOnClose)
    {
        var settings = DatabaseOptions.DataSourceBuilder(connectionString).ConnectionStringBuilder;

        Assert.Equal(maxAutoPrepare, settings.MaxAutoPrepare);
        Assert.Equal(noResetOnClose, settings.NoResetOnClose);
    }

    private const string Sql = "SELECT count(*) FROM pg_class WHERE relkind = $1";

    private static async Task RunSixTimesAsync(NpgsqlDataSource dataSource)
    {
        for (var i = 0; i < 6; i++)
        {
            // Note: a new open (from the one-connection pool) each time, as the service's units of work do.
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand(Sql, connection) { Parameters = { new NpgsqlParameter { Value = "r" } } };
            Assert.True((long)(await command.ExecuteScalarAsync())! > 0);
        }
    }

    [Fact]
    public async Task AStatementUsedRepeatedly_IsPreparedOnTheServer_AndOutlivesTheConnectionsReturnToThePool()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var dataSource = DatabaseOptions.DataSourceBuilder(database.ConnectionString + ";Maximum Pool Size=1").Build();
        await RunSixTimesAsync(dataSource);

        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using var prepared = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", connection)
            {
                Parameters = { new NpgsqlParameter { Value = Sql } },
            };
            Assert.Equal(1L, await prepared.ExecuteScalarAsync());
        }

        // Without the defaults nothing is prepared: the assertion above is about them, not about Npgsql.
        await using var plain = NpgsqlDataSource.Create(database.ConnectionString + ";Maximum Pool Size=1");
        await RunSixTimesAsync(plain);

        await using (var connection = await plain.OpenConnectionAsync())
        {
            await using var prepared = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements", connection);
            Assert.Equal(0L, await prepared.ExecuteScalarAsync());
        }
    }
}
