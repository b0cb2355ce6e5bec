namespace SignatureService.Hsm;

/// <summary>Key pair algorithms this service generates in the token.</summary>
public enum HsmKeyAlgorithm
{
    /// <summary>RSA with a 2048-bit modulus and public exponent 65537 (HPKI signer keys).</summary>
    Rsa2048 = 1,

    /// <summary>RSA with a 3072-bit modulus and public exponent 65537 (CA keys).</summary>
    Rsa3072 = 2,

    /// <summary>ECDSA on NIST P-256 (secp256r1, OID 1.2.840.10045.3.1.7).</summary>
    EcP256 = 3,
}
