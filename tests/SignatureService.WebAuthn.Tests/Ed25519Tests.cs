using System.Security.Cryptography;
using SignatureService.WebAuthn.Cose;

namespace SignatureService.WebAuthn.Tests;

public sealed class Ed25519Tests
{
    // RFC 8032 §7.1 TEST 1, TEST 2, TEST 3 and TEST SHA(abc): public key, message, signature.
    public static TheoryData<string, string, string> Rfc8032Vectors => new()
    {
        {
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", string.Empty,
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        },
        {
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        },
        {
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        },
        {
            "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"
        },
    };

    [Theory]
    [MemberData(nameof(Rfc8032Vectors))]
    public void Verify_Rfc8032Vector_ReturnsTrue(string publicKey, string message, string signature)
        => Assert.True(Ed25519.Verify(Convert.FromHexString(publicKey), Convert.FromHexString(message), Convert.FromHexString(signature)));

    [Theory]
    [MemberData(nameof(Rfc8032Vectors))]
    public void Verify_Rfc8032VectorWithAlteredMessage_ReturnsFalse(string publicKey, string message, string signature)
        => Assert.False(Ed25519.Verify(Convert.FromHexString(publicKey), [.. Convert.FromHexString(message), 0x00], Convert.FromHexString(signature)));

    [Fact]
    public void Verify_SignatureWithScalarNotReducedModL_ReturnsFalse()
    {
        // S + L verifies in the group but RFC 8032 §5.1.7 requires S < L (no malleability).
        var signature = Convert.FromHexString("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
        var l = System.Numerics.BigInteger.Pow(2, 252) + System.Numerics.BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);
        var s = new System.Numerics.BigInteger(signature.AsSpan(32), isUnsigned: true) + l;
        s.TryWriteBytes(signature.AsSpan(32), out _, isUnsigned: true);
        Assert.False(Ed25519.Verify(Convert.FromHexString("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"), [0x72], signature));
    }

    [Theory]
    [InlineData(31, 64)]
    [InlineData(32, 63)]
    [InlineData(32, 65)]
    public void Verify_WrongLengths_ReturnsFalse(int keyLength, int signatureLength)
        => Assert.False(Ed25519.Verify(new byte[keyLength], [1, 2, 3], new byte[signatureLength]));

    [Fact]
    public void Verify_PublicKeyNotOnCurve_ReturnsFalse()
    {
        // y = 2 gives no square root for x (checked in RFC 8032 §5.1.3 step 3), so the key cannot decode.
        var key = new byte[32];
        key[0] = 2;
        Assert.False(Ed25519.Verify(key, [1], new byte[64]));
    }

    [Fact]
    public void Verify_SignaturesMadeByOpenSsl_AreAcceptedAndTamperedOnesRefused()
    {
        using var openssl = new OpenSsl();
        for (var i = 0; i < 4; i++)
        {
            var message = RandomNumberGenerator.GetBytes(1 + (i * 97));
            File.WriteAllBytes(openssl.PathOf("msg.bin"), message);
            openssl.Run("genpkey", "-algorithm", "ed25519", "-out", "key.pem");
            openssl.Run("pkey", "-in", "key.pem", "-pubout", "-outform", "DER", "-out", "pub.der");
            openssl.Run("pkeyutl", "-sign", "-inkey", "key.pem", "-rawin", "-in", "msg.bin", "-out", "sig.bin");
            var publicKey = File.ReadAllBytes(openssl.PathOf("pub.der"))[^32..];
            var signature = File.ReadAllBytes(openssl.PathOf("sig.bin"));

            Assert.True(Ed25519.Verify(publicKey, message, signature));
            signature[i] ^= 0x40;
            Assert.False(Ed25519.Verify(publicKey, message, signature));
        }
    }
}
