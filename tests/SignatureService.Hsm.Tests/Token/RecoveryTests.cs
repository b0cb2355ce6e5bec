using System.Security.Cryptography;
using SignatureService.Hsm.Cryptoki;
using SignatureService.Hsm.Tests.Infrastructure;

namespace SignatureService.Hsm.Tests.Token;

[Collection(SoftHsmTokenGroup.Name)]
public sealed class RecoveryTests
{
    [Fact]
    public void Sign_PooledSessionClosedBehindOurBack_ReopensAndSucceeds()
    {
        using var token = HsmToken.Open(TestEnvironment.Options(poolSize: 2));
        using var key = new TemporaryKey(token, HsmKeyAlgorithm.EcP256);
        var session = token.Pool.Rent();
        Assert.Equal(CkReturnValue.CKR_OK, token.Module.CloseSession(session.Value));
        token.Pool.Return(session);
        var hash = SHA256.HashData("after a lost session"u8);

        var signature = key.Key.Sign(HsmSignatureMechanism.Ecdsa, hash);

        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(key.Key.SubjectPublicKeyInfo, out _);
        Assert.True(ecdsa.VerifyHash(hash, signature));
    }

    [Fact]
    public void Sign_AfterLogout_LogsInAgainAndSucceeds()
    {
        using var token = HsmToken.Open(TestEnvironment.Options(poolSize: 2));
        using var key = new TemporaryKey(token, HsmKeyAlgorithm.Rsa2048);
        var session = token.Pool.Rent();
        Assert.Equal(CkReturnValue.CKR_OK, token.Module.Logout(session.Value));
        token.Pool.Return(session);
        var hash = SHA256.HashData("after a logout"u8);

        var signature = key.Key.Sign(HsmSignatureMechanism.RsaPkcsPssSha256, hash);

        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(key.Key.SubjectPublicKeyInfo, out _);
        Assert.True(rsa.VerifyHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
    }

    [Fact]
    public void Execute_DeviceLostTwice_RetriesOnceThenThrowsHsmUnavailable()
    {
        using var token = HsmToken.Open(TestEnvironment.Options(poolSize: 2));
        var calls = 0;

        var ex = Assert.Throws<HsmUnavailableException>(() => token.Execute<int, int>(
            (SessionHandle _, ref int count) =>
            {
                count++;
                throw new Pkcs11Exception("C_Sign", CkReturnValue.CKR_DEVICE_REMOVED);
            },
            ref calls));

        Assert.Equal(2, calls);
        Assert.Equal(CkReturnValue.CKR_DEVICE_REMOVED, ex.LastReturnValue);
        token.CheckAvailable();
    }

    [Fact]
    public void Execute_NonSessionError_IsNotRetried()
    {
        using var token = HsmToken.Open(TestEnvironment.Options(poolSize: 1));
        var calls = 0;

        var ex = Assert.Throws<Pkcs11Exception>(() => token.Execute<int, int>(
            (SessionHandle _, ref int count) =>
            {
                count++;
                throw new Pkcs11Exception("C_Sign", CkReturnValue.CKR_KEY_FUNCTION_NOT_PERMITTED);
            },
            ref calls));

        Assert.Equal(1, calls);
        Assert.Equal(CkReturnValue.CKR_KEY_FUNCTION_NOT_PERMITTED, ex.ReturnValue);
    }

    [Fact]
    public void Open_TwoTokensOnOneModule_ShareItAndSurviveEachOthersDispose()
    {
        var first = HsmToken.Open(TestEnvironment.Options(poolSize: 1));
        using var second = HsmToken.Open(TestEnvironment.Options(poolSize: 1));
        using var key = new TemporaryKey(second, HsmKeyAlgorithm.EcP256);

        first.Dispose();

        Assert.Equal(64, key.Key.Sign(HsmSignatureMechanism.Ecdsa, new byte[32]).Length);
        Assert.Throws<ObjectDisposedException>(() => first.FindKey(key.Key.Id));
    }
}
