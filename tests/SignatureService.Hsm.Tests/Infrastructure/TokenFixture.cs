namespace SignatureService.Hsm.Tests.Infrastructure;

/// <summary>One opened test token shared by the SoftHSM2 tests of a collection.</summary>
public sealed class TokenFixture : IDisposable
{
    private readonly Lazy<HsmToken> _token = new(() => HsmToken.Open(TestEnvironment.Options()));

    public HsmToken Token => _token.Value;

    public void Dispose()
    {
        if (_token.IsValueCreated)
        {
            _token.Value.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SoftHsmTokenGroup : ICollectionFixture<TokenFixture>
{
    public const string Name = "SoftHSM2 token";
}

/// <summary>Creates a key for one test and destroys it afterwards.</summary>
internal sealed class TemporaryKey : IDisposable
{
    private readonly HsmToken _token;

    public TemporaryKey(HsmToken token, HsmKeyAlgorithm algorithm, string purpose = "test")
    {
        _token = token;
        var id = TestEnvironment.NewKeyId();
        Key = token.GenerateKeyPair(algorithm, $"{purpose}/{Convert.ToHexString(id)}", id);
    }

    public HsmKey Key { get; }

    public void Dispose() => _token.DestroyKey(Key.Id);
}
