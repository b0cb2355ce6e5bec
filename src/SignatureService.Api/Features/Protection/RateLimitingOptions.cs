using Microsoft.Extensions.Options;

namespace SignatureService.Api.Features.Protection;

/// <summary>Request rate limits (section <c>RateLimiting</c>): token buckets per authenticated client or user, and per address otherwise.</summary>
public sealed class RateLimitingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "RateLimiting";

    /// <summary>Off only for benchmarks of the service itself (default on).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Sustained requests per second per EHR client or signed-in user (1–100,000, default 200).</summary>
    public int PermitsPerPrincipalPerSecond { get; set; } = 200;

    /// <summary>Sustained requests per second per remote address for anonymous requests (1–100,000, default 20).</summary>
    public int PermitsPerAddressPerSecond { get; set; } = 20;

    /// <summary>Bucket size as a multiple of the per-second rate: the burst allowed after a quiet second (1–60, default 2).</summary>
    public int BurstSeconds { get; set; } = 2;
}

internal sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        var failures = new List<string>();
        if (options.PermitsPerPrincipalPerSecond is < 1 or > 100_000)
        {
            failures.Add("RateLimiting:PermitsPerPrincipalPerSecond must be between 1 and 100000.");
        }

        if (options.PermitsPerAddressPerSecond is < 1 or > 100_000)
        {
            failures.Add("RateLimiting:PermitsPerAddressPerSecond must be between 1 and 100000.");
        }

        if (options.BurstSeconds is < 1 or > 60)
        {
            failures.Add("RateLimiting:BurstSeconds must be between 1 and 60.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
