namespace SignatureService.Hsm.Tests.Unit;

public sealed class HsmOptionsTests
{
    [Fact]
    public void Validate_CompleteOptions_ReturnsNoProblems()
    {
        var pinFile = Path.GetTempFileName();
        try
        {
            var options = new HsmOptions { ModulePath = "/usr/lib/x.so", TokenLabel = "t", PinFile = pinFile };

            Assert.Empty(options.Validate());
        }
        finally
        {
            File.Delete(pinFile);
        }
    }

    [Fact]
    public void Validate_EmptyOptions_NamesModulePathTokenLabelAndPinSettings()
    {
        var problems = new HsmOptions().Validate();

        Assert.Contains(problems, p => p.StartsWith("Hsm:ModulePath", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Hsm:TokenLabel", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Hsm:PinFile", StringComparison.Ordinal) && p.Contains("Hsm:PinEnvironmentVariable", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BothPinSources_IsAProblem()
    {
        var options = new HsmOptions { ModulePath = "/m.so", TokenLabel = "t", PinFile = "/p", PinEnvironmentVariable = "PIN" };

        Assert.Single(options.Validate(), p => p.Contains("Hsm:PinEnvironmentVariable", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(257)]
    public void Validate_PoolSizeOutOfRange_NamesSessionPoolSize(int size)
    {
        var options = new HsmOptions { ModulePath = "/m.so", TokenLabel = "t", PinEnvironmentVariable = "PIN", SessionPoolSize = size };

        Assert.Single(options.Validate(), p => p.StartsWith("Hsm:SessionPoolSize", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_RelativeModulePathAndLongLabel_NamesBoth()
    {
        var options = new HsmOptions { ModulePath = "libsofthsm2.so", TokenLabel = new string('x', 33), PinEnvironmentVariable = "PIN" };

        var problems = options.Validate();

        Assert.Equal(2, problems.Count);
        Assert.StartsWith("Hsm:ModulePath", problems[0], StringComparison.Ordinal);
        Assert.StartsWith("Hsm:TokenLabel", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingPinFile_NamesPinFile()
    {
        var options = new HsmOptions { ModulePath = "/m.so", TokenLabel = "t", PinFile = "/nonexistent/" + Guid.NewGuid() };

        Assert.Single(options.Validate(), p => p.StartsWith("Hsm:PinFile", StringComparison.Ordinal));
    }
}
