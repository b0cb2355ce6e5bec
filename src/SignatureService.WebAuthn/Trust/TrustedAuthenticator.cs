using System.Security.Cryptography.X509Certificates;

namespace SignatureService.WebAuthn.Trust;

/// <summary>
/// An allow-list entry: an authenticator model the operator has vetted as hardware-bound, with the roots its attestation
/// certificates must chain to. The certificates are owned by the caller and must outlive the options.
/// </summary>
/// <param name="Aaguid">The model's AAGUID.</param>
/// <param name="Description">A human-readable model name for audit records.</param>
/// <param name="AttestationRoots">Self-signed trust anchors (at least one).</param>
public sealed record TrustedAuthenticator(Guid Aaguid, string Description, IReadOnlyList<X509Certificate2> AttestationRoots);
