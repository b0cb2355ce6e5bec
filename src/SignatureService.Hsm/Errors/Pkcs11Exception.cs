using System.Globalization;

namespace SignatureService.Hsm;

/// <summary>
/// A PKCS#11 function returned something other than CKR_OK. The message reads
/// <c>"C_Login failed: CKR_PIN_INCORRECT"</c>, optionally followed by a hint naming the setting to check.
/// </summary>
public sealed class Pkcs11Exception : HsmException
{
    /// <summary>Creates the exception for <paramref name="function"/> returning <paramref name="returnValue"/>.</summary>
    /// <param name="function">The Cryptoki function name, e.g. <c>C_Sign</c>.</param>
    /// <param name="returnValue">The CK_RV it returned.</param>
    /// <param name="hint">Optional operator hint (e.g. which setting to check); never a secret.</param>
    public Pkcs11Exception(string function, CkReturnValue returnValue, string? hint = null)
        : base(HsmErrorCode.Pkcs11Failure, FormatMessage(function, returnValue, hint))
    {
        Function = function;
        ReturnValue = returnValue;
    }

    /// <summary>The Cryptoki function that failed, e.g. <c>C_Login</c>.</summary>
    public string Function { get; }

    /// <summary>The CK_RV the function returned.</summary>
    public CkReturnValue ReturnValue { get; }

    /// <summary>
    /// Whether <see cref="ReturnValue"/> means the session, login or device is gone, so re-opening a session (and logging
    /// in again) may succeed: CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_DEVICE_REMOVED, CKR_DEVICE_ERROR,
    /// CKR_DEVICE_MEMORY, CKR_TOKEN_NOT_PRESENT, CKR_TOKEN_NOT_RECOGNIZED, CKR_USER_NOT_LOGGED_IN, CKR_CRYPTOKI_NOT_INITIALIZED.
    /// </summary>
    public bool IsSessionLost => IsLost(ReturnValue);

    /// <summary>Formats a CK_RV by name, or in hexadecimal when it is vendor-defined or unknown.</summary>
    /// <param name="returnValue">The value to format.</param>
    /// <returns>For example <c>CKR_PIN_INCORRECT</c> or <c>CKR_0x80000123</c>.</returns>
    public static string FormatReturnValue(CkReturnValue returnValue) =>
        Enum.IsDefined(returnValue)
            ? returnValue.ToString()
            : "CKR_0x" + ((ulong)returnValue).ToString("X8", CultureInfo.InvariantCulture);

    internal static bool IsLost(CkReturnValue returnValue) => returnValue is
        CkReturnValue.CKR_SESSION_HANDLE_INVALID or
        CkReturnValue.CKR_SESSION_CLOSED or
        CkReturnValue.CKR_DEVICE_REMOVED or
        CkReturnValue.CKR_DEVICE_ERROR or
        CkReturnValue.CKR_DEVICE_MEMORY or
        CkReturnValue.CKR_TOKEN_NOT_PRESENT or
        CkReturnValue.CKR_TOKEN_NOT_RECOGNIZED or
        CkReturnValue.CKR_USER_NOT_LOGGED_IN or
        CkReturnValue.CKR_CRYPTOKI_NOT_INITIALIZED;

    private static string FormatMessage(string function, CkReturnValue returnValue, string? hint) =>
        hint is null
            ? $"{function} failed: {FormatReturnValue(returnValue)}"
            : $"{function} failed: {FormatReturnValue(returnValue)} ({hint})";
}
