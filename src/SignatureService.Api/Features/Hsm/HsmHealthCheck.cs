using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SignatureService.Hsm;

namespace SignatureService.Api.Features.Hsm;

/// <summary>Ready when the HSM signs a fresh random challenge with the health-test key and the signature verifies.</summary>
internal sealed class HsmHealthCheck(HsmConnection connection) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (connection.HealthKey is not { } key)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(connection.State));
        }

        try
        {
            var hash = RandomNumberGenerator.GetBytes(32);
            var signature = key.Sign(HsmSignatureMechanism.Ecdsa, hash);
            using var verifier = ECDsa.Create();
            verifier.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo, out _);
            return Task.FromResult(verifier.VerifyHash(hash, signature)
                ? HealthCheckResult.Healthy("signs with the health-test key")
                : HealthCheckResult.Unhealthy("health-test signature did not verify"));
        }
        catch (HsmException ex)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"sign failed: {ex.Code}"));
        }
    }
}
