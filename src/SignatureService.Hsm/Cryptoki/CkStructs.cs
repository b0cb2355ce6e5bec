using System.Runtime.InteropServices;

namespace SignatureService.Hsm.Cryptoki;

// Note: these mirror the PKCS#11 v2.40 C structures for LP64 Unix (CK_ULONG = 64-bit unsigned long), with the natural
// alignment the specification requires on Unix (no packing). Field names follow pkcs11t.h.
#pragma warning disable IDE1006, SA1307 // Note: names follow the C header so the layout can be checked against it.

/// <summary>CK_ATTRIBUTE (base §4.1): 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CK_ATTRIBUTE
{
    public ulong type;
    public void* pValue;
    public ulong ulValueLen;
}

/// <summary>CK_MECHANISM (base §3.6): 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CK_MECHANISM
{
    public ulong mechanism;
    public void* pParameter;
    public ulong ulParameterLen;
}

/// <summary>CK_RSA_PKCS_PSS_PARAMS (current mechanisms §2.1.9): 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CK_RSA_PKCS_PSS_PARAMS
{
    public ulong hashAlg;
    public ulong mgf;
    public ulong sLen;
}

/// <summary>CK_C_INITIALIZE_ARGS (base §3.7): 48 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CK_C_INITIALIZE_ARGS
{
    public void* CreateMutex;
    public void* DestroyMutex;
    public void* LockMutex;
    public void* UnlockMutex;
    public ulong flags;
    public void* pReserved;
}

/// <summary>CK_VERSION (base §3.1): 2 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CK_VERSION
{
    public byte major;
    public byte minor;
}

/// <summary>CK_TOKEN_INFO (base §3.2): 208 bytes on LP64.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CK_TOKEN_INFO
{
    public fixed byte label[32];
    public fixed byte manufacturerID[32];
    public fixed byte model[16];
    public fixed byte serialNumber[16];
    public ulong flags;
    public ulong ulMaxSessionCount;
    public ulong ulSessionCount;
    public ulong ulMaxRwSessionCount;
    public ulong ulRwSessionCount;
    public ulong ulMaxPinLen;
    public ulong ulMinPinLen;
    public ulong ulTotalPublicMemory;
    public ulong ulFreePublicMemory;
    public ulong ulTotalPrivateMemory;
    public ulong ulFreePrivateMemory;
    public CK_VERSION hardwareVersion;
    public CK_VERSION firmwareVersion;
    public fixed byte utcTime[16];
}

/// <summary>CK_SESSION_INFO (base §3.6): 32 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CK_SESSION_INFO
{
    public ulong slotID;
    public ulong state;
    public ulong flags;
    public ulong ulDeviceError;
}

/// <summary>CK_MECHANISM_INFO (base §3.6): 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CK_MECHANISM_INFO
{
    public ulong ulMinKeySize;
    public ulong ulMaxKeySize;
    public ulong flags;
}
#pragma warning restore IDE1006, SA1307
