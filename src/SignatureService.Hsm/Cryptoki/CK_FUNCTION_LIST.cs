using System.Runtime.InteropServices;

namespace SignatureService.Hsm.Cryptoki;

#pragma warning disable IDE1006 // Note: names follow the C header so the order can be checked against it.

/// <summary>
/// CK_FUNCTION_LIST (base §5.2): a CK_VERSION followed by 68 function pointers in the order the specification fixes.
/// Functions this binding does not call are kept as <c>void*</c> so the offsets stay right.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CK_FUNCTION_LIST
{
    public CK_VERSION version;
    public delegate* unmanaged<CK_C_INITIALIZE_ARGS*, CkReturnValue> C_Initialize;
    public delegate* unmanaged<void*, CkReturnValue> C_Finalize;
    public void* C_GetInfo;
    public void* C_GetFunctionList;
    public delegate* unmanaged<byte, ulong*, ulong*, CkReturnValue> C_GetSlotList;
    public void* C_GetSlotInfo;
    public delegate* unmanaged<ulong, CK_TOKEN_INFO*, CkReturnValue> C_GetTokenInfo;
    public delegate* unmanaged<ulong, ulong*, ulong*, CkReturnValue> C_GetMechanismList;
    public delegate* unmanaged<ulong, ulong, CK_MECHANISM_INFO*, CkReturnValue> C_GetMechanismInfo;
    public delegate* unmanaged<ulong, byte*, ulong, byte*, CkReturnValue> C_InitToken;
    public delegate* unmanaged<ulong, byte*, ulong, CkReturnValue> C_InitPIN;
    public void* C_SetPIN;
    public delegate* unmanaged<ulong, ulong, void*, void*, ulong*, CkReturnValue> C_OpenSession;
    public delegate* unmanaged<ulong, CkReturnValue> C_CloseSession;
    public delegate* unmanaged<ulong, CkReturnValue> C_CloseAllSessions;
    public delegate* unmanaged<ulong, CK_SESSION_INFO*, CkReturnValue> C_GetSessionInfo;
    public void* C_GetOperationState;
    public void* C_SetOperationState;
    public delegate* unmanaged<ulong, ulong, byte*, ulong, CkReturnValue> C_Login;
    public delegate* unmanaged<ulong, CkReturnValue> C_Logout;
    public void* C_CreateObject;
    public void* C_CopyObject;
    public delegate* unmanaged<ulong, ulong, CkReturnValue> C_DestroyObject;
    public void* C_GetObjectSize;
    public delegate* unmanaged<ulong, ulong, CK_ATTRIBUTE*, ulong, CkReturnValue> C_GetAttributeValue;
    public void* C_SetAttributeValue;
    public delegate* unmanaged<ulong, CK_ATTRIBUTE*, ulong, CkReturnValue> C_FindObjectsInit;
    public delegate* unmanaged<ulong, ulong*, ulong, ulong*, CkReturnValue> C_FindObjects;
    public delegate* unmanaged<ulong, CkReturnValue> C_FindObjectsFinal;
    public void* C_EncryptInit;
    public void* C_Encrypt;
    public void* C_EncryptUpdate;
    public void* C_EncryptFinal;
    public void* C_DecryptInit;
    public void* C_Decrypt;
    public void* C_DecryptUpdate;
    public void* C_DecryptFinal;
    public void* C_DigestInit;
    public void* C_Digest;
    public void* C_DigestUpdate;
    public void* C_DigestKey;
    public void* C_DigestFinal;
    public delegate* unmanaged<ulong, CK_MECHANISM*, ulong, CkReturnValue> C_SignInit;
    public delegate* unmanaged<ulong, byte*, ulong, byte*, ulong*, CkReturnValue> C_Sign;
    public void* C_SignUpdate;
    public void* C_SignFinal;
    public void* C_SignRecoverInit;
    public void* C_SignRecover;
    public void* C_VerifyInit;
    public void* C_Verify;
    public void* C_VerifyUpdate;
    public void* C_VerifyFinal;
    public void* C_VerifyRecoverInit;
    public void* C_VerifyRecover;
    public void* C_DigestEncryptUpdate;
    public void* C_DecryptDigestUpdate;
    public void* C_SignEncryptUpdate;
    public void* C_DecryptVerifyUpdate;
    public void* C_GenerateKey;
    public delegate* unmanaged<ulong, CK_MECHANISM*, CK_ATTRIBUTE*, ulong, CK_ATTRIBUTE*, ulong, ulong*, ulong*, CkReturnValue> C_GenerateKeyPair;
    public void* C_WrapKey;
    public void* C_UnwrapKey;
    public void* C_DeriveKey;
    public void* C_SeedRandom;
    public void* C_GenerateRandom;
    public void* C_GetFunctionStatus;
    public void* C_CancelFunction;
    public void* C_WaitForSlotEvent;
}
#pragma warning restore IDE1006
