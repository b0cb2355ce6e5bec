namespace SignatureService.Hsm;

/// <summary>Signature mechanisms of <see cref="HsmKey.Sign(HsmSignatureMechanism, ReadOnlySpan{byte})"/> (PKCS#11 v2.40 current mechanisms §2.1, §2.3).</summary>
public enum HsmSignatureMechanism
{
    /// <summary>CKM_SHA256_RSA_PKCS: input is the data (at most <see cref="HsmKey.MaxDataLength"/> bytes); the token hashes it.</summary>
    Sha256RsaPkcs = 1,

    /// <summary>
    /// CKM_RSA_PKCS over a DER DigestInfo: input is a 32-byte SHA-256 hash; this layer prepends the DigestInfo prefix
    /// (RFC 8017 §9.2 note 1), as HPKI cards do.
    /// </summary>
    RsaPkcsSha256DigestInfo = 2,

    /// <summary>CKM_RSA_PKCS_PSS: input is a 32-byte SHA-256 hash; parameters SHA-256, MGF1-SHA-256, salt 32 bytes (RFC 8017 §9.1).</summary>
    RsaPkcsPssSha256 = 3,

    /// <summary>CKM_ECDSA: input is a hash (20 to 64 bytes, normally SHA-256); output is raw r || s (2 × 32 bytes for P-256).</summary>
    Ecdsa = 4,
}
