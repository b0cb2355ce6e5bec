using System.Collections.Concurrent;
using System.Security.Cryptography;
using SignatureService.Hsm.Tests.Infrastructure;

namespace SignatureService.Hsm.Tests.Token;

[Collection(SoftHsmTokenGroup.Name)]
public sealed class SessionPoolTests
{
    [Fact]
    public async Task Sign_SixteenTasksFiftySignaturesPoolOfFour_AllSucceedAndVerify()
    {
        using var token = HsmToken.Open(TestEnvironment.Options(poolSize: 4));
        using var ecKey = new TemporaryKey(token, HsmKeyAlgorithm.EcP256);
        using var rsaKey = new TemporaryKey(token, HsmKeyAlgorithm.Rsa2048);
        var signatures = new ConcurrentBag<(HsmKey Key, byte[] Hash, byte[] Signature)>();

        var tasks = Enumerable.Range(0, 16).Select(task => Task.Run(() =>
        {
            var key = task % 4 == 0 ? rsaKey.Key : ecKey.Key;
            var mechanism = key.IsRsa ? HsmSignatureMechanism.RsaPkcsSha256DigestInfo : HsmSignatureMechanism.Ecdsa;
            for (var i = 0; i < 50; i++)
            {
                var hash = SHA256.HashData(BitConverter.GetBytes((task * 1000) + i));
                signatures.Add((key, hash, key.Sign(mechanism, hash)));
            }
        }));
        await Task.WhenAll(tasks);

        Assert.Equal(800, signatures.Count);
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(rsaKey.Key.SubjectPublicKeyInfo, out _);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(ecKey.Key.SubjectPublicKeyInfo, out _);
        Assert.All(signatures, s => Assert.True(s.Key.IsRsa
            ? rsa.VerifyHash(s.Hash, s.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : ecdsa.VerifyHash(s.Hash, s.Signature)));
        Assert.InRange(token.Pool.IdleCount, 1, 4);
    }

    [Fact]
    public void Sign_AllSessionsBusyBeyondTimeout_ThrowsHsmUnavailable()
    {
        var options = TestEnvironment.Options(poolSize: 1);
        options.SessionAcquireTimeout = TimeSpan.FromMilliseconds(200);
        using var token = HsmToken.Open(options);
        using var key = new TemporaryKey(token, HsmKeyAlgorithm.EcP256);
        var busy = token.Pool.Rent();
        try
        {
            var ex = Assert.Throws<HsmUnavailableException>(() => key.Key.Sign(HsmSignatureMechanism.Ecdsa, new byte[32]));

            Assert.Equal(HsmErrorCode.Unavailable, ex.Code);
            Assert.True(ex.RetryAfter >= TimeSpan.FromSeconds(1));
        }
        finally
        {
            token.Pool.Return(busy);
        }

        Assert.Equal(64, key.Key.Sign(HsmSignatureMechanism.Ecdsa, new byte[32]).Length);
    }
}
