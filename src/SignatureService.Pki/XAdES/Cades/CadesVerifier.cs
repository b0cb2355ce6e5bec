using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace SignatureService.Pki.XAdES.Cades;

/// <summary>
/// Verifies CAdES signatures (CMS SignedData) with the same report shape as <see cref="XadesVerifier"/>: per SignerInfo the
/// signature value (message digest and signature), signing-certificate-v2, signing time, keyUsage nonRepudiation and the
/// id-aa-signatureTimeStampToken (imprint over the signature value, token signature). Trust and revocation are the
/// integrator's checks. Never throws for bad input. Thread-safe when the hooks are.
/// </summary>
/// <param name="maxBytes">Largest CMS (and detached content) accepted, in bytes (inclusive; default 64 MiB).</param>
/// <param name="checks">Integrator checks run on each signer after the built-in ones.</param>
public sealed class CadesVerifier(int maxBytes = 64 * 1024 * 1024, IEnumerable<IXadesSignatureCheck>? checks = null)
{
    private const string SigningCertificateV2Oid = "1.2.840.113549.1.9.16.2.47";
    private const string SignatureTimeStampTokenOid = "1.2.840.113549.1.9.16.2.14";
    private const string SigningTimeOid = "1.2.840.113549.1.9.5";
    private const string Sha256Oid = "2.16.840.1.101.3.4.2.1";
    private readonly IReadOnlyList<IXadesSignatureCheck> _checks = [.. checks ?? []];

    /// <summary>Verifies a DER ContentInfo; pass the content for a detached signature, null for an attached one.</summary>
    public XadesVerificationReport Verify(ReadOnlySpan<byte> cms, ReadOnlyMemory<byte>? detachedContent)
    {
        if (cms.Length > maxBytes || detachedContent?.Length > maxBytes)
        {
            return new XadesVerificationReport([], XadesErrorCodes.TooLarge);
        }

        var signedCms = detachedContent is { } content ? new SignedCms(new ContentInfo(content.ToArray()), detached: true) : new SignedCms();
        try
        {
            signedCms.Decode(cms);
        }
        catch (CryptographicException)
        {
            return new XadesVerificationReport([], XadesErrorCodes.CadesInvalid);
        }

        if (signedCms.SignerInfos.Count == 0)
        {
            return new XadesVerificationReport([], XadesErrorCodes.SignatureMissing);
        }

        var embedded = signedCms.Certificates.Cast<X509Certificate2>().ToList();
        var reports = new List<XadesSignatureReport>();
        foreach (var signerInfo in signedCms.SignerInfos)
        {
            var report = VerifySigner(signerInfo, embedded);
            foreach (var check in _checks)
            {
                report.Add(check.Evaluate(report));
            }

            reports.Add(report);
        }

        return new XadesVerificationReport(reports, null);
    }

    private static XadesSignatureReport VerifySigner(SignerInfo signerInfo, List<X509Certificate2> embedded)
    {
        var token = signerInfo.UnsignedAttributes.Cast<CryptographicAttributeObject>()
            .FirstOrDefault(a => a.Oid.Value == SignatureTimeStampTokenOid)?.Values.Cast<AsnEncodedData>().FirstOrDefault()?.RawData;
        var report = new XadesSignatureReport(null)
        {
            Level = token is null ? XadesLevel.Bes : XadesLevel.T,
            SigningCertificate = signerInfo.Certificate,
            EmbeddedCertificates = embedded,
        };

        report.Add(XadesVerifier.Run(XadesCheckNames.SignatureValue, XadesErrorCodes.SignatureInvalid, () =>
        {
            if (signerInfo.Certificate is null)
            {
                return XadesCheckResult.Fail(XadesCheckNames.SignatureValue, XadesErrorCodes.SigningCertificateMissing, "The signer certificate is not embedded.");
            }

            signerInfo.CheckSignature(verifySignatureOnly: true);
            return XadesCheckResult.Pass(XadesCheckNames.SignatureValue, "Message digest and signature verify.");
        }));
        report.Add(XadesVerifier.Run(XadesCheckNames.SigningCertificate, XadesErrorCodes.SigningCertificateMismatch, () => CheckSigningCertificate(signerInfo)));
        report.Add(XadesVerifier.Run(XadesCheckNames.SigningTime, XadesErrorCodes.SigningTimeInvalid, () =>
        {
            var attribute = signerInfo.SignedAttributes.Cast<CryptographicAttributeObject>().FirstOrDefault(a => a.Oid.Value == SigningTimeOid);
            if (attribute?.Values.Cast<AsnEncodedData>().FirstOrDefault() is not { } value)
            {
                return XadesCheckResult.Fail(XadesCheckNames.SigningTime, XadesErrorCodes.SigningTimeInvalid, "signing-time is missing.");
            }

            report.SigningTime = new DateTimeOffset(new Pkcs9SigningTime(value.RawData).SigningTime.ToUniversalTime(), TimeSpan.Zero);
            return XadesCheckResult.Pass(XadesCheckNames.SigningTime, "signing-time present.");
        }));
        report.Add(XadesVerifier.CheckKeyUsage(signerInfo.Certificate));

        var tsaCertificates = new List<X509Certificate2>();
        if (token is null)
        {
            report.Add(XadesCheckResult.NotApplicable(XadesCheckNames.SignatureTimestampImprint, "No signature time-stamp (B-B)."));
            report.Add(XadesCheckResult.NotApplicable(XadesCheckNames.SignatureTimestampSignature, "No signature time-stamp (B-B)."));
        }
        else
        {
            report.SignatureTimestampTime = XadesVerifier.CheckTimestampToken(report, token, SignatureTimeStampTokenOid,
                XadesCheckNames.SignatureTimestampImprint, XadesCheckNames.SignatureTimestampSignature, signerInfo.GetSignature, embedded, tsaCertificates);
        }

        report.TimestampAuthorityCertificates = tsaCertificates;
        return report;
    }

    private static XadesCheckResult CheckSigningCertificate(SignerInfo signerInfo)
    {
        const string Check = XadesCheckNames.SigningCertificate;
        var attribute = signerInfo.SignedAttributes.Cast<CryptographicAttributeObject>().FirstOrDefault(a => a.Oid.Value == SigningCertificateV2Oid);
        if (signerInfo.Certificate is not { } certificate || attribute?.Values.Cast<AsnEncodedData>().FirstOrDefault() is not { } value)
        {
            return XadesCheckResult.Fail(Check, XadesErrorCodes.SigningCertificateMissing, "Signer certificate or signing-certificate-v2 is missing.");
        }

        // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies OPTIONAL } (RFC 5035); the first
        // ESSCertIDv2 names the signer: { hashAlgorithm DEFAULT sha256, certHash, issuerSerial OPTIONAL }.
        var reader = new AsnReader(value.RawData, AsnEncodingRules.DER).ReadSequence().ReadSequence().ReadSequence();
        if (reader.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var algorithm = reader.ReadSequence().ReadObjectIdentifier();
            if (algorithm != Sha256Oid)
            {
                return XadesCheckResult.Fail(Check, XadesErrorCodes.UnsupportedAlgorithm, "ESSCertIDv2 hash algorithm is not SHA-256.");
            }
        }

        var hash = reader.ReadOctetString();
        if (!CryptographicOperations.FixedTimeEquals(hash, SHA256.HashData(certificate.RawData)))
        {
            return XadesCheckResult.Fail(Check, XadesErrorCodes.SigningCertificateMismatch, "certHash does not match the signer certificate.");
        }

        if (reader.HasData && !EssCertificateIds.IssuerSerialMatches(reader.ReadEncodedValue().Span, certificate))
        {
            return XadesCheckResult.Fail(Check, XadesErrorCodes.SigningCertificateMismatch, "issuerSerial does not match the signer certificate.");
        }

        return XadesCheckResult.Pass(Check, "signing-certificate-v2 matches the signer certificate.");
    }
}
