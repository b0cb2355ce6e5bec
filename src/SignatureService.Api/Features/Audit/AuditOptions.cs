using Microsoft.Extensions.Options;

namespace SignatureService.Api.Features.Audit;

/// <summary>How often the audit sealer runs and when it signs checkpoints. Bound from the <c>Audit</c> section.</summary>
public sealed class AuditOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Audit";

    /// <summary>Pause between sealing passes when there is nothing left to seal (50–60,000 ms, default 1,000).</summary>
    public int SealIntervalMilliseconds { get; set; } = 1000;

    /// <summary>A checkpoint is signed after this many new chain positions (1–1,000,000, default 1,000).</summary>
    public int CheckpointEveryEvents { get; set; } = 1000;

    /// <summary>…or after this many seconds with new positions, whichever comes first (1–86,400, default 300).</summary>
    public int CheckpointIntervalSeconds { get; set; } = 300;

    /// <summary>Events sealed per transaction (1–100,000, default 5,000).</summary>
    public int BatchSize { get; set; } = 5000;

    internal SignatureService.Data.Audit.AuditSealingPolicy ToPolicy() =>
        new(CheckpointEveryEvents, TimeSpan.FromSeconds(CheckpointIntervalSeconds), BatchSize);
}

internal sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        var failures = new List<string>();
        if (options.SealIntervalMilliseconds is < 50 or > 60_000)
        {
            failures.Add("Audit:SealIntervalMilliseconds must be between 50 and 60000.");
        }

        if (options.CheckpointEveryEvents is < 1 or > 1_000_000)
        {
            failures.Add("Audit:CheckpointEveryEvents must be between 1 and 1000000.");
        }

        if (options.CheckpointIntervalSeconds is < 1 or > 86_400)
        {
            failures.Add("Audit:CheckpointIntervalSeconds must be between 1 and 86400.");
        }

        if (options.BatchSize is < 1 or > 100_000)
        {
            failures.Add("Audit:BatchSize must be between 1 and 100000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
