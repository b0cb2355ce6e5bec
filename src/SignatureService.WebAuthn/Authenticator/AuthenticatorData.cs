using System.Buffers.Binary;
using SignatureService.WebAuthn.Cose;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Parsing;

namespace SignatureService.WebAuthn.Authenticator;

/// <summary>
/// Parsed authenticator data (W3C WebAuthn L3 §6.1): rpIdHash (32) || flags (1) || signCount (4, big-endian)
/// || [attested credential data] || [extensions CBOR map]. Immutable.
/// </summary>
public sealed class AuthenticatorData
{
    private const int HeaderLength = 37;

    private AuthenticatorData(ReadOnlyMemory<byte> raw, AuthenticatorFlags flags, uint signCount, AttestedCredentialData? attested, ReadOnlyMemory<byte> extensions)
    {
        Raw = raw;
        Flags = flags;
        SignCount = signCount;
        AttestedCredential = attested;
        Extensions = extensions;
    }

    /// <summary>The bytes exactly as received (they are what signatures cover).</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>SHA-256 of the RP ID the authenticator scoped the credential to (32 bytes).</summary>
    public ReadOnlyMemory<byte> RpIdHash => Raw[..32];

    /// <summary>The flags byte.</summary>
    public AuthenticatorFlags Flags { get; }

    /// <summary>The signature counter (0 when the authenticator keeps none).</summary>
    public uint SignCount { get; }

    /// <summary>Attested credential data, present when AT is set.</summary>
    public AttestedCredentialData? AttestedCredential { get; }

    /// <summary>The raw extensions CBOR map when ED is set, otherwise empty.</summary>
    public ReadOnlyMemory<byte> Extensions { get; }

    /// <summary>Parses authenticator data; every byte must be accounted for.</summary>
    /// <param name="data">At most <see cref="WebAuthnLimits.MaxAuthenticatorDataLength"/> bytes.</param>
    /// <exception cref="WebAuthnException"><see cref="WebAuthnErrorCodes.Malformed"/> for truncated, over-long or undecodable data;
    /// <see cref="WebAuthnErrorCodes.CredentialIdTooLong"/> for a credential ID over 1023 bytes.</exception>
    public static AuthenticatorData Parse(ReadOnlyMemory<byte> data)
    {
        if (data.Length < HeaderLength)
        {
            throw WebAuthnException.Malformed("Authenticator data is truncated.");
        }

        if (data.Length > WebAuthnLimits.MaxAuthenticatorDataLength)
        {
            throw WebAuthnException.Malformed("Authenticator data is too long.");
        }

        var span = data.Span;
        var flags = (AuthenticatorFlags)span[32];
        var signCount = BinaryPrimitives.ReadUInt32BigEndian(span[33..37]);
        var offset = HeaderLength;
        AttestedCredentialData? attested = null;

        if (flags.HasFlag(AuthenticatorFlags.AttestedCredentialData))
        {
            // §6.5.1: aaguid (16) || credentialIdLength (2, big-endian) || credentialId || credentialPublicKey (COSE_Key).
            if (data.Length < offset + 18)
            {
                throw WebAuthnException.Malformed("Attested credential data is truncated.");
            }

            var aaguid = new Guid(span.Slice(offset, 16), bigEndian: true);
            var idLength = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(offset + 16, 2));
            offset += 18;
            if (idLength > WebAuthnLimits.MaxCredentialIdLength)
            {
                throw new WebAuthnException(WebAuthnErrorCodes.CredentialIdTooLong, "Credential ID longer than 1023 bytes.");
            }

            if (idLength == 0 || data.Length < offset + idLength)
            {
                throw WebAuthnException.Malformed("Credential ID is empty or truncated.");
            }

            var credentialId = data.Slice(offset, idLength);
            offset += idLength;
            var (keyValue, keyLength) = CborDecoder.DecodeFirst(data[offset..]);
            var keyMap = keyValue as CborMap ?? throw WebAuthnException.Malformed("Credential public key is not a map.");
            var key = CoseKey.FromCbor(keyMap, data.Slice(offset, keyLength));
            offset += keyLength;
            attested = new AttestedCredentialData(aaguid, credentialId, key);
        }

        var extensions = ReadOnlyMemory<byte>.Empty;
        if (flags.HasFlag(AuthenticatorFlags.ExtensionData))
        {
            var (extValue, extLength) = CborDecoder.DecodeFirst(data[offset..]);
            if (extValue is not CborMap)
            {
                throw WebAuthnException.Malformed("Extensions are not a CBOR map.");
            }

            extensions = data.Slice(offset, extLength);
            offset += extLength;
        }

        if (offset != data.Length)
        {
            throw WebAuthnException.Malformed("Trailing bytes after authenticator data.");
        }

        return new AuthenticatorData(data, flags, signCount, attested, extensions);
    }
}
