using System.Security.Cryptography.X509Certificates;
using SignatureService.Pki.Certificates;

namespace SignatureService.Pki.Ocsp;

/// <summary>A CA served by the responder and the key that signs its OCSP responses.</summary>
/// <param name="CaCertificate">The CA whose certificates are answered for.</param>
/// <param name="Signer">A delegated responder (EKU id-kp-OCSPSigning, issued by the CA) or the CA itself.</param>
public sealed record OcspAuthority(X509Certificate2 CaCertificate, IssuerCredential Signer);
