using System.Security.Cryptography;

namespace SignatureService.Pki.Tests.Support;

/// <summary>
/// Stands in for an HSM-backed key: it signs through an inner key but refuses every private-key export, so any code
/// path that needs the private key material fails the test.
/// </summary>
public sealed class NonExportableRsa : RSA
{
    private readonly RSA _inner;

    public NonExportableRsa(int keySize = 2048)
    {
        _inner = Create(keySize);
        KeySizeValue = keySize;
        LegalKeySizesValue = [new KeySizes(keySize, keySize, 0)];
    }

    public int SignCount { get; private set; }

    public override RSAParameters ExportParameters(bool includePrivateParameters) =>
        includePrivateParameters
            ? throw new CryptographicException("Private key export attempted on a non-exportable key.")
            : _inner.ExportParameters(false);

    public override void ImportParameters(RSAParameters parameters) => throw new NotSupportedException();

    public override byte[] SignHash(byte[] hash, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding)
    {
        SignCount++;
        return _inner.SignHash(hash, hashAlgorithm, padding);
    }

    public override bool TrySignHash(ReadOnlySpan<byte> hash, Span<byte> destination, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding, out int bytesWritten)
    {
        SignCount++;
        return _inner.TrySignHash(hash, destination, hashAlgorithm, padding, out bytesWritten);
    }

    public override bool VerifyHash(byte[] hash, byte[] signature, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding) =>
        _inner.VerifyHash(hash, signature, hashAlgorithm, padding);

    public override byte[] Decrypt(byte[] data, RSAEncryptionPadding padding) => throw new NotSupportedException();

    public override byte[] Encrypt(byte[] data, RSAEncryptionPadding padding) => _inner.Encrypt(data, padding);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
