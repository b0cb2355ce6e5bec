using System.Formats.Asn1;

namespace SignatureService.Hsm.Signing;

/// <summary>
/// Converts a CKM_ECDSA signature (r || s, each left-padded to the field size; mechanisms §2.3.1) to the DER
/// Ecdsa-Sig-Value (RFC 3279 §2.2.3) that X.509, CMS and OpenSSL use. Pure functions.
/// </summary>
internal static class EcdsaSignatureEncoding
{
    /// <summary>Longest DER for P-256: SEQUENCE header (2) + 2 × INTEGER (2 + 33).</summary>
    public const int MaxDerLengthP256 = 72;

    /// <summary>Encodes r || s as DER SEQUENCE { r INTEGER, s INTEGER }.</summary>
    /// <exception cref="HsmException"><see cref="HsmErrorCode.InvalidInput"/> when the length is odd or zero.</exception>
    public static byte[] ToDer(ReadOnlySpan<byte> rs)
    {
        if (rs.Length == 0 || rs.Length % 2 != 0)
        {
            throw new HsmException(HsmErrorCode.InvalidInput, "An r || s ECDSA signature has an even, non-zero length.");
        }

        var half = rs.Length / 2;
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(TrimLeadingZeros(rs[..half]));
            writer.WriteIntegerUnsigned(TrimLeadingZeros(rs[half..]));
        }

        return writer.Encode();
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0)
        {
            start++;
        }

        return value[start..];
    }
}
