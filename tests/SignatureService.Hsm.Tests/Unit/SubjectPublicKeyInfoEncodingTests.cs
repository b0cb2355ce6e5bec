using System.Formats.Asn1;
using System.Security.Cryptography;
using SignatureService.Hsm.Keys;

namespace SignatureService.Hsm.Tests.Unit;

public sealed class SubjectPublicKeyInfoEncodingTests
{
    [Theory]
    [InlineData(2048)]
    [InlineData(3072)]
    public void FromRsa_SoftwareKey_EqualsDotNetExport(int bits)
    {
        using var rsa = RSA.Create(bits);
        var parameters = rsa.ExportParameters(false);

        var spki = SubjectPublicKeyInfoEncoding.FromRsa(parameters.Modulus, parameters.Exponent);

        Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), spki);
    }

    [Fact]
    public void FromRsa_ModulusWithLeadingZeros_EncodesMinimalInteger()
    {
        using var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(false);
        var padded = new byte[parameters.Modulus!.Length + 2];
        parameters.Modulus.CopyTo(padded, 2);

        var spki = SubjectPublicKeyInfoEncoding.FromRsa(padded, [0x00, 0x01, 0x00, 0x01]);

        Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), spki);
    }

    [Fact]
    public void FromEc_DerWrappedPoint_EqualsDotNetExport()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var point = UncompressedPoint(ecdsa);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(point);

        var spki = SubjectPublicKeyInfoEncoding.FromEc(SubjectPublicKeyInfoEncoding.P256Parameters, writer.Encode());

        Assert.Equal(ecdsa.ExportSubjectPublicKeyInfo(), spki);
    }

    [Fact]
    public void FromEc_RawPoint_EqualsDotNetExport()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var spki = SubjectPublicKeyInfoEncoding.FromEc(SubjectPublicKeyInfoEncoding.P256Parameters, UncompressedPoint(ecdsa));

        Assert.Equal(ecdsa.ExportSubjectPublicKeyInfo(), spki);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0401")]
    [InlineData("04420400")]
    [InlineData("30030201")]
    [InlineData("0403020304")]
    public void FromEc_MalformedPoint_ThrowsUnsupportedKey(string pointHex)
    {
        var ex = Assert.Throws<HsmException>(
            () => SubjectPublicKeyInfoEncoding.FromEc(SubjectPublicKeyInfoEncoding.P256Parameters, Convert.FromHexString(pointHex)));
        Assert.Equal(HsmErrorCode.UnsupportedKey, ex.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("3000")]
    [InlineData("06082A8648CE3D03010700")]
    public void ReadNamedCurve_NotASingleOid_ThrowsUnsupportedKey(string parametersHex)
    {
        var ex = Assert.Throws<HsmException>(() => SubjectPublicKeyInfoEncoding.ReadNamedCurve(Convert.FromHexString(parametersHex)));
        Assert.Equal(HsmErrorCode.UnsupportedKey, ex.Code);
    }

    [Fact]
    public void P256Parameters_DecodeTo_Prime256v1Oid()
    {
        Assert.Equal("1.2.840.10045.3.1.7", SubjectPublicKeyInfoEncoding.ReadNamedCurve(SubjectPublicKeyInfoEncoding.P256Parameters));
    }

    private static byte[] UncompressedPoint(ECDsa ecdsa)
    {
        var q = ecdsa.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }
}
