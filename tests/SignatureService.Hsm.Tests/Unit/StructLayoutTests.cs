using SignatureService.Hsm.Cryptoki;

namespace SignatureService.Hsm.Tests.Unit;

public sealed unsafe class StructLayoutTests
{
    [Fact]
    public void CryptokiStructs_HaveLp64SizesOfThePkcs11Header()
    {
        Assert.Equal(24, sizeof(CK_ATTRIBUTE));
        Assert.Equal(24, sizeof(CK_MECHANISM));
        Assert.Equal(24, sizeof(CK_RSA_PKCS_PSS_PARAMS));
        Assert.Equal(48, sizeof(CK_C_INITIALIZE_ARGS));
        Assert.Equal(208, sizeof(CK_TOKEN_INFO));
        Assert.Equal(32, sizeof(CK_SESSION_INFO));
    }

    [Fact]
    public void FunctionList_HasVersionAnd68FunctionPointers()
    {
        // CK_VERSION padded to 8 bytes, then 68 pointers (base §5.2).
        Assert.Equal(8 + (68 * 8), sizeof(CK_FUNCTION_LIST));
        var list = default(CK_FUNCTION_LIST);
        var start = (byte*)&list;
        Assert.Equal(8, (byte*)&list.C_Initialize - start);
        Assert.Equal(8 + (42 * 8), (byte*)&list.C_SignInit - start);
        Assert.Equal(8 + (59 * 8), (byte*)&list.C_GenerateKeyPair - start);
        Assert.Equal(8 + (67 * 8), (byte*)&list.C_WaitForSlotEvent - start);
    }
}
