namespace SignatureService.Hsm.Tests.Unit;

public sealed class Pkcs11ExceptionTests
{
    [Fact]
    public void Constructor_FunctionAndCode_AreExposedAsValues()
    {
        var ex = new Pkcs11Exception("C_Login", CkReturnValue.CKR_PIN_INCORRECT);

        Assert.Equal("C_Login", ex.Function);
        Assert.Equal(CkReturnValue.CKR_PIN_INCORRECT, ex.ReturnValue);
        Assert.Equal(HsmErrorCode.Pkcs11Failure, ex.Code);
        Assert.False(ex.IsSessionLost);
    }

    [Theory]
    [InlineData(CkReturnValue.CKR_SESSION_HANDLE_INVALID)]
    [InlineData(CkReturnValue.CKR_SESSION_CLOSED)]
    [InlineData(CkReturnValue.CKR_DEVICE_REMOVED)]
    [InlineData(CkReturnValue.CKR_DEVICE_ERROR)]
    [InlineData(CkReturnValue.CKR_TOKEN_NOT_PRESENT)]
    [InlineData(CkReturnValue.CKR_USER_NOT_LOGGED_IN)]
    public void IsSessionLost_LostSessionOrDeviceCodes_IsTrue(CkReturnValue code)
    {
        Assert.True(new Pkcs11Exception("C_Sign", code).IsSessionLost);
    }

    [Theory]
    [InlineData(CkReturnValue.CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT")]
    [InlineData(CkReturnValue.CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE")]
    [InlineData((CkReturnValue)0x80000123UL, "CKR_0x80000123")]
    public void FormatReturnValue_KnownAndVendorCodes_AreNamedOrHex(CkReturnValue code, string expected)
    {
        Assert.Equal(expected, Pkcs11Exception.FormatReturnValue(code));
    }

    [Fact]
    public void ReturnValues_MatchPkcs11HeaderValues()
    {
        // Spot checks against pkcs11t.h (v2.40).
        Assert.Equal(0xA0UL, (ulong)CkReturnValue.CKR_PIN_INCORRECT);
        Assert.Equal(0xB3UL, (ulong)CkReturnValue.CKR_SESSION_HANDLE_INVALID);
        Assert.Equal(0x11UL, (ulong)CkReturnValue.CKR_ATTRIBUTE_SENSITIVE);
        Assert.Equal(0x101UL, (ulong)CkReturnValue.CKR_USER_NOT_LOGGED_IN);
        Assert.Equal(0x191UL, (ulong)CkReturnValue.CKR_CRYPTOKI_ALREADY_INITIALIZED);
    }
}
