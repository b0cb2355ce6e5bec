using System.Text.Json;
using Microsoft.Extensions.Options;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Migrating;
using SignatureService.Hsm;

namespace SignatureService.Api.Features.Audit;

/// <summary>The <c>audit verify</c> and <c>audit seal</c> command-line verbs.</summary>
internal static class AuditCommand
{
    /// <summary>Exit code when the trail fails verification.</summary>
    public const int Broken = 4;

    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(IServiceProvider services, string action)
    {
        switch (action)
        {
            case "verify":
                {
                    var report = await services.GetRequiredService<AuditChainVerifier>().VerifyAsync(CancellationToken.None);
                    await Console.Out.WriteLineAsync(JsonSerializer.Serialize(report, ReportJson));
                    return report.Intact ? 0 : Broken;
                }

            case "seal":
                {
                    await services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
                    using var token = HsmToken.Open(services.GetRequiredService<IOptions<HsmOptions>>().Value);
                    var signer = await HsmAuditCheckpointSigner.EnsureAsync(
                        token,
                        services.GetRequiredService<SignatureServiceDbContext>(),
                        services.GetRequiredService<AuditTrail>(),
                        services.GetRequiredService<TimeProvider>(),
                        CancellationToken.None);
                    var sealer = services.GetRequiredService<AuditChainSealer>();
                    var policy = services.GetRequiredService<IOptions<AuditOptions>>().Value.ToPolicy();
                    AuditSealResult result;
                    var total = 0;
                    do
                    {
                        result = await sealer.SealAsync(policy, signer, checkpointNow: true, CancellationToken.None);
                        total += result.Sealed;
                    }
                    while (result.Sealed == policy.BatchSize);

                    await Console.Out.WriteLineAsync(result.LockHeld
                        ? $"Sealed {total} event(s); head at position {result.HeadPosition}; checkpoint {(result.CheckpointPosition is { } p ? $"signed at {p}" : "already current")}."
                        : "Another sealer holds the lock; try again.");
                    return result.LockHeld ? 0 : 3;
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "The command line passes verify or seal only.");
        }
    }
}
