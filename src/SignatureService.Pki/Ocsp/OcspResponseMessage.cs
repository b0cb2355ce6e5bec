namespace SignatureService.Pki.Ocsp;

/// <summary>An encoded OCSPResponse and its status, for logging and metrics.</summary>
/// <param name="Status">The responseStatus.</param>
/// <param name="Encoded">The DER OCSPResponse, to be sent with content type application/ocsp-response.</param>
public sealed record OcspResponseMessage(OcspResponseStatus Status, byte[] Encoded);
