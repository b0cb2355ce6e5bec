namespace SignatureService.WebAuthn.Cose;

/// <summary>COSE key types (RFC 9053 §7, label 1 "kty").</summary>
public enum CoseKeyType
{
    /// <summary>Octet key pair (Ed25519, Ed448).</summary>
    Okp = 1,

    /// <summary>Elliptic curve with x and y coordinates.</summary>
    EC2 = 2,

    /// <summary>RSA (RFC 8230).</summary>
    Rsa = 3,
}
