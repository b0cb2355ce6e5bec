using System.Buffers.Text;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Parsing;

/// <summary>Strict base64url (RFC 4648 §5, no padding) decoding of untrusted text into <see cref="WebAuthnErrorCodes.Malformed"/> on failure.</summary>
internal static class Base64UrlText
{
    public static byte[] Decode(string text)
    {
        if (text.Contains('=', StringComparison.Ordinal))
        {
            throw WebAuthnException.Malformed("Base64url text must not be padded.");
        }

        try
        {
            return Base64Url.DecodeFromChars(text);
        }
        catch (FormatException ex)
        {
            throw WebAuthnException.Malformed("Invalid base64url text.", ex);
        }
    }
}
