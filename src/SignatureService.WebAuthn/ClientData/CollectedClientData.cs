using System.Text;
using System.Text.Json;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Parsing;

namespace SignatureService.WebAuthn.ClientData;

/// <summary>The parsed <c>clientDataJSON</c> (W3C WebAuthn L3 §5.8.1). Immutable.</summary>
public sealed class CollectedClientData
{
    private CollectedClientData(string type, byte[] challenge, string origin, bool crossOrigin, string? topOrigin)
    {
        Type = type;
        Challenge = challenge;
        Origin = origin;
        CrossOrigin = crossOrigin;
        TopOrigin = topOrigin;
    }

    /// <summary><c>webauthn.create</c> or <c>webauthn.get</c>.</summary>
    public string Type { get; }

    /// <summary>The challenge, base64url-decoded.</summary>
    public ReadOnlyMemory<byte> Challenge { get; }

    /// <summary>The caller's origin, e.g. <c>https://example.org</c>.</summary>
    public string Origin { get; }

    /// <summary>Whether the call came from a cross-origin iframe.</summary>
    public bool CrossOrigin { get; }

    /// <summary>The top-level origin when <see cref="CrossOrigin"/>, else <c>null</c>.</summary>
    public string? TopOrigin { get; }

    /// <summary>Parses clientDataJSON (UTF-8, at most <see cref="WebAuthnLimits.MaxClientDataJsonLength"/> bytes).</summary>
    /// <exception cref="WebAuthnException"><see cref="WebAuthnErrorCodes.Malformed"/> on any decoding failure.</exception>
    public static CollectedClientData Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > WebAuthnLimits.MaxClientDataJsonLength)
        {
            throw WebAuthnException.Malformed("clientDataJSON too long.");
        }

        try
        {
            // §7.1 step 5 / §7.2 step 9: UTF-8 decode (invalid sequences are an error, not replaced).
            _ = new UTF8Encoding(false, true).GetCharCount(json);
            // Note: duplicate members are refused so that no two parsers could read different values from one clientDataJSON.
            using var document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw WebAuthnException.Malformed("clientDataJSON is not an object.");
            }

            var type = RequiredString(root, "type");
            var challenge = Base64UrlText.Decode(RequiredString(root, "challenge"));
            var origin = RequiredString(root, "origin");
            var crossOrigin = false;
            if (root.TryGetProperty("crossOrigin", out var crossElement))
            {
                crossOrigin = crossElement.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw WebAuthnException.Malformed("crossOrigin is not a boolean."),
                };
            }

            string? topOrigin = null;
            if (root.TryGetProperty("topOrigin", out var topElement))
            {
                topOrigin = topElement.ValueKind == JsonValueKind.String
                    ? topElement.GetString()
                    : throw WebAuthnException.Malformed("topOrigin is not a string.");
            }

            return new CollectedClientData(type, challenge, origin, crossOrigin, topOrigin);
        }
        catch (JsonException ex)
        {
            throw WebAuthnException.Malformed("clientDataJSON is not valid JSON.", ex);
        }
        catch (DecoderFallbackException ex)
        {
            throw WebAuthnException.Malformed("clientDataJSON is not valid UTF-8.", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw WebAuthnException.Malformed("clientDataJSON has an unexpected shape.", ex);
        }
    }

    private static string RequiredString(JsonElement root, string name)
        => root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw WebAuthnException.Malformed("clientDataJSON member '" + name + "' is missing or not a string.");
}
