using System.Text;

namespace SignatureService.Hsm;

/// <summary>
/// Reads the user PIN on demand into a pinned byte buffer that the caller zeroes right after C_Login, so the PIN is
/// neither kept in memory between logins nor moved around by the garbage collector.
/// </summary>
internal sealed class PinSource(string? pinFile, string? pinEnvironmentVariable)
{
    /// <summary>Largest accepted PIN in bytes.</summary>
    public const int MaxPinBytes = 256;

    /// <summary>
    /// Runs <paramref name="use"/> with the PIN bytes and zeroes them afterwards, whatever happens.
    /// </summary>
    /// <exception cref="HsmException"><see cref="HsmErrorCode.PinUnavailable"/> when the PIN cannot be read.</exception>
    public T Use<T>(Func<ReadOnlyMemory<byte>, T> use)
    {
        var buffer = GC.AllocateArray<byte>(MaxPinBytes + 3, pinned: true);
        try
        {
            var length = pinFile is not null ? ReadFile(pinFile, buffer) : ReadVariable(pinEnvironmentVariable!, buffer);
            return use(buffer.AsMemory(0, length));
        }
        finally
        {
            CryptographicZero(buffer);
        }
    }

    private static void CryptographicZero(byte[] buffer) =>
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(buffer);

    private static int ReadFile(string path, byte[] buffer)
    {
        int length;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new HsmException(
                HsmErrorCode.PinUnavailable, $"{HsmOptions.SectionName}:{nameof(HsmOptions.PinFile)} '{path}' cannot be read.", ex);
        }

        return Trim(buffer, length, $"{HsmOptions.SectionName}:{nameof(HsmOptions.PinFile)} '{path}'");
    }

    private static int ReadVariable(string name, byte[] buffer)
    {
        // Note: .NET hands environment variables out as strings; this one lives only until the next collection and is
        // never logged. A PIN file avoids it entirely and is the preferred setting.
        var value = Environment.GetEnvironmentVariable(name);
        var setting = $"{HsmOptions.SectionName}:{nameof(HsmOptions.PinEnvironmentVariable)} ('{name}')";
        if (string.IsNullOrEmpty(value))
        {
            throw new HsmException(HsmErrorCode.PinUnavailable, $"{setting} names a variable that is not set or empty.");
        }

        if (Encoding.UTF8.GetByteCount(value) > MaxPinBytes)
        {
            throw new HsmException(HsmErrorCode.PinUnavailable, $"{setting} holds more than {MaxPinBytes} bytes.");
        }

        var length = Encoding.UTF8.GetBytes(value, buffer);
        return Trim(buffer, length, setting);
    }

    private static int Trim(byte[] buffer, int length, string setting)
    {
        if (length == buffer.Length)
        {
            throw new HsmException(HsmErrorCode.PinUnavailable, $"{setting} holds more than {MaxPinBytes} bytes.");
        }

        while (length > 0 && buffer[length - 1] is (byte)'\n' or (byte)'\r')
        {
            length--;
        }

        if (length == 0)
        {
            throw new HsmException(HsmErrorCode.PinUnavailable, $"{setting} is empty.");
        }

        if (length > MaxPinBytes)
        {
            throw new HsmException(HsmErrorCode.PinUnavailable, $"{setting} holds more than {MaxPinBytes} bytes.");
        }

        return length;
    }
}
