using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;

namespace SignatureService.Pki.Timestamping;

/// <summary>
/// Reads the TSTInfo of an RFC 3161 TimeStampToken without checking its signature: for callers that only need to know
/// what a token covers (its message imprint) because the token's source already verified the signature. Decoding with
/// <see cref="Rfc3161TimestampToken.TryDecode"/> instead parses the embedded certificate and verifies the CMS signature
/// again (a public-key import and an RSA verification per token). Thread-safe (stateless).
/// </summary>
public static class TimestampTokenContent
{
    private const string TstInfoOid = "1.2.840.113549.1.9.16.1.4";

    /// <summary>Decodes the TSTInfo of a DER TimeStampToken; false when it is not one (trailing bytes included).</summary>
    /// <param name="token">The DER ContentInfo of a CMS SignedData with eContentType id-ct-TSTInfo.</param>
    /// <param name="info">The decoded TSTInfo.</param>
    /// <returns>Whether the token decoded.</returns>
    public static bool TryDecodeInfo(ReadOnlyMemory<byte> token, out Rfc3161TimestampTokenInfo? info)
    {
        info = null;
        try
        {
            var reader = new AsnReader(token, AsnEncodingRules.DER);
            reader.ReadEncodedValue();
            if (reader.HasData)
            {
                return false;
            }

            var cms = new SignedCms();
            cms.Decode(token.Span);
            if (cms.ContentInfo.ContentType.Value != TstInfoOid || cms.SignerInfos.Count != 1 ||
                !Rfc3161TimestampTokenInfo.TryDecode(cms.ContentInfo.Content, out var decoded, out var consumed) ||
                consumed != cms.ContentInfo.Content.Length)
            {
                return false;
            }

            info = decoded;
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException)
        {
            return false;
        }
    }
}
