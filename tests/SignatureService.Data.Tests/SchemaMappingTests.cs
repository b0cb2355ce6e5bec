using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SignatureService.Data.Audit;
using SignatureService.Data.Keys;
using SignatureService.Data.Migrating;
using SignatureService.Data.Users;
using SignatureService.Testing;

namespace SignatureService.Data.Tests;

/// <summary>The EF model must map exactly onto the schema the SQL migrations create.</summary>
public sealed class SchemaMappingTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private NpgsqlDataSource _dataSource = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _dataSource = _db.CreateDataSource();
        await new MigrationRunner(_dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _db.DisposeAsync();
    }

    private SignatureServiceDbContext Context() =>
        new(new DbContextOptionsBuilder<SignatureServiceDbContext>().UseNpgsql(_dataSource).Options);

    [Fact]
    public async Task Model_EveryMappedColumn_ExistsWithMatchingNullability()
    {
        await using var context = Context();
        var columns = new Dictionary<(string Table, string Column), bool>();
        await using (var command = _dataSource.CreateCommand(
            "SELECT table_name, column_name, is_nullable = 'YES' FROM information_schema.columns WHERE table_schema = 'public'"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns[(reader.GetString(0), reader.GetString(1))] = reader.GetBoolean(2);
            }
        }

        var problems = new List<string>();
        foreach (var entity in context.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
            foreach (var property in entity.GetProperties())
            {
                var column = property.GetColumnName(store)!;
                if (column == "xmin")
                {
                    // Note: a PostgreSQL system column (row version), present on every table but not in information_schema.
                    continue;
                }

                if (!columns.TryGetValue((table, column), out var nullable))
                {
                    problems.Add($"{table}.{column} is mapped but missing");
                }
                else if (nullable != property.IsNullable)
                {
                    problems.Add($"{table}.{column}: database nullable={nullable}, model nullable={property.IsNullable}");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public async Task DocumentColumns_AreCompressedWithLz4()
    {
        // Note: the test and CI machines run Debian's PostgreSQL, which is built with lz4; 0014 skips the change elsewhere.
        await using var command = _dataSource.CreateCommand("""
            SELECT c.relname || '.' || a.attname, a.attcompression::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relname IN ('signature_request_documents', 'signed_document_versions') AND a.attname IN ('content', 'signed_content')
            ORDER BY 1
            """);
        var found = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found.Add($"{reader.GetString(0)}={reader.GetString(1)}");
        }

        Assert.Equal(
            ["signature_request_documents.content=l", "signature_request_documents.signed_content=l", "signed_document_versions.signed_content=l"],
            found);
    }

    [Fact]
    public async Task HsmKeyRecord_RoundTrips()
    {
        var key = new HsmKeyRecord
        {
            Id = Guid.NewGuid(),
            Purpose = "health-test",
            Label = "health-test/" + Guid.NewGuid().ToString("N"),
            CkId = [1, 2, 3, 4],
            Algorithm = "EcP256",
            PublicKeySpki = [0x30, 0x59, 0x30],
            CreatedAt = new DateTimeOffset(2026, 11, 21, 1, 2, 3, TimeSpan.Zero),
        };
        await using (var context = Context())
        {
            context.HsmKeys.Add(key);
            await context.SaveChangesAsync();
        }

        await using var read = Context();
        var loaded = await read.HsmKeys.SingleAsync(k => k.Id == key.Id);
        Assert.Equal(key.Label, loaded.Label);
        Assert.Equal(key.CkId, loaded.CkId);
        Assert.Equal(key.PublicKeySpki, loaded.PublicKeySpki);
        Assert.Equal(key.CreatedAt, loaded.CreatedAt);
        Assert.Equal(key.Algorithm, loaded.Algorithm);
    }

    [Fact]
    public async Task AuditEventRecord_RoundTripsWithDatabaseAssignedIncreasingIds()
    {
        AuditEventRecord Make(string action) => new()
        {
            OccurredAt = new DateTimeOffset(2026, 11, 21, 1, 2, 3, TimeSpan.Zero),
            ActorType = "system",
            ActorId = "test",
            Action = action,
            TargetType = "hsm-key",
            TargetId = "k1",
            Outcome = "success",
            TraceId = "00-abc-01",
            Details = JsonDocument.Parse("""{"algorithm":"EcP256"}"""),
        };
        var first = Make("hsm.key-generated");
        var second = Make("hsm.key-destroyed");
        await using (var context = Context())
        {
            context.AuditEvents.AddRange(first, second);
            await context.SaveChangesAsync();
        }

        await using var read = Context();
        var loaded = await read.AuditEvents.OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(["hsm.key-generated", "hsm.key-destroyed"], loaded.Select(e => e.Action));
        Assert.True(loaded[1].Id > loaded[0].Id);
        Assert.Equal("EcP256", loaded[0].Details.RootElement.GetProperty("algorithm").GetString());
    }

    [Fact]
    public async Task UserRecord_RoundTripsRoles_AndUnknownRoleIsRejected()
    {
        var user = new UserRecord
        {
            Id = Guid.NewGuid(),
            DisplayName = "山田 太郎",
            Status = "active",
            Roles = [UserRoles.RaOperator, UserRoles.Auditor],
            CreatedAt = DateTimeOffset.UnixEpoch,
            UpdatedAt = DateTimeOffset.UnixEpoch,
        };
        await using (var context = Context())
        {
            context.Users.Add(user);
            await context.SaveChangesAsync();
        }

        await using var read = Context();
        Assert.Equal(user.Roles, (await read.Users.SingleAsync(u => u.Id == user.Id)).Roles);
        read.Users.Add(new UserRecord { Id = Guid.NewGuid(), DisplayName = "x", Status = "active", Roles = ["root"] });
        var ex = await Assert.ThrowsAsync<DbUpdateException>(() => read.SaveChangesAsync());
        Assert.Equal(PostgresErrorCodes.CheckViolation, Assert.IsType<PostgresException>(ex.InnerException).SqlState);
    }

    [Fact]
    public async Task AuditEventRecord_InvalidOutcome_RejectedByTheSchema()
    {
        await using var context = Context();
        context.AuditEvents.Add(new AuditEventRecord
        {
            OccurredAt = DateTimeOffset.UnixEpoch,
            ActorType = "system",
            ActorId = "test",
            Action = "x",
            Outcome = "maybe",
        });

        var ex = await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
        Assert.Equal(PostgresErrorCodes.CheckViolation, Assert.IsType<PostgresException>(ex.InnerException).SqlState);
    }
}
