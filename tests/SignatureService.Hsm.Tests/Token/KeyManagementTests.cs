using System.Security.Cryptography;
using SignatureService.Hsm.Cryptoki;
using SignatureService.Hsm.Tests.Infrastructure;

namespace SignatureService.Hsm.Tests.Token;

[Collection(SoftHsmTokenGroup.Name)]
public sealed class KeyManagementTests(TokenFixture fixture)
{
    private readonly HsmToken _token = fixture.Token;

    [Theory]
    [InlineData(HsmKeyAlgorithm.Rsa2048)]
    [InlineData(HsmKeyAlgorithm.Rsa3072)]
    [InlineData(HsmKeyAlgorithm.EcP256)]
    public void GenerateKeyPair_EachAlgorithm_PrivateKeyIsSensitiveAndNeverExtractable(HsmKeyAlgorithm algorithm)
    {
        using var temporary = new TemporaryKey(_token, algorithm);

        var attributes = _token.ReadPrivateKeyAttributes(temporary.Key);

        Assert.True(attributes.Sensitive);
        Assert.False(attributes.Extractable);
        Assert.True(attributes.AlwaysSensitive);
        Assert.True(attributes.NeverExtractable);
        Assert.True(attributes.Token);
        Assert.True(attributes.Private);
        Assert.True(attributes.Sign);
        Assert.True(attributes.Local);
        Assert.True(attributes.IsNonExportable);
    }

    [Theory]
    [InlineData(HsmKeyAlgorithm.Rsa2048, 2048)]
    [InlineData(HsmKeyAlgorithm.EcP256, 256)]
    public void GenerateKeyPair_SubjectPublicKeyInfo_ImportsWithExpectedKeySize(HsmKeyAlgorithm algorithm, int keySize)
    {
        using var temporary = new TemporaryKey(_token, algorithm);

        using AsymmetricAlgorithm imported = algorithm == HsmKeyAlgorithm.EcP256 ? ECDsa.Create() : RSA.Create();
        imported.ImportSubjectPublicKeyInfo(temporary.Key.SubjectPublicKeyInfo, out var read);

        Assert.Equal(temporary.Key.SubjectPublicKeyInfo.Length, read);
        Assert.Equal(keySize, imported.KeySize);
        Assert.Equal(algorithm, temporary.Key.Algorithm);
    }

    [Fact]
    public void FindKey_AfterGenerate_ReturnsSameIdLabelAndPublicKey()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.EcP256, "signer");

        var found = _token.FindKey(temporary.Key.Id);

        Assert.NotNull(found);
        Assert.Equal(temporary.Key.Id, found.Id);
        Assert.Equal(temporary.Key.Label, found.Label);
        Assert.StartsWith("signer/", found.Label, StringComparison.Ordinal);
        Assert.Equal(temporary.Key.SubjectPublicKeyInfo, found.SubjectPublicKeyInfo);
        Assert.Equal(HsmKeyAlgorithm.EcP256, found.Algorithm);
    }

    [Fact]
    public void FindKey_UnknownId_ReturnsNull()
    {
        Assert.Null(_token.FindKey(TestEnvironment.NewKeyId()));
    }

    [Fact]
    public void DestroyKey_ExistingKey_RemovesBothObjects()
    {
        var id = TestEnvironment.NewKeyId();
        var key = _token.GenerateKeyPair(HsmKeyAlgorithm.EcP256, "destroy-me", id);

        Assert.True(_token.DestroyKey(id));

        Assert.Null(_token.FindKey(id));
        Assert.False(_token.DestroyKey(id));
        var ex = Assert.Throws<HsmException>(() => key.Sign(HsmSignatureMechanism.Ecdsa, new byte[32]));
        Assert.Equal(HsmErrorCode.KeyNotFound, ex.Code);
    }

    [Fact]
    public void GenerateKeyPair_IdInUse_ThrowsKeyIdInUse()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.EcP256);

        var ex = Assert.Throws<HsmException>(() => _token.GenerateKeyPair(HsmKeyAlgorithm.EcP256, "again", temporary.Key.Id));

        Assert.Equal(HsmErrorCode.KeyIdInUse, ex.Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void GenerateKeyPair_IdOutOfBounds_ThrowsInvalidInput(int idLength)
    {
        var ex = Assert.Throws<HsmException>(() => _token.GenerateKeyPair(HsmKeyAlgorithm.EcP256, "x", new byte[idLength]));

        Assert.Equal(HsmErrorCode.InvalidInput, ex.Code);
    }

    [Theory]
    [InlineData(HsmKeyAlgorithm.Rsa2048, Ck.CKA_PRIVATE_EXPONENT)]
    [InlineData(HsmKeyAlgorithm.EcP256, Ck.CKA_VALUE)]
    public void ReadPrivateKeyAttribute_SecretComponent_FailsWithAttributeSensitive(HsmKeyAlgorithm algorithm, ulong attribute)
    {
        using var temporary = new TemporaryKey(_token, algorithm);

        var ex = Assert.Throws<Pkcs11Exception>(() => _token.ReadPrivateKeyAttribute(temporary.Key, attribute));

        Assert.Equal("C_GetAttributeValue", ex.Function);
        Assert.Equal(CkReturnValue.CKR_ATTRIBUTE_SENSITIVE, ex.ReturnValue);
    }

    [Fact]
    public void GetMechanisms_SoftHsm_OffersEverySigningMechanismWeUse()
    {
        var mechanisms = _token.GetMechanisms();

        Assert.Contains(Ck.CKM_SHA256_RSA_PKCS, mechanisms);
        Assert.Contains(Ck.CKM_RSA_PKCS, mechanisms);
        Assert.Contains(Ck.CKM_RSA_PKCS_PSS, mechanisms);
        Assert.Contains(Ck.CKM_ECDSA, mechanisms);
    }

    [Fact]
    public void Pkcs11Tool_ListObjects_SeesTheKeysWeCreated()
    {
        using var temporary = new TemporaryKey(_token, HsmKeyAlgorithm.EcP256, "ca/root/cert-signing");

        var result = ExternalTool.Run(
            "pkcs11-tool",
            "--module", TestEnvironment.ModulePath,
            "--token-label", TestEnvironment.TokenLabel,
            "--login", "--pin", TestEnvironment.ReadPin(),
            "--list-objects");

        Assert.True(result.ExitCode == 0, result.Error);
        var idHex = Convert.ToHexString(temporary.Key.Id).ToLowerInvariant();
        var blocks = result.Output.Split("\n", StringSplitOptions.None);
        Assert.Contains(blocks, line => line.Contains("Private Key Object; EC", StringComparison.Ordinal));
        Assert.Contains(blocks, line => line.Contains(temporary.Key.Label, StringComparison.Ordinal));
        Assert.Equal(2, blocks.Count(line => line.Trim() == "ID:         " + idHex));
    }

    [Fact]
    public void CheckAvailable_OpenToken_DoesNotThrow()
    {
        var ex = Record.Exception(_token.CheckAvailable);

        Assert.Null(ex);
    }
}
