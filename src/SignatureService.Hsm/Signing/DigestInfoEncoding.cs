using System.Security.Cryptography;

namespace SignatureService.Hsm.Signing;

/// <summary>
/// DER DigestInfo for EMSA-PKCS1-v1_5 (RFC 8017 §9.2): step 2 encodes T = DigestInfo { digestAlgorithm, digest };
/// the token does the padding of steps 3 to 5 under CKM_RSA_PKCS. Pure functions.
/// </summary>
internal static class DigestInfoEncoding
{
    /// <summary>Longest DigestInfo produced: the SHA-512 prefix (19 bytes) and 64 hash bytes.</summary>
    public const int MaxLength = 19 + 64;

    // RFC 8017 §9.2 note 1: DER of DigestInfo up to the OCTET STRING header, for SHA-256, SHA-384, SHA-512.
    private static ReadOnlySpan<byte> Sha256Prefix =>
        [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

    private static ReadOnlySpan<byte> Sha384Prefix =>
        [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30];

    private static ReadOnlySpan<byte> Sha512Prefix =>
        [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40];

    /// <summary>The DigestInfo prefix for <paramref name="hashAlgorithm"/> (SHA-256, SHA-384 or SHA-512).</summary>
    /// <exception cref="HsmException"><see cref="HsmErrorCode.InvalidInput"/> for any other hash algorithm.</exception>
    public static ReadOnlySpan<byte> GetPrefix(HashAlgorithmName hashAlgorithm, out int hashLength)
    {
        if (hashAlgorithm == HashAlgorithmName.SHA256)
        {
            hashLength = 32;
            return Sha256Prefix;
        }

        if (hashAlgorithm == HashAlgorithmName.SHA384)
        {
            hashLength = 48;
            return Sha384Prefix;
        }

        if (hashAlgorithm == HashAlgorithmName.SHA512)
        {
            hashLength = 64;
            return Sha512Prefix;
        }

        throw new HsmException(
            HsmErrorCode.InvalidInput, $"Hash algorithm '{hashAlgorithm.Name}' is not supported for RSA signatures (SHA-256/384/512 are).");
    }

    /// <summary>Writes DigestInfo(hash) into <paramref name="destination"/> and returns its length.</summary>
    /// <exception cref="HsmException"><see cref="HsmErrorCode.InvalidInput"/> when the hash length does not fit the algorithm.</exception>
    public static int Write(HashAlgorithmName hashAlgorithm, ReadOnlySpan<byte> hash, Span<byte> destination)
    {
        var prefix = GetPrefix(hashAlgorithm, out var hashLength);
        if (hash.Length != hashLength)
        {
            throw new HsmException(
                HsmErrorCode.InvalidInput, $"A {hashAlgorithm.Name} hash is {hashLength} bytes, not {hash.Length}.");
        }

        prefix.CopyTo(destination);
        hash.CopyTo(destination[prefix.Length..]);
        return prefix.Length + hash.Length;
    }
}
