using System.Formats.Asn1;
using System.Security.Cryptography;
using SignatureService.Hsm.Signing;

namespace SignatureService.Hsm.Tests.Unit;

public sealed class DigestInfoEncodingTests
{
    public static TheoryData<string, string> HashAlgorithms => new()
    {
        { "SHA256", "2.16.840.1.101.3.4.2.1" },
        { "SHA384", "2.16.840.1.101.3.4.2.2" },
        { "SHA512", "2.16.840.1.101.3.4.2.3" },
    };

    [Theory]
    [MemberData(nameof(HashAlgorithms))]
    public void Write_KnownHash_EqualsDerDigestInfoBuiltByAsnWriter(string name, string oid)
    {
        var algorithm = new HashAlgorithmName(name);
        var hash = CryptographicOperations.HashData(algorithm, "prescription"u8);
        var expected = new AsnWriter(AsnEncodingRules.DER);
        using (expected.PushSequence())
        {
            using (expected.PushSequence())
            {
                expected.WriteObjectIdentifier(oid);
                expected.WriteNull();
            }

            expected.WriteOctetString(hash);
        }

        var buffer = new byte[DigestInfoEncoding.MaxLength];
        var length = DigestInfoEncoding.Write(algorithm, hash, buffer);

        Assert.Equal(Convert.ToHexString(expected.Encode()), Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void Write_Sha256Prefix_MatchesRfc8017Note1()
    {
        var buffer = new byte[DigestInfoEncoding.MaxLength];
        var length = DigestInfoEncoding.Write(HashAlgorithmName.SHA256, new byte[32], buffer);

        Assert.Equal(51, length);
        Assert.Equal("3031300D060960864801650304020105000420", Convert.ToHexString(buffer, 0, 19));
    }

    [Fact]
    public void Write_HashOfWrongLength_ThrowsInvalidInput()
    {
        var ex = Assert.Throws<HsmException>(() => DigestInfoEncoding.Write(HashAlgorithmName.SHA256, new byte[31], new byte[100]));
        Assert.Equal(HsmErrorCode.InvalidInput, ex.Code);
    }

    [Fact]
    public void Write_Sha1_ThrowsInvalidInput()
    {
        var ex = Assert.Throws<HsmException>(() => DigestInfoEncoding.Write(HashAlgorithmName.SHA1, new byte[20], new byte[100]));
        Assert.Equal(HsmErrorCode.InvalidInput, ex.Code);
    }
}
