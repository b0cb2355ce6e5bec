using System.Security.Cryptography;

namespace SignatureService.Hsm;

/// <summary>
/// An <see cref="RSA"/> whose private operations run in the HSM, for .NET APIs that take an <see cref="RSA"/>
/// (CertificateRequest, X509SignatureGenerator.CreateForRSA, CmsSigner, SignedXml). Signing: PKCS#1 v1.5 as
/// CKM_RSA_PKCS over a DER DigestInfo, PSS as CKM_RSA_PKCS_PSS (MGF1 with the same hash, salt = hash length), for
/// SHA-256/384/512. Verification and encryption use the public key in software. Private export, import and decryption
/// throw. Thread-safe for signing.
/// <para>
/// <c>CertificateRequest.CreateSelfSigned</c> and <c>CopyWithPrivateKey</c> attach the private key to the certificate,
/// which on Linux means exporting it, so they throw <see cref="CryptographicException"/> for this key (by design). Use
/// <c>request.Create(request.SubjectName, X509SignatureGenerator.CreateForRSA(hsmRsa, padding), notBefore, notAfter, serial)</c> instead and hand
/// this instance separately where a private key is needed (e.g. <c>CmsSigner</c>'s <c>privateKey</c>, <c>SignedXml.SigningKey</c>).
/// </para>
/// </summary>
public sealed class HsmRsa : RSA
{
    private readonly HsmKey _key;
    private readonly RSA _publicKey;

    internal HsmRsa(HsmKey key)
    {
        _key = key;
        _publicKey = RSA.Create();
        _publicKey.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo, out _);
        KeySizeValue = _publicKey.KeySize;
        LegalKeySizesValue = [new KeySizes(KeySizeValue, KeySizeValue, 0)];
    }

    /// <summary>The HSM key behind this instance.</summary>
    public HsmKey Key => _key;

    /// <inheritdoc />
    /// <exception cref="CryptographicException">Always when <paramref name="includePrivateParameters"/> is true.</exception>
    public override RSAParameters ExportParameters(bool includePrivateParameters) => includePrivateParameters
        ? throw new CryptographicException("The private key is held in the HSM and cannot be exported.")
        : _publicKey.ExportParameters(false);

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: the key is fixed by the HSM object.</exception>
    public override void ImportParameters(RSAParameters parameters) =>
        throw new NotSupportedException("An HSM-backed RSA key cannot import parameters.");

    /// <inheritdoc />
    public override byte[] SignHash(byte[] hash, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding)
    {
        ArgumentNullException.ThrowIfNull(hash);
        var signature = new byte[_key.SignatureLength];
        var written = SignHashInto(hash, signature, hashAlgorithm, padding);
        return written == signature.Length ? signature : signature[..written];
    }

    /// <inheritdoc />
    public override bool TrySignHash(
        ReadOnlySpan<byte> hash, Span<byte> destination, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding, out int bytesWritten)
    {
        if (destination.Length < _key.SignatureLength)
        {
            bytesWritten = 0;
            return false;
        }

        bytesWritten = SignHashInto(hash, destination, hashAlgorithm, padding);
        return true;
    }

    /// <inheritdoc />
    public override bool VerifyHash(byte[] hash, byte[] signature, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding) =>
        _publicKey.VerifyHash(hash, signature, hashAlgorithm, padding);

    /// <inheritdoc />
    public override bool VerifyHash(
        ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding) =>
        _publicKey.VerifyHash(hash, signature, hashAlgorithm, padding);

    /// <inheritdoc />
    public override byte[] Encrypt(byte[] data, RSAEncryptionPadding padding) => _publicKey.Encrypt(data, padding);

    /// <inheritdoc />
    /// <exception cref="CryptographicException">Always: HSM keys are generated for signing only (CKA_DECRYPT false).</exception>
    public override byte[] Decrypt(byte[] data, RSAEncryptionPadding padding) =>
        throw new CryptographicException("The HSM key is a signing key; decryption is not permitted.");

    /// <inheritdoc />
    /// <exception cref="CryptographicException">Always: HSM keys are generated for signing only (CKA_DECRYPT false).</exception>
    public override bool TryDecrypt(ReadOnlySpan<byte> data, Span<byte> destination, RSAEncryptionPadding padding, out int bytesWritten) =>
        throw new CryptographicException("The HSM key is a signing key; decryption is not permitted.");

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _publicKey.Dispose();
        }

        base.Dispose(disposing);
    }

    private int SignHashInto(ReadOnlySpan<byte> hash, Span<byte> destination, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding)
    {
        ArgumentNullException.ThrowIfNull(padding);
        if (padding == RSASignaturePadding.Pkcs1)
        {
            return _key.SignRsaPkcs1Hash(hashAlgorithm, hash, destination);
        }

        if (padding == RSASignaturePadding.Pss)
        {
            return _key.SignRsaPssHash(hashAlgorithm, hash, destination);
        }

        throw new CryptographicException("Only PKCS#1 v1.5 and PSS with a salt as long as the hash are supported.");
    }
}
