using SignatureService.Api.Tests.Infrastructure;

namespace SignatureService.Api.Tests.Pki;

// Note: once, under the full suite's parallel load, a start refused for a bad setting surfaced as an ObjectDisposedException
// instead of the validation failure (not reproduced in 6 isolated runs; root cause not found yet). Until it is, this class
// runs outside the parallel collections; its assertions are unchanged.
[Collection(StartFailureTests.Name)]
public sealed class PkiOptionsTests
{
    [Theory]
    [InlineData("Pki:PublicBaseUrl", "ftp://example")]
    [InlineData("Pki:RootSubject", "not a name")]
    [InlineData("Pki:SigningPolicyOid", "1.2.x")]
    [InlineData("Pki:RootYears", "0")]
    [InlineData("Pki:EndEntityYears", "30")]
    [InlineData("Pki:CrlValidity", "00:00:10")]
    [InlineData("Pki:OcspResponseValidity", "30.00:00:00")]
    public async Task Start_InvalidPkiSetting_FailsNamingTheSetting(string setting, string value)
    {
        var (factory, db) = await ServiceFactory.CreateAsync(new Dictionary<string, string?> { [setting] = value });
        await using var _ = db;
        await using var __ = factory;

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains(setting.Split(':')[1], ex.ToString(), StringComparison.Ordinal);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StartFailureTests
{
    public const string Name = "start-failure";
}
