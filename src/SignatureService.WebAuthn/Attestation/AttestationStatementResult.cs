using System.Security.Cryptography.X509Certificates;

namespace SignatureService.WebAuthn.Attestation;

/// <summary>The outcome of a format's verification procedure: the attestation type and trust path (leaf first). Owns the certificates.</summary>
internal sealed class AttestationStatementResult(AttestationType type, IReadOnlyList<X509Certificate2> trustPath) : IDisposable
{
    public AttestationType Type { get; } = type;

    public IReadOnlyList<X509Certificate2> TrustPath { get; } = trustPath;

    public void Dispose()
    {
        foreach (var certificate in TrustPath)
        {
            certificate.Dispose();
        }
    }
}
