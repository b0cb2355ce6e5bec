using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using SignatureService.Hsm.Signing;

namespace SignatureService.Hsm.Tests.Unit;

public sealed class EcdsaSignatureEncodingTests
{
    [Fact]
    public void ToDer_SoftwareP1363Signature_VerifiesAsRfc3279Der()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var hash = SHA256.HashData("death certificate"u8);
        for (var i = 0; i < 20; i++)
        {
            var rs = ecdsa.SignHash(hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

            var der = EcdsaSignatureEncoding.ToDer(rs);

            Assert.True(ecdsa.VerifyHash(hash, der, DSASignatureFormat.Rfc3279DerSequence));
        }
    }

    [Fact]
    public void ToDer_HighBitAndLeadingZeros_EncodesMinimalPositiveIntegers()
    {
        var rs = new byte[64];
        rs[0] = 0x80; // r has its high bit set: DER needs a leading 0x00.
        rs[31] = 0x01;
        rs[63] = 0x05; // s = 5: leading zeros must be dropped.

        var der = EcdsaSignatureEncoding.ToDer(rs);

        var reader = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var r = reader.ReadIntegerBytes();
        var s = reader.ReadInteger();
        Assert.Equal(33, r.Length);
        Assert.Equal(0x00, r.Span[0]);
        Assert.Equal(new BigInteger(5), s);
        Assert.True(der.Length <= EcdsaSignatureEncoding.MaxDerLengthP256);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    public void ToDer_OddOrEmpty_ThrowsInvalidInput(int length)
    {
        var ex = Assert.Throws<HsmException>(() => EcdsaSignatureEncoding.ToDer(new byte[length]));
        Assert.Equal(HsmErrorCode.InvalidInput, ex.Code);
    }
}
