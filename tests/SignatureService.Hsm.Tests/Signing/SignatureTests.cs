using System.Security.Cryptography;
using SignatureService.Hsm.Signing;
using SignatureService.Hsm.Tests.Infrastructure;

namespace SignatureService.Hsm.Tests.Signing;

[Collection(SoftHsmTokenGroup.Name)]
public sealed class SignatureTests(TokenFixture fixture)
{
    private static readonly byte[] Document = "SJ1,1,2,3\r\n処方箋 test document"u8.ToArray();

    private readonly HsmToken _token = fixture.Token;

    [Theory]
    [InlineData(HsmKeyAlgorithm.Rsa2048)]
    [InlineData(HsmKeyAlgorithm.Rsa3072)]
    public void Sign_Sha256RsaPkcs_VerifiesWithDotNetAndOpenSsl(HsmKeyAlgorithm algorithm)
    {
        using var temporary = new TemporaryKey(_token, algorithm);

        var signature = temporary.Key.Sign(HsmSignatureMechanism.Sha256RsaPkcs, Document);

        Assert.Equal(temporary.Key.SignatureLength, signature.Length);
        using var rsa = PublicRsa(temporary.Key);
        Assert.True(rsa.VerifyData(Document, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        AssertOpenSslVerifies(temporary.Key, Document, signature);
    }

    [Fact]
    public void Sign_Sha256RsaPkcsOverEmptyData_VerifiesWithDotNet()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.Rsa2048);

        var signature = temporary.Key.Sign(HsmSignatureMechanism.Sha256RsaPkcs, ReadOnlySpan<byte>.Empty);

        using var rsa = PublicRsa(temporary.Key);
        Assert.True(rsa.VerifyData(Array.Empty<byte>(), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void Sign_RsaPkcsOverDigestInfo_VerifiesWithDotNetAndOpenSsl()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.Rsa2048);

        var signature = temporary.Key.Sign(HsmSignatureMechanism.RsaPkcsSha256DigestInfo, SHA256.HashData(Document));

        using var rsa = PublicRsa(temporary.Key);
        Assert.True(rsa.VerifyData(Document, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        AssertOpenSslVerifies(temporary.Key, Document, signature);
    }

    [Fact]
    public void Sign_DigestInfoAndSha256RsaPkcs_AreIdentical()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.Rsa2048);

        var overData = temporary.Key.Sign(HsmSignatureMechanism.Sha256RsaPkcs, Document);
        var overHash = temporary.Key.Sign(HsmSignatureMechanism.RsaPkcsSha256DigestInfo, SHA256.HashData(Document));

        // PKCS#1 v1.5 is deterministic: both routes must produce the same bytes.
        Assert.Equal(overData, overHash);
    }

    [Fact]
    public void Sign_RsaPkcsPss_VerifiesWithDotNetAndOpenSsl()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.Rsa2048);

        var signature = temporary.Key.Sign(HsmSignatureMechanism.RsaPkcsPssSha256, SHA256.HashData(Document));

        using var rsa = PublicRsa(temporary.Key);
        Assert.True(rsa.VerifyData(Document, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
        AssertOpenSslVerifies(temporary.Key, Document, signature, pss: true);
    }

    [Fact]
    public void Sign_Ecdsa_RawRsVerifiesWithDotNetAndDerWithOpenSsl()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.EcP256);

        var signature = temporary.Key.Sign(HsmSignatureMechanism.Ecdsa, SHA256.HashData(Document));

        Assert.Equal(64, signature.Length);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(temporary.Key.SubjectPublicKeyInfo, out _);
        Assert.True(ecdsa.VerifyData(Document, signature, HashAlgorithmName.SHA256));
        AssertOpenSslVerifies(temporary.Key, Document, EcdsaSignatureEncoding.ToDer(signature));
    }

    [Fact]
    public void Sign_TamperedDocument_DoesNotVerifyWithOpenSsl()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.EcP256);
        var signature = temporary.Key.Sign(HsmSignatureMechanism.Ecdsa, SHA256.HashData(Document));
        var tampered = (byte[])Document.Clone();
        tampered[0] ^= 1;

        var result = ExternalTool.OpenSslVerify(temporary.Key.SubjectPublicKeyInfo, tampered, EcdsaSignatureEncoding.ToDer(signature));

        Assert.NotEqual(0, result.ExitCode);
    }

    [Theory]
    [InlineData(HsmKeyAlgorithm.EcP256, HsmSignatureMechanism.Sha256RsaPkcs)]
    [InlineData(HsmKeyAlgorithm.EcP256, HsmSignatureMechanism.RsaPkcsPssSha256)]
    [InlineData(HsmKeyAlgorithm.Rsa2048, HsmSignatureMechanism.Ecdsa)]
    public void Sign_MechanismOfOtherAlgorithm_ThrowsMechanismMismatch(HsmKeyAlgorithm algorithm, HsmSignatureMechanism mechanism)
    {
        using var temporary = new TemporaryKey(_token, algorithm);

        var ex = Assert.Throws<HsmException>(() => temporary.Key.Sign(mechanism, new byte[32]));

        Assert.Equal(HsmErrorCode.MechanismMismatch, ex.Code);
    }

    [Theory]
    [InlineData(HsmSignatureMechanism.RsaPkcsSha256DigestInfo, 20)]
    [InlineData(HsmSignatureMechanism.RsaPkcsPssSha256, 48)]
    public void Sign_HashOfWrongLength_ThrowsInvalidInput(HsmSignatureMechanism mechanism, int length)
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.Rsa2048);

        var ex = Assert.Throws<HsmException>(() => temporary.Key.Sign(mechanism, new byte[length]));

        Assert.Equal(HsmErrorCode.InvalidInput, ex.Code);
    }

    private static RSA PublicRsa(HsmKey key)
    {
        var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo, out _);
        return rsa;
    }

    private static void AssertOpenSslVerifies(HsmKey key, byte[] data, byte[] signature, bool pss = false)
    {
        var result = ExternalTool.OpenSslVerify(key.SubjectPublicKeyInfo, data, signature, pss);

        Assert.True(result.ExitCode == 0, $"openssl: {result.Output} {result.Error}");
        Assert.Contains("Verified OK", result.Output, StringComparison.Ordinal);
    }
}
