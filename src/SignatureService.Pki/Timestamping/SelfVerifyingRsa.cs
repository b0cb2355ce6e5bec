using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SignatureService.Pki.Timestamping;

/// <summary>
/// Wraps a TSA's signing key (typically HSM-backed) so that every signature it makes is verified with the TSA
/// certificate's public key, imported once, before it is used: a key that does not match the certificate, or a corrupted
/// signature from the HSM, never leaves the TSA. This is what lets the in-process client skip re-verifying the token's CMS
/// signature (which imports the certificate's public key again for every token). Thread-safe when the inner key is.
/// </summary>
internal sealed class SelfVerifyingRsa : RSA
{
    private readonly RSA _inner;
    private readonly RSA _publicKey;

    public SelfVerifyingRsa(RSA inner, X509Certificate2 certificate)
    {
        _inner = inner;
        _publicKey = certificate.GetRSAPublicKey()
                     ?? throw new CryptographicException("The TSA certificate does not hold an RSA key.");
        KeySizeValue = _publicKey.KeySize;
        LegalKeySizesValue = [new KeySizes(KeySizeValue, KeySizeValue, 0)];
    }

    public override RSAParameters ExportParameters(bool includePrivateParameters) => includePrivateParameters
        ? throw new CryptographicException("The TSA's private key is not exportable.")
        : _publicKey.ExportParameters(false);

    public override void ImportParameters(RSAParameters parameters) =>
        throw new NotSupportedException("The TSA's key cannot import parameters.");

    public override byte[] SignHash(byte[] hash, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding)
    {
        var signature = _inner.SignHash(hash, hashAlgorithm, padding);
        Check(hash, signature, hashAlgorithm, padding);
        return signature;
    }

    public override bool TrySignHash(ReadOnlySpan<byte> hash, Span<byte> destination, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding, out int bytesWritten)
    {
        if (!_inner.TrySignHash(hash, destination, hashAlgorithm, padding, out bytesWritten))
        {
            return false;
        }

        Check(hash, destination[..bytesWritten], hashAlgorithm, padding);
        return true;
    }

    public override bool VerifyHash(byte[] hash, byte[] signature, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding) =>
        _publicKey.VerifyHash(hash, signature, hashAlgorithm, padding);

    public override bool VerifyHash(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding) =>
        _publicKey.VerifyHash(hash, signature, hashAlgorithm, padding);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _publicKey.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Check(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding)
    {
        if (!_publicKey.VerifyHash(hash, signature, hashAlgorithm, padding))
        {
            throw new CryptographicException("The TSA key's signature does not verify with the TSA certificate.");
        }
    }
}
