using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace SignatureService.Testing;

/// <summary>
/// The service as a real operating-system process (<c>dotnet SignatureService.Api.dll</c> of the same build configuration as
/// the caller), with settings as environment variables and Kestrel on loopback, so a fault test can SIGKILL it and a
/// benchmark can measure it from outside. Used by the fault tests and the sustained-load benchmark.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int Id => _process.Id;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Starts the service and waits (at most 120 s) until <c>/health/ready</c> answers 200.</summary>
    /// <param name="settings">Configuration keys (<c>Section:Key</c>) and values.</param>
    /// <param name="environment">Extra environment variables for the process.</param>
    /// <param name="environmentName"><c>ASPNETCORE_ENVIRONMENT</c>.</param>
    public static async Task<ServiceProcess> StartAsync(
        IReadOnlyDictionary<string, string?> settings, IReadOnlyDictionary<string, string>? environment = null, string environmentName = "Testing")
    {
        // Note: a port the system hands out is free now but may be taken before the service binds it (the ephemeral range is
        // shared with every outgoing connection on the machine); a refused bind is retried on another port.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(FreePort(), settings, environment, environmentName);
            }
            catch (AddressInUseException) when (attempt < 5)
            {
            }
        }
    }

    private static async Task<ServiceProcess> StartOnceAsync(
        int port, IReadOnlyDictionary<string, string?> settings, IReadOnlyDictionary<string, string>? environment, string environmentName)
    {
        var address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = ApiDirectory };
        start.ArgumentList.Add(Path.Combine(ApiDirectory, "SignatureService.Api.dll"));
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environmentName;
        var process = Process.Start(start) ?? throw new InvalidOperationException("The service process did not start.");
        var lastErrors = new ConcurrentQueue<string>();
        var addressInUse = false;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                addressInUse |= line.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
                lastErrors.Enqueue(line);
                while (lastErrors.Count > 20)
                {
                    lastErrors.TryDequeue(out var _);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var service = new ServiceProcess(process, address);
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; i < 1200; i++)
        {
            if (process.HasExited)
            {
                if (Volatile.Read(ref addressInUse))
                {
                    throw new AddressInUseException();
                }

                throw new InvalidOperationException(
                    $"The service process exited with {process.ExitCode} during start-up: {string.Join('\n', lastErrors)}");
            }

            try
            {
                using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return service;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Note: not listening yet, or busy starting on a loaded machine.
            }

            await Task.Delay(100);
        }

        await service.DisposeAsync();
        throw new TimeoutException("The service process did not become ready in 120 s.");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — as a crashed node or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// The Api project's build output of the caller's configuration: tests/P/bin/C/F and bench/P/bin/C/F sit at the same depth
    /// below the repository as src/SignatureService.Api/bin/C/F.
    /// </summary>
    private static string ApiDirectory
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = here.Name;
            var configuration = here.Parent!.Name;
            var repository = here.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(repository, "src", "SignatureService.Api", "bin", configuration, framework);
        }
    }
}

/// <summary>The service process could not bind its port (taken meanwhile); start it on another.</summary>
internal sealed class AddressInUseException : Exception
{
}
