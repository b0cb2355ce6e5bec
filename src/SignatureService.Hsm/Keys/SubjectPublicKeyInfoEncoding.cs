using System.Formats.Asn1;

namespace SignatureService.Hsm.Keys;

/// <summary>
/// Builds a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) from the public attributes a PKCS#11 token reports:
/// CKA_MODULUS and CKA_PUBLIC_EXPONENT for RSA (RFC 8017 Appendix A.1.1, RFC 3279 §2.3.1), or CKA_EC_PARAMS and
/// CKA_EC_POINT for EC (RFC 5480 §2). Pure functions.
/// </summary>
internal static class SubjectPublicKeyInfoEncoding
{
    /// <summary>rsaEncryption, RFC 8017 Appendix A.1.</summary>
    public const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

    /// <summary>id-ecPublicKey, RFC 5480 §2.1.1.</summary>
    public const string EcPublicKeyOid = "1.2.840.10045.2.1";

    /// <summary>secp256r1 / prime256v1, RFC 5480 §2.1.1.1.</summary>
    public const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>DER of the P-256 named-curve OID, the CKA_EC_PARAMS value for P-256 (mechanisms §2.3.3).</summary>
    public static ReadOnlySpan<byte> P256Parameters => [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];

    /// <summary>Bytes of an uncompressed P-256 point: 0x04 || X (32) || Y (32).</summary>
    public const int P256PointLength = 65;

    /// <summary>Encodes an RSA SubjectPublicKeyInfo.</summary>
    /// <param name="modulus">Big-endian unsigned modulus n (leading zeros allowed).</param>
    /// <param name="exponent">Big-endian unsigned public exponent e.</param>
    public static byte[] FromRsa(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent)
    {
        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }  (RFC 8017 A.1.1)
        var inner = new AsnWriter(AsnEncodingRules.DER);
        using (inner.PushSequence())
        {
            inner.WriteIntegerUnsigned(TrimLeadingZeros(modulus));
            inner.WriteIntegerUnsigned(TrimLeadingZeros(exponent));
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(RsaEncryptionOid);
                writer.WriteNull();
            }

            writer.WriteBitString(inner.Encode());
        }

        return writer.Encode();
    }

    /// <summary>Encodes an EC SubjectPublicKeyInfo for a named curve.</summary>
    /// <param name="ecParameters">CKA_EC_PARAMS: DER ECParameters; only namedCurve (an OID) is accepted.</param>
    /// <param name="ecPoint">CKA_EC_POINT: a DER OCTET STRING wrapping the uncompressed point, or the raw point.</param>
    /// <exception cref="HsmException"><see cref="HsmErrorCode.UnsupportedKey"/> for malformed or non-named-curve input.</exception>
    public static byte[] FromEc(ReadOnlySpan<byte> ecParameters, ReadOnlySpan<byte> ecPoint)
    {
        var curveOid = ReadNamedCurve(ecParameters);
        var point = UnwrapEcPoint(ecPoint);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(EcPublicKeyOid);
                writer.WriteObjectIdentifier(curveOid);
            }

            writer.WriteBitString(point);
        }

        return writer.Encode();
    }

    /// <summary>Reads the named-curve OID from CKA_EC_PARAMS (RFC 5480 §2.1.1 ECParameters, namedCurve choice).</summary>
    public static string ReadNamedCurve(ReadOnlySpan<byte> ecParameters)
    {
        try
        {
            var oid = AsnDecoder.ReadObjectIdentifier(ecParameters, AsnEncodingRules.DER, out var consumed);
            if (consumed != ecParameters.Length)
            {
                throw new HsmException(HsmErrorCode.UnsupportedKey, "CKA_EC_PARAMS has trailing bytes.");
            }

            return oid;
        }
        catch (AsnContentException ex)
        {
            throw new HsmException(HsmErrorCode.UnsupportedKey, "CKA_EC_PARAMS is not a DER named-curve OID.", ex);
        }
    }

    /// <summary>
    /// Returns the uncompressed point from CKA_EC_POINT. PKCS#11 v2.40 (mechanisms §2.3.3) specifies a DER OCTET STRING;
    /// some modules return the raw point, which is recognised by its length and leading 0x04.
    /// </summary>
    public static byte[] UnwrapEcPoint(ReadOnlySpan<byte> ecPoint)
    {
        if (ecPoint.Length == P256PointLength && ecPoint[0] == 0x04)
        {
            return ecPoint.ToArray();
        }

        byte[] point;
        try
        {
            point = AsnDecoder.ReadOctetString(ecPoint, AsnEncodingRules.DER, out var consumed);
            if (consumed != ecPoint.Length)
            {
                throw new HsmException(HsmErrorCode.UnsupportedKey, "CKA_EC_POINT has trailing bytes.");
            }
        }
        catch (AsnContentException ex)
        {
            throw new HsmException(HsmErrorCode.UnsupportedKey, "CKA_EC_POINT is neither a DER OCTET STRING nor a raw point.", ex);
        }

        if (point.Length == 0 || point[0] != 0x04 || point.Length % 2 == 0)
        {
            throw new HsmException(HsmErrorCode.UnsupportedKey, "CKA_EC_POINT is not an uncompressed point (0x04 || X || Y).");
        }

        return point;
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
