using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Pki.Errors;

namespace SignatureService.Pki.Certificates;

/// <summary>
/// A certificate together with the signer for its private key. The private key stays wherever the
/// <see cref="X509SignatureGenerator"/> keeps it (an HSM in production); nothing here exports it.
/// </summary>
public sealed class IssuerCredential
{
    /// <summary>Pairs a certificate with a signature generator over the same key pair.</summary>
    /// <param name="certificate">The certificate (no private key needed).</param>
    /// <param name="generator">Signs with the certificate's private key.</param>
    /// <param name="hashAlgorithm">Digest used for signatures made with this credential; default SHA-256.</param>
    /// <exception cref="PkiException"><see cref="PkiErrorCodes.InvalidIssuer"/> when the generator's public key differs from the certificate's.</exception>
    public IssuerCredential(X509Certificate2 certificate, X509SignatureGenerator generator, HashAlgorithmName? hashAlgorithm = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(generator);
        if (!certificate.PublicKey.EncodedKeyValue.RawData.AsSpan().SequenceEqual(generator.PublicKey.EncodedKeyValue.RawData))
        {
            throw new PkiException(PkiErrorCodes.InvalidIssuer, "The signature generator's key does not match the certificate.");
        }

        Certificate = certificate;
        Generator = generator;
        HashAlgorithm = hashAlgorithm ?? HashAlgorithmName.SHA256;
    }

    /// <summary>The credential's certificate.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The signer for the certificate's private key.</summary>
    public X509SignatureGenerator Generator { get; }

    /// <summary>The digest algorithm used with <see cref="Generator"/>.</summary>
    public HashAlgorithmName HashAlgorithm { get; }

    /// <summary>Creates a credential signing with RSA PKCS#1 v1.5 (sha256WithRSAEncryption by default).</summary>
    /// <param name="certificate">The certificate.</param>
    /// <param name="key">The RSA key object (software or HSM-backed); only its signing operation is used.</param>
    /// <param name="hashAlgorithm">Digest; default SHA-256.</param>
    /// <returns>The credential.</returns>
    public static IssuerCredential FromRsa(X509Certificate2 certificate, RSA key, HashAlgorithmName? hashAlgorithm = null) =>
        new(certificate, X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1), hashAlgorithm);

    /// <summary>Creates a credential signing with ECDSA.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <param name="key">The ECDSA key object (software or HSM-backed).</param>
    /// <param name="hashAlgorithm">Digest; default SHA-256.</param>
    /// <returns>The credential.</returns>
    public static IssuerCredential FromECDsa(X509Certificate2 certificate, ECDsa key, HashAlgorithmName? hashAlgorithm = null) =>
        new(certificate, X509SignatureGenerator.CreateForECDsa(key), hashAlgorithm);

    /// <summary>The DER AlgorithmIdentifier of signatures made by this credential.</summary>
    internal byte[] SignatureAlgorithmIdentifier => Generator.GetSignatureAlgorithmIdentifier(HashAlgorithm);

    /// <summary>Signs <paramref name="data"/> (hash-then-sign with <see cref="HashAlgorithm"/>).</summary>
    internal byte[] Sign(byte[] data) => Generator.SignData(data, HashAlgorithm);
}
