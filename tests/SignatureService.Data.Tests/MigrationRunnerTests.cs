using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SignatureService.Data.Migrating;
using SignatureService.Testing;

namespace SignatureService.Data.Tests;

public sealed class MigrationRunnerTests
{
    private static MigrationRunner Runner(TestDatabase db) =>
        new(db.CreateDataSource(), NullLogger<MigrationRunner>.Instance);

    private static MigrationScript Script(int version, string sql) =>
        new(version, $"{version:D4}_test.sql", sql, SHA256.HashData(Encoding.UTF8.GetBytes(sql)));

    [Fact]
    public async Task ApplyAsync_FreshDatabase_AppliesEveryEmbeddedMigrationInOrder()
    {
        await using var db = await TestDatabase.CreateAsync();
        var runner = Runner(db);

        var applied = await runner.ApplyAsync(CancellationToken.None);

        Assert.Equal(runner.Scripts.Select(s => s.Name), applied);
        Assert.Equal(runner.Scripts.Count, await db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
        Assert.Equal(0, await runner.CountPendingAsync(CancellationToken.None));
        Assert.True(await db.ScalarAsync<bool>("SELECT to_regclass('hsm_keys') IS NOT NULL"));
    }

    [Fact]
    public async Task ApplyAsync_SecondRun_IsNoOp()
    {
        await using var db = await TestDatabase.CreateAsync();
        await Runner(db).ApplyAsync(CancellationToken.None);
        var firstAppliedAt = await db.ScalarAsync<DateTime>("SELECT max(applied_at) FROM schema_migrations");

        var applied = await Runner(db).ApplyAsync(CancellationToken.None);

        Assert.Empty(applied);
        Assert.Equal(firstAppliedAt, await db.ScalarAsync<DateTime>("SELECT max(applied_at) FROM schema_migrations"));
    }

    [Fact]
    public async Task ApplyAsync_AppliedFileChanged_RefusesNamingTheFile()
    {
        await using var db = await TestDatabase.CreateAsync();
        var runner = Runner(db);
        await runner.ApplyAsync([Script(1, "CREATE TABLE a (x int);")], CancellationToken.None);

        var ex = await Assert.ThrowsAsync<MigrationException>(
            () => runner.ApplyAsync([Script(1, "CREATE TABLE a (x bigint);")], CancellationToken.None));

        Assert.Contains("0001_test.sql", ex.Message, StringComparison.Ordinal);
        Assert.Equal("integer", await db.ScalarAsync<string>(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'a' AND column_name = 'x'"));
    }

    [Fact]
    public async Task ApplyAsync_EmbeddedFileTamperedInDatabaseRecord_Refused()
    {
        await using var db = await TestDatabase.CreateAsync();
        var runner = Runner(db);
        await runner.ApplyAsync(CancellationToken.None);
        await db.ExecuteAsync("UPDATE schema_migrations SET checksum = '\\x00' WHERE version = 1");

        await Assert.ThrowsAsync<MigrationException>(() => runner.ApplyAsync(CancellationToken.None));
        await Assert.ThrowsAsync<MigrationException>(() => runner.CountPendingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ApplyAsync_FailingMigration_RollsBackEverythingItDid()
    {
        await using var db = await TestDatabase.CreateAsync();
        var runner = Runner(db);

        await Assert.ThrowsAsync<MigrationException>(() => runner.ApplyAsync(
            [Script(1, "CREATE TABLE good (x int);"), Script(2, "CREATE TABLE half (x int); SELECT * FROM no_such_table;")],
            CancellationToken.None));

        Assert.True(await db.ScalarAsync<bool>("SELECT to_regclass('good') IS NOT NULL"));
        Assert.False(await db.ScalarAsync<bool>("SELECT to_regclass('half') IS NOT NULL"));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task ApplyAsync_DatabaseMigratedByNewerBuild_Refused()
    {
        await using var db = await TestDatabase.CreateAsync();
        var runner = Runner(db);
        await runner.ApplyAsync([Script(1, "SELECT 1;"), Script(2, "SELECT 2;")], CancellationToken.None);

        var ex = await Assert.ThrowsAsync<MigrationException>(
            () => runner.ApplyAsync([Script(1, "SELECT 1;")], CancellationToken.None));

        Assert.Contains("newer build", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_ConcurrentRunners_ApplyEachFileExactlyOnce()
    {
        await using var db = await TestDatabase.CreateAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Runner(db).ApplyAsync(CancellationToken.None)));

        Assert.Equal(MigrationScript.LoadEmbedded().Count, results.Sum(r => r.Count));
        Assert.Equal(MigrationScript.LoadEmbedded().Count, await db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public void LoadEmbedded_VersionsAreContiguousFromOne()
    {
        var scripts = MigrationScript.LoadEmbedded();

        Assert.Equal(Enumerable.Range(1, scripts.Count), scripts.Select(s => s.Version));
    }
}
