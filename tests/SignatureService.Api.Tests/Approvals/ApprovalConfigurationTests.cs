using System.Globalization;
using Microsoft.Extensions.Hosting.Internal;
using SignatureService.Api.Features.Approvals;
using SignatureService.Api.Features.Signing;

namespace SignatureService.Api.Tests.Approvals;

public sealed class ApprovalConfigurationTests
{
    [Theory]
    [InlineData("00:05:00", true)]
    [InlineData("00:00:30", true)]
    [InlineData("00:05:01", false)]
    [InlineData("00:00:29", false)]
    public void ApprovalOptions_LifetimeAtMostFiveMinutes(string lifetime, bool valid)
    {
        var options = new ApprovalOptions { TransactionLifetime = TimeSpan.Parse(lifetime, CultureInfo.InvariantCulture) };

        Assert.Equal(valid, new ApprovalOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("Production", false, false)]
    [InlineData("Production", true, true)]
    [InlineData("Benchmark", false, true)]
    public void SigningOptions_WithoutTimestamp_RefusedInProduction(string environment, bool timestamp, bool valid)
    {
        var validator = new SigningOptionsValidator(new HostingEnvironment { EnvironmentName = environment });

        Assert.Equal(valid, validator.Validate(null, new SigningOptions { SignatureTimestamp = timestamp }).Succeeded);
    }
}
