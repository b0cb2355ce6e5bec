using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace SignatureService.Api.Tests.Faults;

/// <summary>
/// A throwaway PostgreSQL cluster of its own (initdb under the temp folder, loopback only, trust authentication), so a fault test
/// can stop and restart the database without touching the cluster the other tests share.
/// </summary>
internal sealed class PrivateCluster : IAsyncDisposable
{
    private readonly string _root;
    private readonly string _bin;

    private PrivateCluster(string root, string bin, int port)
    {
        _root = root;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(_root, "data");

    /// <summary>A connection string to <paramref name="database"/>; the test's own connections skip pooling so a restart
    /// never hands them a dead connection (the service's pool must cope with that by itself).</summary>
    public string ConnectionString(string database, bool pooling = true) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, Timeout = 5, CommandTimeout = 30, Pooling = pooling,
    }.ConnectionString;

    public static async Task<PrivateCluster> CreateAsync(string database)
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderByDescending(d => d, StringComparer.Ordinal)
            .FirstOrDefault() ?? throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql.");
        var root = Path.Combine(Path.GetTempPath(), "signsvc-fault-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        await RunAsync("chown", "postgres:postgres", root);
        await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(bin, "initdb"), "-D", Path.Combine(root, "data"), "-U", "postgres",
            "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8");

        // Note: ports below the ephemeral range, tried in turn, as the set-up script does.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var port = 31000 + Random.Shared.Next(0, 1500);
            var cluster = new PrivateCluster(root, bin, port);
            if (await cluster.TryStartAsync())
            {
                await using var admin = new NpgsqlConnection(cluster.ConnectionString("postgres"));
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
                await create.ExecuteNonQueryAsync();
                return cluster;
            }
        }

        throw new InvalidOperationException("The private PostgreSQL cluster did not start on any port tried.");
    }

    /// <summary>Starts the stopped cluster again on the same port.</summary>
    public async Task StartAsync()
    {
        if (!await TryStartAsync())
        {
            throw new InvalidOperationException($"The private cluster did not restart on port {Port}.");
        }
    }

    /// <summary>Stops the cluster at once (<c>-m immediate</c>: connections are cut as in a crash or a failover).</summary>
    public Task StopAsync() =>
        RunAsync("runuser", "-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Note: already stopped.
        }

        Directory.Delete(_root, recursive: true);
    }

    private async Task<bool> TryStartAsync()
    {
        try
        {
            await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-w", "-t", "60",
                "-l", Path.Combine(_root, "server.log"), "-o",
                string.Create(CultureInfo.InvariantCulture, $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off"), "start");
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
