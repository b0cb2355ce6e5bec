using System.Diagnostics;

namespace SignatureService.WebAuthn.Tests;

/// <summary>Runs the openssl command line (an independent implementation) in a private temporary folder.</summary>
internal sealed class OpenSsl : IDisposable
{
    public OpenSsl()
    {
        Directory = Path.Combine(Path.GetTempPath(), "webauthn-openssl-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public void Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = Directory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException("openssl timed out");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("openssl " + string.Join(' ', arguments) + " failed: " + stderr.Result);
        }
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
