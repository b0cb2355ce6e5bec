using Microsoft.Extensions.Options;

namespace SignatureService.Api.Features.Approvals;

/// <summary>Settings of signature approval (section <c>Approvals</c>).</summary>
public sealed class ApprovalOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Approvals";

    /// <summary>How long an approval transaction stays valid: 30 seconds to 5 minutes (inclusive); default 5 minutes.</summary>
    public TimeSpan TransactionLifetime { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Refuses to start with an approval lifetime outside 30 s – 5 min (the architecture's freshness bound).</summary>
internal sealed class ApprovalOptionsValidator : IValidateOptions<ApprovalOptions>
{
    public ValidateOptionsResult Validate(string? name, ApprovalOptions options) =>
        options.TransactionLifetime < TimeSpan.FromSeconds(30) || options.TransactionLifetime > TimeSpan.FromMinutes(5)
            ? ValidateOptionsResult.Fail("Approvals:TransactionLifetime must be between 00:00:30 and 00:05:00.")
            : ValidateOptionsResult.Success;
}
