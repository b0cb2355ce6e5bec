using System.Formats.Cbor;
using System.Security.Cryptography;
using SignatureService.WebAuthn.Cose;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Tests;

/// <summary>COSE keys verify signatures made by OpenSSL (an independent signer) and refuse inconsistent keys.</summary>
public sealed class CoseKeyTests
{
    [Theory]
    [InlineData(CoseAlgorithm.RS256, "rsa_padding_mode:pkcs1")]
    [InlineData(CoseAlgorithm.PS256, "rsa_padding_mode:pss")]
    public void VerifySignature_RsaSignatureFromOpenSsl_IsValid(CoseAlgorithm algorithm, string padding)
    {
        using var openssl = new OpenSsl();
        var message = RandomNumberGenerator.GetBytes(77);
        File.WriteAllBytes(openssl.PathOf("msg.bin"), message);
        openssl.Run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key.pem");
        openssl.Run("pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem");
        // Note: COSE PS256 uses a salt as long as the hash (RFC 8230 §2), hence rsa_pss_saltlen:digest.
        var pss = algorithm == CoseAlgorithm.PS256;
        openssl.Run(pss
            ? ["dgst", "-sha256", "-sign", "key.pem", "-sigopt", padding, "-sigopt", "rsa_pss_saltlen:digest", "-out", "sig.bin", "msg.bin"]
            : ["dgst", "-sha256", "-sign", "key.pem", "-sigopt", padding, "-out", "sig.bin", "msg.bin"]);
        using var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(openssl.PathOf("pub.pem")));
        var parameters = rsa.ExportParameters(false);
        var key = CoseKey.Decode(RsaCose(algorithm, parameters.Modulus!, parameters.Exponent!));
        var signature = File.ReadAllBytes(openssl.PathOf("sig.bin"));

        Assert.True(key.VerifySignature(message, signature));
        message[0] ^= 1;
        Assert.False(key.VerifySignature(message, signature));
    }

    [Theory]
    [InlineData(CoseAlgorithm.ES256, "prime256v1", "-sha256", 1, 32)]
    [InlineData(CoseAlgorithm.ES384, "secp384r1", "-sha384", 2, 48)]
    [InlineData(CoseAlgorithm.ES512, "secp521r1", "-sha512", 3, 66)]
    public void VerifySignature_EcdsaSignatureFromOpenSsl_IsValid(CoseAlgorithm algorithm, string curve, string digest, int coseCurve, int size)
    {
        using var openssl = new OpenSsl();
        var message = RandomNumberGenerator.GetBytes(50);
        File.WriteAllBytes(openssl.PathOf("msg.bin"), message);
        openssl.Run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + curve, "-out", "key.pem");
        openssl.Run("pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem");
        openssl.Run("dgst", digest, "-sign", "key.pem", "-out", "sig.bin", "msg.bin");
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(File.ReadAllText(openssl.PathOf("pub.pem")));
        var q = ecdsa.ExportParameters(false).Q;
        var key = CoseKey.Decode(Ec2Cose(algorithm, coseCurve, q.X!, q.Y!));
        Assert.Equal(size, q.X!.Length);

        Assert.True(key.VerifySignature(message, File.ReadAllBytes(openssl.PathOf("sig.bin"))));
        Assert.False(key.VerifySignature([.. message, 0], File.ReadAllBytes(openssl.PathOf("sig.bin"))));
    }

    [Fact]
    public void Decode_Rsa1024_ReturnsMalformed()
    {
        using var rsa = RSA.Create(1024);
        var p = rsa.ExportParameters(false);
        var ex = Assert.Throws<WebAuthnException>(() => CoseKey.Decode(RsaCose(CoseAlgorithm.RS256, p.Modulus!, p.Exponent!)));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    [Fact]
    public void Decode_Es384AlgorithmOnP256Curve_ReturnsMalformed()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = ecdsa.ExportParameters(false).Q;
        var ex = Assert.Throws<WebAuthnException>(() => CoseKey.Decode(Ec2Cose(CoseAlgorithm.ES384, 1, q.X!, q.Y!)));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    [Fact]
    public void Decode_PointNotOnCurve_ReturnsMalformed()
    {
        var ex = Assert.Throws<WebAuthnException>(() => CoseKey.Decode(Ec2Cose(CoseAlgorithm.ES256, 1, new byte[32], new byte[32])));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    [Fact]
    public void Decode_DuplicateLabel_ReturnsMalformed()
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartMap(2);
        writer.WriteInt32(1);
        writer.WriteInt32(2);
        writer.WriteInt32(1);
        writer.WriteInt32(3);
        writer.WriteEndMap();
        var ex = Assert.Throws<WebAuthnException>(() => CoseKey.Decode(writer.Encode()));
        Assert.Equal(WebAuthnErrorCodes.Malformed, ex.Code);
    }

    [Fact]
    public void VerifySignature_Ed448Key_ReturnsAlgorithmUnsupported()
    {
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(4);
        writer.WriteInt32(1);
        writer.WriteInt32(1);
        writer.WriteInt32(3);
        writer.WriteInt32(-8);
        writer.WriteInt32(-1);
        writer.WriteInt32(7);
        writer.WriteInt32(-2);
        writer.WriteByteString(new byte[57]);
        writer.WriteEndMap();
        var key = CoseKey.Decode(writer.Encode());
        Assert.False(key.IsSupported);
        var ex = Assert.Throws<WebAuthnException>(() => key.VerifySignature([1], new byte[114]));
        Assert.Equal(WebAuthnErrorCodes.AlgorithmUnsupported, ex.Code);
    }

    internal static byte[] RsaCose(CoseAlgorithm algorithm, byte[] modulus, byte[] exponent)
    {
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(4);
        writer.WriteInt32(1);
        writer.WriteInt32(3);
        writer.WriteInt32(3);
        writer.WriteInt32((int)algorithm);
        writer.WriteInt32(-1);
        writer.WriteByteString(modulus);
        writer.WriteInt32(-2);
        writer.WriteByteString(exponent);
        writer.WriteEndMap();
        return writer.Encode();
    }

    internal static byte[] Ec2Cose(CoseAlgorithm algorithm, int curve, byte[] x, byte[] y)
    {
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(5);
        writer.WriteInt32(1);
        writer.WriteInt32(2);
        writer.WriteInt32(3);
        writer.WriteInt32((int)algorithm);
        writer.WriteInt32(-1);
        writer.WriteInt32(curve);
        writer.WriteInt32(-2);
        writer.WriteByteString(x);
        writer.WriteInt32(-3);
        writer.WriteByteString(y);
        writer.WriteEndMap();
        return writer.Encode();
    }
}
