using System.Buffers.Binary;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Attestation;

/// <summary>
/// Readers for the TPM 2.0 structures used by the <c>tpm</c> format (TPM 2.0 Library Part 2: TPMT_PUBLIC §12.2.4,
/// TPMS_ATTEST §10.12.12). Big-endian; every length is bounds-checked; errors are <see cref="WebAuthnErrorCodes.AttestationInvalid"/>.
/// </summary>
internal static class TpmStructures
{
    public const ushort AlgRsa = 0x0001;
    public const ushort AlgSha1 = 0x0004;
    public const ushort AlgSha256 = 0x000B;
    public const ushort AlgSha384 = 0x000C;
    public const ushort AlgSha512 = 0x000D;
    public const ushort AlgNull = 0x0010;
    public const ushort AlgEcc = 0x0023;
    public const uint GeneratedValue = 0xFF544347;
    public const ushort StAttestCertify = 0x8017;

    public sealed record PubArea(ushort Type, ushort NameAlg, uint ExponentOrCurve, byte[] Unique1, byte[] Unique2);

    public sealed record CertInfo(uint Magic, ushort Type, byte[] ExtraData, byte[] AttestedName);

    // TPMT_PUBLIC: type, nameAlg, objectAttributes, authPolicy (TPM2B), parameters (TPMU_PUBLIC_PARMS), unique (TPMU_PUBLIC_ID).
    public static PubArea ReadPubArea(byte[] data)
    {
        var r = new Reader(data);
        var type = r.U16();
        var nameAlg = r.U16();
        _ = r.U32();
        _ = r.Sized();
        PubArea result;
        if (type == AlgRsa)
        {
            // TPMS_RSA_PARMS: symmetric (TPMT_SYM_DEF_OBJECT), scheme (TPMT_RSA_SCHEME), keyBits, exponent (0 = 65537).
            SkipSymmetric(ref r);
            SkipScheme(ref r);
            _ = r.U16();
            var exponent = r.U32();
            var modulus = r.Sized();
            result = new PubArea(type, nameAlg, exponent == 0 ? 65537u : exponent, modulus, []);
        }
        else if (type == AlgEcc)
        {
            // TPMS_ECC_PARMS: symmetric, scheme, curveID, kdf (TPMT_KDF_SCHEME); unique: TPMS_ECC_POINT (x, y as TPM2B).
            SkipSymmetric(ref r);
            SkipScheme(ref r);
            var curve = r.U16();
            SkipScheme(ref r);
            var x = r.Sized();
            var y = r.Sized();
            result = new PubArea(type, nameAlg, curve, x, y);
        }
        else
        {
            throw new WebAuthnException(WebAuthnErrorCodes.AttestationInvalid, "TPM pubArea type not supported.");
        }

        r.End();
        return result;
    }

    // TPMS_ATTEST: magic, type, qualifiedSigner (TPM2B_NAME), extraData (TPM2B_DATA), clockInfo (17), firmwareVersion (8),
    // attested (TPMS_CERTIFY_INFO: name, qualifiedName).
    public static CertInfo ReadCertInfo(byte[] data)
    {
        var r = new Reader(data);
        var magic = r.U32();
        var type = r.U16();
        _ = r.Sized();
        var extraData = r.Sized();
        r.Skip(17 + 8);
        var name = r.Sized();
        _ = r.Sized();
        r.End();
        return new CertInfo(magic, type, extraData, name);
    }

    private static void SkipSymmetric(ref Reader r)
    {
        if (r.U16() != AlgNull)
        {
            r.Skip(4);
        }
    }

    private static void SkipScheme(ref Reader r)
    {
        if (r.U16() != AlgNull)
        {
            r.Skip(2);
        }
    }

    private ref struct Reader(byte[] data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _offset;

        public ushort U16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

        public uint U32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

        public byte[] Sized() => Take(U16()).ToArray();

        public void Skip(int count) => Take(count);

        public readonly void End()
        {
            if (_offset != _data.Length)
            {
                throw new WebAuthnException(WebAuthnErrorCodes.AttestationInvalid, "Trailing bytes in TPM structure.");
            }
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > _data.Length - _offset)
            {
                throw new WebAuthnException(WebAuthnErrorCodes.AttestationInvalid, "TPM structure truncated.");
            }

            var slice = _data.Slice(_offset, count);
            _offset += count;
            return slice;
        }
    }
}
