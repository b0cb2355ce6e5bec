using Microsoft.Extensions.Logging;

namespace SignatureService.Hsm;

/// <summary>
/// Source-generated log messages of the HSM layer, event ids 2001–2099. They name tokens, slots, key labels and
/// CK_RV codes; never PINs, key material, documents or hashes.
/// </summary>
internal static partial class HsmLog
{
    [LoggerMessage(EventId = 2001, EventName = "TokenOpened", Level = LogLevel.Information,
        Message = "Opened PKCS#11 token {TokenLabel} in slot {SlotId} with up to {PoolSize} sessions")]
    public static partial void TokenOpened(ILogger logger, string tokenLabel, ulong slotId, int poolSize);

    [LoggerMessage(EventId = 2002, EventName = "SessionLost", Level = LogLevel.Warning,
        Message = "{Function} returned {ReturnValue} on token {TokenLabel}; re-opening the session and retrying once")]
    public static partial void SessionLost(ILogger logger, string function, string returnValue, string tokenLabel);

    [LoggerMessage(EventId = 2003, EventName = "TokenMovedSlot", Level = LogLevel.Warning,
        Message = "Token {TokenLabel} is now in slot {SlotId} (was {PreviousSlotId})")]
    public static partial void TokenMovedSlot(ILogger logger, string tokenLabel, ulong slotId, ulong previousSlotId);

    [LoggerMessage(EventId = 2004, EventName = "TokenUnavailable", Level = LogLevel.Error,
        Message = "Token {TokenLabel} is unavailable after one re-open: {Reason}")]
    public static partial void TokenUnavailable(ILogger logger, string tokenLabel, string reason);

    [LoggerMessage(EventId = 2005, EventName = "LoginFailed", Level = LogLevel.Error,
        Message = "C_Login (CKU_USER) on token {TokenLabel} failed: {ReturnValue}")]
    public static partial void LoginFailed(ILogger logger, string tokenLabel, string returnValue);

    [LoggerMessage(EventId = 2006, EventName = "KeyPairGenerated", Level = LogLevel.Information,
        Message = "Generated {Algorithm} key pair {KeyLabel} on token {TokenLabel}")]
    public static partial void KeyPairGenerated(ILogger logger, HsmKeyAlgorithm algorithm, string keyLabel, string tokenLabel);

    [LoggerMessage(EventId = 2008, EventName = "KeyGenerationRetried", Level = LogLevel.Warning,
        Message = "Generating {Algorithm} key pair {KeyLabel} on token {TokenLabel} failed with CKR_GENERAL_ERROR (attempt {Attempt}); what it left was destroyed, trying again")]
    public static partial void KeyGenerationRetried(ILogger logger, HsmKeyAlgorithm algorithm, string keyLabel, string tokenLabel, int attempt);

    public static void KeyPairDestroyed(ILogger logger, ReadOnlySpan<byte> keyId, string tokenLabel)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
#pragma warning disable CA1873 // Note: guarded by IsEnabled just above; the analyzer does not see through the partial method.
            KeyPairDestroyedCore(logger, Convert.ToHexString(keyId), tokenLabel);
#pragma warning restore CA1873
        }
    }

    [LoggerMessage(EventId = 2007, EventName = "KeyPairDestroyed", Level = LogLevel.Information,
        Message = "Destroyed the key objects with CKA_ID {KeyId} on token {TokenLabel}")]
    private static partial void KeyPairDestroyedCore(ILogger logger, string keyId, string tokenLabel);
}
