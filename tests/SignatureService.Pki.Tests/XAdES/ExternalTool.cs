using System.Diagnostics;

namespace SignatureService.Pki.Tests.XAdES;

internal sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Describe() => $"exit {ExitCode}: {StandardOutput} {StandardError}";
}

/// <summary>Runs an independent command-line tool (openssl, xmlsec1) with a timeout.</summary>
internal static class ExternalTool
{
    public static ToolResult Run(string fileName, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} timed out");
        }

        return new ToolResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static void MustSucceed(string fileName, string workingDirectory, params string[] arguments)
    {
        var result = Run(fileName, workingDirectory, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed: {result.Describe()}");
        }
    }
}
