using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace SignatureService.Data;

/// <summary>
/// Keeps a unit of work's connection open across several statements. Without it EF Core opens and closes the connection
/// around every query outside a transaction: a pool rent and return each time, and a <c>DISCARD ALL</c> sent ahead of the
/// next statement. Measured here, that was about 0.07 ms of a 0.15 ms query.
/// </summary>
public sealed class HeldConnection : IAsyncDisposable
{
    private readonly DatabaseFacade _database;

    private HeldConnection(DatabaseFacade database) => _database = database;

    /// <summary>Opens <paramref name="database"/>'s connection until the result is disposed (nested holds are counted by EF Core).</summary>
    public static async Task<HeldConnection> OpenAsync(DatabaseFacade database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        await database.OpenConnectionAsync(cancellationToken);
        return new HeldConnection(database);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _database.CloseConnectionAsync();
}
