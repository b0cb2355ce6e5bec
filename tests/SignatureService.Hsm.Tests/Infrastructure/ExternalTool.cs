using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace SignatureService.Hsm.Tests.Infrastructure;

/// <summary>Runs independent command-line oracles (openssl, pkcs11-tool) with a time limit.</summary>
internal static class ExternalTool
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within 60 s.");
        }

        return new Result(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>
    /// <c>openssl dgst -sha256 -verify spki.pem -signature sig data</c>, with PSS options when asked.
    /// The signature must be in the format OpenSSL expects (DER for ECDSA).
    /// </summary>
    public static Result OpenSslVerify(byte[] subjectPublicKeyInfo, byte[] data, byte[] signature, bool pss = false)
    {
        using var directory = new TemporaryDirectory();
        var keyPath = directory.Write("key.pem", Encoding.ASCII.GetBytes(PemEncoding.WriteString("PUBLIC KEY", subjectPublicKeyInfo)));
        var dataPath = directory.Write("data.bin", data);
        var signaturePath = directory.Write("sig.bin", signature);
        var arguments = new List<string> { "dgst", "-sha256", "-verify", keyPath, "-signature", signaturePath };
        if (pss)
        {
            arguments.AddRange(["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-sigopt", "rsa_mgf1_md:sha256"]);
        }

        arguments.Add(dataPath);
        return Run("openssl", [.. arguments]);
    }
}

internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory()
    {
        Path = Directory.CreateTempSubdirectory("hsm-tests-").FullName;
    }

    public string Path { get; }

    public string Write(string name, byte[] content)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
