using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace SignatureService.Pki.XAdES.Cades;

/// <summary>
/// Builds CAdES signatures (CMS SignedData, RFC 5652; ETSI EN 319 122-1 baseline B-B / B-T) over arbitrary bytes such as a
/// PDF: signed attributes content-type, message-digest, signing-time and signing-certificate-v2 (RFC 5035); at B-T an
/// unsigned id-aa-signatureTimeStampToken over the SignerInfo signature value. One private-key operation per signature.
/// Thread-safe when the timestamp source is.
/// </summary>
/// <param name="timeProvider">Source of the signing-time attribute.</param>
/// <param name="timestampSource">Source of RFC 3161 tokens for B-T; null to allow only B-B.</param>
public sealed class CadesSigner(TimeProvider timeProvider, IXadesTimestampSource? timestampSource = null)
{
    private const string SigningCertificateV2Oid = "1.2.840.113549.1.9.16.2.47";
    private const string SignatureTimeStampTokenOid = "1.2.840.113549.1.9.16.2.14";
    private const string Sha256Oid = "2.16.840.1.101.3.4.2.1";

    /// <summary>Signs <paramref name="content"/> and returns the DER ContentInfo (SignedData).</summary>
    /// <param name="content">The bytes to sign (any size the caller accepts; held in memory).</param>
    /// <param name="detached">True: eContent omitted (the verifier needs the content separately).</param>
    /// <param name="signingKey">The signer's RSA key, typically HSM-backed (PKCS#1 v1.5, SHA-256).</param>
    /// <param name="signerCertificate">The signer certificate (no private key needed).</param>
    /// <param name="chain">Further certificates to embed (issuing CA...), may be empty.</param>
    /// <param name="withTimestamp">True for B-T (requires a timestamp source).</param>
    /// <param name="cancellationToken">Cancels the timestamp request.</param>
    /// <exception cref="XadesException"><see cref="XadesErrorCodes.CadesInvalid"/>, <see cref="XadesErrorCodes.TimestampSourceFailed"/>.</exception>
    public async Task<byte[]> SignAsync(
        ReadOnlyMemory<byte> content,
        bool detached,
        RSA signingKey,
        X509Certificate2 signerCertificate,
        IEnumerable<X509Certificate2> chain,
        bool withTimestamp,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        ArgumentNullException.ThrowIfNull(signerCertificate);
        ArgumentNullException.ThrowIfNull(chain);
        if (withTimestamp && timestampSource is null)
        {
            throw new XadesException(XadesErrorCodes.CadesInvalid, "B-T needs a timestamp source.");
        }

        var signedCms = new SignedCms(new ContentInfo(content.ToArray()), detached);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, signerCertificate, signingKey)
        {
            DigestAlgorithm = new Oid(Sha256Oid),
            IncludeOption = X509IncludeOption.EndCertOnly,
        };
        signer.Certificates.AddRange(chain.ToArray());
        signer.SignedAttributes.Add(new Pkcs9SigningTime(timeProvider.GetUtcNow().UtcDateTime));
        signer.SignedAttributes.Add(new AsnEncodedData(SigningCertificateV2Oid, EncodeSigningCertificateV2(signerCertificate)));

        try
        {
            signedCms.ComputeSignature(signer, silent: true);
        }
        catch (CryptographicException ex)
        {
            throw new XadesException(XadesErrorCodes.CadesInvalid, "The CMS signature could not be computed.", ex);
        }

        if (withTimestamp)
        {
            var signerInfo = signedCms.SignerInfos[0];
            var signatureValue = signerInfo.GetSignature();
            byte[] token;
            try
            {
                token = await timestampSource!.GetTimestampTokenAsync(signatureValue, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not XadesException)
            {
                throw new XadesException(XadesErrorCodes.TimestampSourceFailed, "The timestamp source failed.", ex);
            }

            if (!Rfc3161TimestampToken.TryDecode(token, out var decoded, out var consumed) || consumed != token.Length ||
                decoded.TokenInfo.HashAlgorithmId.Value != Sha256Oid ||
                !decoded.TokenInfo.GetMessageHash().Span.SequenceEqual(SHA256.HashData(signatureValue)))
            {
                throw new XadesException(XadesErrorCodes.TimestampSourceFailed, "The timestamp token does not cover the signature value.");
            }

            signerInfo.AddUnsignedAttribute(new AsnEncodedData(SignatureTimeStampTokenOid, token));
        }

        return signedCms.Encode();
    }

    /// <summary>SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 } with SHA-256 (the DEFAULT, so omitted).</summary>
    private static byte[] EncodeSigningCertificateV2(X509Certificate2 certificate)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                using (writer.PushSequence())
                {
                    writer.WriteOctetString(SHA256.HashData(certificate.RawData));
                    EssCertificateIds.WriteIssuerSerial(writer, certificate);
                }
            }
        }

        return writer.Encode();
    }
}
