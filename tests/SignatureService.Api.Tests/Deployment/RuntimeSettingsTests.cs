using System.Text.Json;
using System.Xml.Linq;

namespace SignatureService.Api.Tests.Deployment;

/// <summary>
/// The runtime settings the service ships with (its runtimeconfig.json, used by run.sh and the container) are the ones the
/// signing benchmark measured, and the benchmark, which hosts the service in its own process, runs with the same.
/// </summary>
public sealed class RuntimeSettingsTests
{
    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));

    [Fact]
    public void ServiceRuntimeConfig_UsesWorkstationGc_AndIdleWorkersDoNotSpin()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "SignatureService.Api.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(file));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.True(properties.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.Equal(0, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }

    [Fact]
    public void SigningBenchmark_HostsTheServiceWithItsRuntimeSettings()
    {
        static (string? Server, string? Concurrent, string? Spin) SettingsOf(string project)
        {
            var xml = XDocument.Load(Path.Combine(RepositoryRoot(), project));
            return (
                xml.Descendants("ServerGarbageCollection").SingleOrDefault()?.Value,
                xml.Descendants("ConcurrentGarbageCollection").SingleOrDefault()?.Value,
                xml.Descendants("RuntimeHostConfigurationOption")
                    .SingleOrDefault(o => (string?)o.Attribute("Include") == "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit")
                    ?.Attribute("Value")?.Value);
        }

        var service = SettingsOf("src/SignatureService.Api/SignatureService.Api.csproj");
        var benchmark = SettingsOf("bench/SignatureService.Approval.Benchmarks/SignatureService.Approval.Benchmarks.csproj");

        Assert.Equal(("false", "true", "0"), service);
        Assert.Equal(service, benchmark);
    }
}
