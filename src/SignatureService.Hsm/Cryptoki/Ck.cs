namespace SignatureService.Hsm.Cryptoki;

/// <summary>
/// Numeric constants of PKCS#11 Cryptoki v2.40 (base specification §3 and current mechanisms §2) used by this binding.
/// </summary>
internal static class Ck
{
    // Object classes (CKO_*), base §4.2.
    public const ulong CKO_PUBLIC_KEY = 2;
    public const ulong CKO_PRIVATE_KEY = 3;

    // Key types (CKK_*), base §4.8.
    public const ulong CKK_RSA = 0;
    public const ulong CKK_EC = 3;

    // Attributes (CKA_*), base §4 and mechanisms §2.1, §2.3.
    public const ulong CKA_CLASS = 0x0;
    public const ulong CKA_TOKEN = 0x1;
    public const ulong CKA_PRIVATE = 0x2;
    public const ulong CKA_LABEL = 0x3;
    public const ulong CKA_VALUE = 0x11;
    public const ulong CKA_KEY_TYPE = 0x100;
    public const ulong CKA_ID = 0x102;
    public const ulong CKA_SENSITIVE = 0x103;
    public const ulong CKA_ENCRYPT = 0x104;
    public const ulong CKA_DECRYPT = 0x105;
    public const ulong CKA_WRAP = 0x106;
    public const ulong CKA_UNWRAP = 0x107;
    public const ulong CKA_SIGN = 0x108;
    public const ulong CKA_VERIFY = 0x10a;
    public const ulong CKA_DERIVE = 0x10c;
    public const ulong CKA_MODULUS = 0x120;
    public const ulong CKA_MODULUS_BITS = 0x121;
    public const ulong CKA_PUBLIC_EXPONENT = 0x122;
    public const ulong CKA_PRIVATE_EXPONENT = 0x123;
    public const ulong CKA_EXTRACTABLE = 0x162;
    public const ulong CKA_LOCAL = 0x163;
    public const ulong CKA_NEVER_EXTRACTABLE = 0x164;
    public const ulong CKA_ALWAYS_SENSITIVE = 0x165;
    public const ulong CKA_EC_PARAMS = 0x180;
    public const ulong CKA_EC_POINT = 0x181;

    // Mechanisms (CKM_*), current mechanisms §2.
    public const ulong CKM_RSA_PKCS_KEY_PAIR_GEN = 0x0;
    public const ulong CKM_RSA_PKCS = 0x1;
    public const ulong CKM_RSA_PKCS_PSS = 0xd;
    public const ulong CKM_SHA256_RSA_PKCS = 0x40;
    public const ulong CKM_SHA256_RSA_PKCS_PSS = 0x43;
    public const ulong CKM_SHA256 = 0x250;
    public const ulong CKM_SHA384 = 0x260;
    public const ulong CKM_SHA512 = 0x270;
    public const ulong CKM_EC_KEY_PAIR_GEN = 0x1040;
    public const ulong CKM_ECDSA = 0x1041;

    // Mask generation functions (CKG_*), mechanisms §2.1.7.
    public const ulong CKG_MGF1_SHA256 = 0x2;
    public const ulong CKG_MGF1_SHA384 = 0x3;
    public const ulong CKG_MGF1_SHA512 = 0x4;

    // Flags (CKF_*), base §5.4, §5.6.
    public const ulong CKF_OS_LOCKING_OK = 0x2;
    public const ulong CKF_RW_SESSION = 0x2;
    public const ulong CKF_SERIAL_SESSION = 0x4;
    public const ulong CKF_TOKEN_INITIALIZED = 0x400;
    public const ulong CKF_USER_PIN_INITIALIZED = 0x8;

    // User types (CKU_*), base §3.4 and session states (CKS_*), base §3.6.
    public const ulong CKU_SO = 0;
    public const ulong CKU_USER = 1;
    public const ulong CKS_RO_USER_FUNCTIONS = 1;
    public const ulong CKS_RW_USER_FUNCTIONS = 3;

    /// <summary>CK_UNAVAILABLE_INFORMATION: <c>~0UL</c>, the length reported for an unreadable attribute (base §5.7).</summary>
    public const ulong CK_UNAVAILABLE_INFORMATION = ulong.MaxValue;

    /// <summary>CK_TRUE as a CK_BBOOL.</summary>
    public const byte CK_TRUE = 1;

    /// <summary>CK_FALSE as a CK_BBOOL.</summary>
    public const byte CK_FALSE = 0;
}
