using System.Security.Cryptography;
using SignatureService.Hsm.Cryptoki;
using SignatureService.Hsm.Tests.Infrastructure;

namespace SignatureService.Hsm.Tests.Token;

/// <summary>
/// A key generation the device answers with CKR_GENERAL_ERROR (SoftHSM2 2.6.1 does so now and then under concurrency): the
/// real generation runs on the real token and then the answer is replaced by the error, so each failed attempt leaves a real
/// key pair behind under the id, as the worst case of a failing device would.
/// </summary>
[Collection(SoftHsmTokenGroup.Name)]
public sealed class KeyGenerationRetryTests
{
    [Fact]
    public void GenerateKeyPair_GeneralErrorLeavingObjects_DestroysThemAndTriesAgain_OneKeyPairRemains()
    {
        var logger = new CollectingLogger();
        using var token = HsmToken.Open(TestEnvironment.Options(poolSize: 2), logger);
        var id = TestEnvironment.NewKeyId();
        var attempts = 0;

        var key = token.GenerateKeyPairWith(FailingFirst(HsmToken.MaxGenerationAttempts - 1, () => attempts++), HsmKeyAlgorithm.EcP256, "retry-test", id);
        try
        {
            Assert.Equal(HsmToken.MaxGenerationAttempts, attempts);
            Assert.Equal((1, 1), CountObjects(token, id));
            Assert.Equal(key.SubjectPublicKeyInfo, token.FindKey(id)!.SubjectPublicKeyInfo);
            var hash = SHA256.HashData("after two failed generations"u8);
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo, out _);
            Assert.True(ecdsa.VerifyHash(hash, key.Sign(HsmSignatureMechanism.Ecdsa, hash)));
            Assert.Equal(HsmToken.MaxGenerationAttempts - 1, logger.Events.Count(e => e.Id.Id == 2008 && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning));
        }
        finally
        {
            token.DestroyKey(id);
        }
    }

    [Fact]
    public void GenerateKeyPair_GeneralErrorEveryTime_ThrowsIt_AndLeavesNothingUnderTheId()
    {
        using var token = HsmToken.Open(TestEnvironment.Options(poolSize: 2));
        var id = TestEnvironment.NewKeyId();
        var attempts = 0;

        var ex = Assert.Throws<Pkcs11Exception>(() =>
            token.GenerateKeyPairWith(FailingFirst(int.MaxValue, () => attempts++), HsmKeyAlgorithm.EcP256, "retry-test", id));

        Assert.Equal(CkReturnValue.CKR_GENERAL_ERROR, ex.ReturnValue);
        Assert.Equal(HsmToken.MaxGenerationAttempts, attempts);
        Assert.Equal((0, 0), CountObjects(token, id));
        Assert.Null(token.FindKey(id));
    }

    [Fact]
    public void GenerateKeyPair_OtherDeviceError_IsNotRetried()
    {
        using var token = HsmToken.Open(TestEnvironment.Options(poolSize: 2));
        var id = TestEnvironment.NewKeyId();
        var attempts = 0;

        var ex = Assert.Throws<Pkcs11Exception>(() => token.GenerateKeyPairWith(
            (SessionHandle _, ref HsmToken.KeyRequest _) =>
            {
                attempts++;
                throw new Pkcs11Exception("C_GenerateKeyPair", CkReturnValue.CKR_TEMPLATE_INCONSISTENT);
            },
            HsmKeyAlgorithm.EcP256,
            "retry-test",
            id));

        Assert.Equal(CkReturnValue.CKR_TEMPLATE_INCONSISTENT, ex.ReturnValue);
        Assert.Equal(1, attempts);
        Assert.Equal((0, 0), CountObjects(token, id));
    }

    /// <summary>The real generation, whose first <paramref name="failures"/> answers are replaced by CKR_GENERAL_ERROR.</summary>
    private static SessionCall<HsmToken.KeyRequest, HsmKey> FailingFirst(int failures, Func<int> countAttempt) =>
        (SessionHandle session, ref HsmToken.KeyRequest request) =>
        {
            var key = HsmToken.GenerateInSession(session, ref request);
            if (countAttempt() < failures)
            {
                throw new Pkcs11Exception("C_GenerateKeyPair", CkReturnValue.CKR_GENERAL_ERROR);
            }

            return key;
        };

    private static (int Private, int Public) CountObjects(HsmToken token, byte[] id)
    {
        var session = token.Pool.Rent();
        try
        {
            return (HsmToken.FindObjects(session, Ck.CKO_PRIVATE_KEY, id, 16).Length, HsmToken.FindObjects(session, Ck.CKO_PUBLIC_KEY, id, 16).Length);
        }
        finally
        {
            token.Pool.Return(session);
        }
    }
}
