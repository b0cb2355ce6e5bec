using System.Security.Cryptography;
using SignatureService.Hsm.Signing;

namespace SignatureService.Hsm;

/// <summary>
/// An <see cref="ECDsa"/> (P-256) whose signatures are made in the HSM with CKM_ECDSA, for .NET APIs that take an
/// <see cref="ECDsa"/> (CertificateRequest, X509SignatureGenerator.CreateForECDsa, CmsSigner). Signatures come out as
/// IEEE P1363 r || s (64 bytes) or, when asked, DER (RFC 3279). Verification uses the public key in software. Private
/// export, import and key generation throw. Thread-safe for signing.
/// <para>
/// <c>CertificateRequest.CreateSelfSigned</c> and <c>CopyWithPrivateKey</c> attach the private key to the certificate,
/// which on Linux means exporting it, so they throw <see cref="CryptographicException"/> for this key (by design). Use
/// <c>request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(hsmECDsa), notBefore, notAfter, serial)</c> instead and hand
/// this instance separately where a private key is needed (e.g. <c>CmsSigner</c>'s <c>privateKey</c>, <c>SignedXml.SigningKey</c>).
/// </para>
/// </summary>
public sealed class HsmECDsa : ECDsa
{
    private readonly HsmKey _key;
    private readonly ECDsa _publicKey;

    internal HsmECDsa(HsmKey key)
    {
        _key = key;
        _publicKey = ECDsa.Create();
        _publicKey.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo, out _);
        KeySizeValue = _publicKey.KeySize;
        LegalKeySizesValue = [new KeySizes(KeySizeValue, KeySizeValue, 0)];
    }

    /// <summary>The HSM key behind this instance.</summary>
    public HsmKey Key => _key;

    /// <inheritdoc />
    public override byte[] SignHash(byte[] hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        var signature = new byte[_key.SignatureLength];
        var written = _key.SignEcdsaHash(hash, signature);
        return written == signature.Length ? signature : signature[..written];
    }

    /// <inheritdoc />
    public override bool TrySignHash(ReadOnlySpan<byte> hash, Span<byte> destination, out int bytesWritten) =>
        TrySignHashCore(hash, destination, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out bytesWritten);

    /// <inheritdoc />
    public override bool VerifyHash(byte[] hash, byte[] signature) => _publicKey.VerifyHash(hash, signature);

    /// <inheritdoc />
    /// <exception cref="CryptographicException">Always when <paramref name="includePrivateParameters"/> is true.</exception>
    public override ECParameters ExportParameters(bool includePrivateParameters) => includePrivateParameters
        ? throw new CryptographicException("The private key is held in the HSM and cannot be exported.")
        : _publicKey.ExportParameters(false);

    /// <inheritdoc />
    /// <exception cref="CryptographicException">Always when <paramref name="includePrivateParameters"/> is true.</exception>
    public override ECParameters ExportExplicitParameters(bool includePrivateParameters) => includePrivateParameters
        ? throw new CryptographicException("The private key is held in the HSM and cannot be exported.")
        : _publicKey.ExportExplicitParameters(false);

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: the key is fixed by the HSM object.</exception>
    public override void ImportParameters(ECParameters parameters) =>
        throw new NotSupportedException("An HSM-backed EC key cannot import parameters.");

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: keys are generated with <see cref="HsmToken.GenerateKeyPair"/>.</exception>
    public override void GenerateKey(ECCurve curve) =>
        throw new NotSupportedException("Generate HSM keys with HsmToken.GenerateKeyPair.");

    /// <inheritdoc />
    protected override bool TrySignHashCore(
        ReadOnlySpan<byte> hash, Span<byte> destination, DSASignatureFormat signatureFormat, out int bytesWritten)
    {
        if (signatureFormat == DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
        {
            if (destination.Length < _key.SignatureLength)
            {
                bytesWritten = 0;
                return false;
            }

            bytesWritten = _key.SignEcdsaHash(hash, destination);
            return true;
        }

        if (signatureFormat != DSASignatureFormat.Rfc3279DerSequence)
        {
            throw new CryptographicException($"Unknown signature format {signatureFormat}.");
        }

        Span<byte> raw = stackalloc byte[_key.SignatureLength];
        var rawLength = _key.SignEcdsaHash(hash, raw);
        var der = EcdsaSignatureEncoding.ToDer(raw[..rawLength]);
        if (der.Length > destination.Length)
        {
            bytesWritten = 0;
            return false;
        }

        der.CopyTo(destination);
        bytesWritten = der.Length;
        return true;
    }

    /// <inheritdoc />
    protected override bool VerifyHashCore(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature, DSASignatureFormat signatureFormat) =>
        _publicKey.VerifyHash(hash, signature, signatureFormat);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _publicKey.Dispose();
        }

        base.Dispose(disposing);
    }
}
