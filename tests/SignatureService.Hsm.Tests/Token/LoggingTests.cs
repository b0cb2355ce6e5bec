using System.Security.Cryptography;
using SignatureService.Hsm.Cryptoki;
using SignatureService.Hsm.Tests.Infrastructure;

namespace SignatureService.Hsm.Tests.Token;

[Collection(SoftHsmTokenGroup.Name)]
public sealed class LoggingTests
{
    [Fact]
    public void Open_GenerateRecoverDestroy_LogsStableEventIdsWithoutThePin()
    {
        var logger = new CollectingLogger();
        using (var token = HsmToken.Open(TestEnvironment.Options(poolSize: 1), logger))
        {
            var id = TestEnvironment.NewKeyId();
            var key = token.GenerateKeyPair(HsmKeyAlgorithm.EcP256, "logging-test", id);
            var session = token.Pool.Rent();
            Assert.Equal(CkReturnValue.CKR_OK, token.Module.CloseSession(session.Value));
            token.Pool.Return(session);
            Assert.Equal(64, key.Sign(HsmSignatureMechanism.Ecdsa, SHA256.HashData("log me not"u8)).Length);
            Assert.True(token.DestroyKey(id));
        }

        var ids = logger.Events.Select(e => e.Id.Id).ToList();
        Assert.Contains(2001, ids);
        Assert.Contains(2006, ids);
        Assert.Contains(2002, ids);
        Assert.Contains(2007, ids);
        var pin = TestEnvironment.ReadPin();
        Assert.All(logger.Events, e => Assert.DoesNotContain(pin, e.Message, StringComparison.Ordinal));
    }
}
