using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Xml;

namespace SignatureService.Pki.XAdES;

/// <summary>
/// Verifies every ds:Signature of a national e-prescription profile document and reports one result per check
/// (the MediSignVerifier checklist: structure, references, SignatureValue, signing certificate, time-stamps, validation
/// data). Trust anchors, revocation status and hcRole policy are left to <see cref="IXadesSignatureCheck"/> hooks.
/// Never throws for bad input: malformed documents yield a report with <see cref="XadesVerificationReport.ErrorCode"/>.
/// Thread-safe when the hooks are.
/// </summary>
/// <param name="limits">Parsing limits; null for <see cref="XadesLimits.Default"/>.</param>
/// <param name="checks">Integrator checks run on each signature after the built-in ones.</param>
public sealed class XadesVerifier(XadesLimits? limits = null, IEnumerable<IXadesSignatureCheck>? checks = null)
{
    private readonly XadesLimits _limits = limits ?? XadesLimits.Default;
    private readonly IReadOnlyList<IXadesSignatureCheck> _checks = [.. checks ?? []];

    /// <summary>Verifies all signatures of the UTF-8 XML <paramref name="document"/>.</summary>
    public XadesVerificationReport Verify(ReadOnlySpan<byte> document)
    {
        XadesXml.Parsed parsed;
        try
        {
            parsed = XadesXml.Load(document, _limits);
        }
        catch (XadesException ex)
        {
            return new XadesVerificationReport([], ex.Code);
        }

        var signatures = XadesXml.Descendants(parsed.Document.DocumentElement)
            .Where(e => e.LocalName == "Signature" && e.NamespaceURI == XadesNames.DsNamespace)
            .ToList();
        if (signatures.Count == 0 || signatures.Count > _limits.MaxSignatures)
        {
            return new XadesVerificationReport([], XadesErrorCodes.SignatureMissing);
        }

        var reports = new List<XadesSignatureReport>(signatures.Count);
        foreach (var element in signatures)
        {
            var report = VerifySignature(parsed.Document, new XadesSignatureElement(element));
            foreach (var check in _checks)
            {
                report.Add(check.Evaluate(report));
            }

            reports.Add(report);
        }

        return new XadesVerificationReport(reports, null);
    }

    private static XadesSignatureReport VerifySignature(XmlDocument document, XadesSignatureElement signature)
    {
        var report = new XadesSignatureReport(signature.Id) { Level = signature.Level };
        var profile = XadesDocumentProfile.FromSignatureId(signature.Id);
        report.DocumentType = profile?.DocumentType;
        report.SigningCertificate = Guard(() => KeyInfoCertificate(signature), null);

        report.Add(Run(XadesCheckNames.Structure, XadesErrorCodes.StructureInvalid, () => CheckStructure(signature, profile)));
        foreach (var reference in signature.References)
        {
            var target = reference.GetAttribute("URI");
            report.Add(Run(XadesCheckNames.ReferenceDigest, XadesErrorCodes.ReferenceDigestMismatch, () => CheckReference(document, reference, target), target));
        }

        report.Add(Run(XadesCheckNames.SignatureValue, XadesErrorCodes.SignatureInvalid, () => CheckSignatureValue(signature, report.SigningCertificate)));
        report.Add(Run(XadesCheckNames.SigningCertificate, XadesErrorCodes.SigningCertificateMismatch, () => CheckSigningCertificate(signature, report.SigningCertificate)));
        report.Add(Run(XadesCheckNames.SigningTime, XadesErrorCodes.SigningTimeInvalid, () => CheckSigningTime(signature, report)));
        report.Add(Run(XadesCheckNames.KeyUsage, XadesErrorCodes.KeyUsageNonRepudiationMissing, () => CheckKeyUsage(report.SigningCertificate)));

        var embedded = CollectValidationData(signature, report);
        report.Add(Run(XadesCheckNames.ValidationData, XadesErrorCodes.ValidationDataInvalid, () => CheckValidationData(signature, embedded)));

        var tsaCertificates = new List<X509Certificate2>();
        var timestamps = signature.UnsignedSignatureChildren
            .Where(e => e.LocalName == "SignatureTimeStamp" && e.NamespaceURI == XadesNames.Xades132Namespace)
            .ToList();
        if (timestamps.Count == 0)
        {
            report.Add(XadesCheckResult.NotApplicable(XadesCheckNames.SignatureTimestampImprint, "No SignatureTimeStamp (ES-BES)."));
            report.Add(XadesCheckResult.NotApplicable(XadesCheckNames.SignatureTimestampSignature, "No SignatureTimeStamp (ES-BES)."));
        }

        foreach (var timestamp in timestamps)
        {
            var time = CheckTimestamp(report, timestamp, XadesCheckNames.SignatureTimestampImprint, XadesCheckNames.SignatureTimestampSignature,
                () => signature.SignatureValue is null
                    ? throw new XadesException(XadesErrorCodes.StructureInvalid, "SignatureValue is missing.")
                    : XadesXml.Canonicalize(signature.SignatureValue, XadesSignatureElement.TimestampCanonicalization(timestamp)),
                embedded.Certificates, tsaCertificates);
            report.SignatureTimestampTime ??= time;
        }

        var archiveTimes = new List<DateTimeOffset>();
        var archives = signature.ArchiveTimeStamps;
        if (archives.Count == 0)
        {
            report.Add(XadesCheckResult.NotApplicable(XadesCheckNames.ArchiveTimestampImprint, "No ArchiveTimeStamp."));
            report.Add(XadesCheckResult.NotApplicable(XadesCheckNames.ArchiveTimestampSignature, "No ArchiveTimeStamp."));
        }

        foreach (var archive in archives)
        {
            var time = CheckTimestamp(report, archive, XadesCheckNames.ArchiveTimestampImprint, XadesCheckNames.ArchiveTimestampSignature,
                () => ArchiveTimestampInput.Compute(document, signature, archive, XadesSignatureElement.TimestampCanonicalization(archive)),
                embedded.Certificates, tsaCertificates);
            if (time is { } t)
            {
                archiveTimes.Add(t);
            }
        }

        report.ArchiveTimestampTimes = archiveTimes;
        report.Add(CheckTimestampOrder(report));
        report.TimestampAuthorityCertificates = tsaCertificates;
        return report;
    }

    private static XadesCheckResult CheckTimestampOrder(XadesSignatureReport report)
    {
        const string Check = XadesCheckNames.TimestampOrder;
        if (report.SignatureTimestampTime is not { } timestampTime)
        {
            return XadesCheckResult.NotApplicable(Check, "No decodable SignatureTimeStamp.");
        }

        if (report.SigningTime is { } signingTime && signingTime > timestampTime)
        {
            return XadesCheckResult.Fail(Check, XadesErrorCodes.TimestampOrderInvalid, "SigningTime is later than the SignatureTimeStamp.");
        }

        return report.ArchiveTimestampTimes.Any(t => t < timestampTime)
            ? XadesCheckResult.Fail(Check, XadesErrorCodes.TimestampOrderInvalid, "An ArchiveTimeStamp is earlier than the SignatureTimeStamp.")
            : XadesCheckResult.Pass(Check, "Time-stamps are in order.");
    }

    private static XadesCheckResult CheckStructure(XadesSignatureElement signature, XadesDocumentProfile? profile)
    {
        var problems = new List<string>();
        if (profile is null)
        {
            problems.Add("the Signature Id is not one of the profile's (PrescriptionSign, DispensingSign, DeathCertificateSign)");
        }
        else if (signature.Signature.ParentNode is not XmlElement { LocalName: var wrapper } || wrapper != profile.SignElementName)
        {
            problems.Add($"the Signature is not the child of {profile.SignElementName}");
        }

        var signedInfo = signature.SignedInfo;
        if (signedInfo is null)
        {
            problems.Add("SignedInfo is missing");
        }
        else
        {
            if (XadesXml.Child(signedInfo, XadesNames.DsNamespace, "CanonicalizationMethod")?.GetAttribute("Algorithm") != XadesNames.ExclusiveC14N)
            {
                problems.Add("CanonicalizationMethod is not exclusive C14N");
            }

            if (XadesXml.Child(signedInfo, XadesNames.DsNamespace, "SignatureMethod")?.GetAttribute("Algorithm") != XadesNames.RsaSha256)
            {
                problems.Add("SignatureMethod is not rsa-sha256");
            }

            var references = signature.References;
            if (references.Count != 3)
            {
                problems.Add($"{references.Count} references instead of 3");
            }
            else
            {
                if (profile is not null && references[0].GetAttribute("URI") != "#" + profile.DataId)
                {
                    problems.Add($"reference 1 does not point at #{profile.DataId}");
                }

                // Internal detached: the signed element is the profile's element and a sibling of the wrapper element.
                if (profile is not null && XadesXml.FindUniqueById(signature.Signature.OwnerDocument, profile.DataId) is { } data &&
                    (data.LocalName != profile.DataElementName || !ReferenceEquals(data.ParentNode, signature.Signature.ParentNode?.ParentNode)))
                {
                    problems.Add($"#{profile.DataId} is not a {profile.DataElementName} element beside {profile.SignElementName}");
                }

                if (XadesXml.Child(references[0], XadesNames.DsNamespace, "Transforms") is not null)
                {
                    problems.Add("reference 1 has transforms");
                }

                if (signature.KeyInfo is null || references[1].GetAttribute("URI") != "#" + signature.KeyInfo.GetAttribute("Id"))
                {
                    problems.Add("reference 2 does not point at KeyInfo");
                }

                if (signature.SignedProperties is null || references[2].GetAttribute("URI") != "#" + signature.SignedProperties.GetAttribute("Id") ||
                    references[2].GetAttribute("Type") != XadesNames.SignedPropertiesType)
                {
                    problems.Add("reference 3 does not point at SignedProperties with the SignedProperties Type");
                }
            }
        }

        if (signature.SignatureValue is null)
        {
            problems.Add("SignatureValue is missing");
        }

        if (XadesXml.Children(XadesXml.Child(signature.KeyInfo, XadesNames.DsNamespace, "X509Data"), XadesNames.DsNamespace, "X509Certificate").Count() != 1)
        {
            problems.Add("KeyInfo does not hold exactly one X509Certificate");
        }

        if (signature.QualifyingProperties is null || signature.QualifyingProperties.GetAttribute("Target") != "#" + signature.Id)
        {
            problems.Add("QualifyingProperties is missing or does not target the Signature");
        }

        if (signature.SignedProperties is null)
        {
            problems.Add("SignedProperties is missing");
        }

        return problems.Count == 0
            ? XadesCheckResult.Pass(XadesCheckNames.Structure, $"Profile structure of {signature.Id} found.")
            : XadesCheckResult.Fail(XadesCheckNames.Structure, XadesErrorCodes.StructureInvalid, string.Join("; ", problems) + ".");
    }

    private static XadesCheckResult CheckReference(XmlDocument document, XmlElement reference, string target)
    {
        var algorithm = XadesNames.DigestAlgorithm(XadesXml.Child(reference, XadesNames.DsNamespace, "DigestMethod")?.GetAttribute("Algorithm"));
        if (algorithm is not { } hashAlgorithm)
        {
            return XadesCheckResult.Fail(XadesCheckNames.ReferenceDigest, XadesErrorCodes.UnsupportedAlgorithm, "Digest algorithm outside the profile.", target);
        }

        var expected = XadesXml.DecodeBase64(XadesXml.Child(reference, XadesNames.DsNamespace, "DigestValue"));
        var actual = Hash(hashAlgorithm, XadesSignatureElement.ReferenceOctets(document, reference, XadesNames.InclusiveC14N));
        return expected is not null && CryptographicOperations.FixedTimeEquals(expected, actual)
            ? XadesCheckResult.Pass(XadesCheckNames.ReferenceDigest, "Digest matches.", target)
            : XadesCheckResult.Fail(XadesCheckNames.ReferenceDigest, XadesErrorCodes.ReferenceDigestMismatch, "Digest does not match.", target);
    }

    private static XadesCheckResult CheckSignatureValue(XadesSignatureElement signature, X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return XadesCheckResult.Fail(XadesCheckNames.SignatureValue, XadesErrorCodes.SigningCertificateMissing, "No decodable KeyInfo certificate.");
        }

        if (signature.SignedInfo is null || signature.SignatureValue is null)
        {
            return XadesCheckResult.Fail(XadesCheckNames.SignatureValue, XadesErrorCodes.StructureInvalid, "SignedInfo or SignatureValue is missing.");
        }

        var canonicalization = XadesXml.Child(signature.SignedInfo, XadesNames.DsNamespace, "CanonicalizationMethod")?.GetAttribute("Algorithm");
        var hashAlgorithm = XadesNames.SignatureHashAlgorithm(XadesXml.Child(signature.SignedInfo, XadesNames.DsNamespace, "SignatureMethod")?.GetAttribute("Algorithm"));
        if (hashAlgorithm is null || canonicalization is null)
        {
            return XadesCheckResult.Fail(XadesCheckNames.SignatureValue, XadesErrorCodes.UnsupportedAlgorithm, "Signature or canonicalization method outside the profile.");
        }

        using var key = certificate.GetRSAPublicKey();
        if (key is null)
        {
            return XadesCheckResult.Fail(XadesCheckNames.SignatureValue, XadesErrorCodes.UnsupportedKey, "The KeyInfo certificate has no RSA key.");
        }

        var value = XadesXml.DecodeBase64(signature.SignatureValue);
        var hash = Hash(hashAlgorithm.Value, XadesXml.Canonicalize(signature.SignedInfo, canonicalization));
        return value is not null && key.VerifyHash(hash, value, hashAlgorithm.Value, RSASignaturePadding.Pkcs1)
            ? XadesCheckResult.Pass(XadesCheckNames.SignatureValue, "SignatureValue verifies with the KeyInfo certificate.")
            : XadesCheckResult.Fail(XadesCheckNames.SignatureValue, XadesErrorCodes.SignatureInvalid, "SignatureValue does not verify.");
    }

    private static XadesCheckResult CheckSigningCertificate(XadesSignatureElement signature, X509Certificate2? certificate)
    {
        const string Check = XadesCheckNames.SigningCertificate;
        var properties = XadesXml.Child(signature.SignedProperties, XadesNames.Xades132Namespace, "SignedSignatureProperties");
        var v2 = XadesXml.Child(properties, XadesNames.Xades132Namespace, "SigningCertificateV2");
        var signingCertificate = v2 ?? XadesXml.Child(properties, XadesNames.Xades132Namespace, "SigningCertificate");
        if (certificate is null || signingCertificate is null)
        {
            return XadesCheckResult.Fail(Check, XadesErrorCodes.SigningCertificateMissing, "KeyInfo certificate or SigningCertificate(V2) is missing.");
        }

        foreach (var cert in XadesXml.Children(signingCertificate, XadesNames.Xades132Namespace, "Cert"))
        {
            var digest = XadesXml.Child(cert, XadesNames.Xades132Namespace, "CertDigest");
            var algorithm = XadesNames.DigestAlgorithm(XadesXml.Child(digest, XadesNames.DsNamespace, "DigestMethod")?.GetAttribute("Algorithm"));
            var value = XadesXml.DecodeBase64(XadesXml.Child(digest, XadesNames.DsNamespace, "DigestValue"));
            if (algorithm is null || value is null || !CryptographicOperations.FixedTimeEquals(value, Hash(algorithm.Value, certificate.RawData)))
            {
                continue;
            }

            // The digest names the KeyInfo certificate; an issuer/serial, when present, must name it too.
            if (XadesXml.DecodeBase64(XadesXml.Child(cert, XadesNames.Xades132Namespace, "IssuerSerialV2")) is { } issuerSerial &&
                !EssCertificateIds.IssuerSerialMatches(issuerSerial, certificate))
            {
                return XadesCheckResult.Fail(Check, XadesErrorCodes.SigningCertificateMismatch, "IssuerSerialV2 does not match the KeyInfo certificate.");
            }

            if (XadesXml.Child(cert, XadesNames.Xades132Namespace, "IssuerSerial") is { } issuerSerialV1 &&
                XadesXml.Child(issuerSerialV1, XadesNames.DsNamespace, "X509SerialNumber")?.InnerText.Trim() is { } serial &&
                serial != new System.Numerics.BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true).ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return XadesCheckResult.Fail(Check, XadesErrorCodes.SigningCertificateMismatch, "IssuerSerial does not match the KeyInfo certificate.");
            }

            return XadesCheckResult.Pass(Check, $"{(v2 is null ? "SigningCertificate" : "SigningCertificateV2")} matches the KeyInfo certificate.");
        }

        return XadesCheckResult.Fail(Check, XadesErrorCodes.SigningCertificateMismatch, "No CertDigest matches the KeyInfo certificate.");
    }

    private static XadesCheckResult CheckSigningTime(XadesSignatureElement signature, XadesSignatureReport report)
    {
        var properties = XadesXml.Child(signature.SignedProperties, XadesNames.Xades132Namespace, "SignedSignatureProperties");
        var text = XadesXml.Child(properties, XadesNames.Xades132Namespace, "SigningTime")?.InnerText;
        if (text is null)
        {
            return XadesCheckResult.Fail(XadesCheckNames.SigningTime, XadesErrorCodes.SigningTimeInvalid, "SigningTime is missing.");
        }

        report.SigningTime = XmlConvert.ToDateTimeOffset(text.Trim());
        return XadesCheckResult.Pass(XadesCheckNames.SigningTime, "SigningTime present.");
    }

    internal static XadesCheckResult CheckKeyUsage(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return XadesCheckResult.Fail(XadesCheckNames.KeyUsage, XadesErrorCodes.SigningCertificateMissing, "No decodable KeyInfo certificate.");
        }

        var keyUsage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        return keyUsage is not null && keyUsage.KeyUsages.HasFlag(X509KeyUsageFlags.NonRepudiation)
            ? XadesCheckResult.Pass(XadesCheckNames.KeyUsage, "keyUsage has nonRepudiation.")
            : XadesCheckResult.Fail(XadesCheckNames.KeyUsage, XadesErrorCodes.KeyUsageNonRepudiationMissing, "keyUsage lacks nonRepudiation.");
    }

    private sealed record EmbeddedData(List<X509Certificate2> Certificates, List<byte[]> Crls, List<byte[]> Ocsp, int Undecodable);

    private static EmbeddedData CollectValidationData(XadesSignatureElement signature, XadesSignatureReport report)
    {
        var data = new EmbeddedData([], [], [], 0);
        var undecodable = 0;
        foreach (var element in XadesXml.Descendants(signature.UnsignedSignatureProperties))
        {
            if (element.NamespaceURI != XadesNames.Xades132Namespace)
            {
                continue;
            }

            switch (element.LocalName)
            {
                case "EncapsulatedX509Certificate":
                    if (Guard(() => X509CertificateLoader.LoadCertificate(XadesXml.DecodeBase64(element) ?? []), null) is { } certificate)
                    {
                        data.Certificates.Add(certificate);
                    }
                    else
                    {
                        undecodable++;
                    }

                    break;
                case "EncapsulatedCRLValue" or "EncapsulatedOCSPValue":
                    var der = XadesXml.DecodeBase64(element);
                    if (der is not null && IsDerSequence(der))
                    {
                        (element.LocalName == "EncapsulatedCRLValue" ? data.Crls : data.Ocsp).Add(der);
                    }
                    else
                    {
                        undecodable++;
                    }

                    break;
            }
        }

        report.EmbeddedCertificates = data.Certificates;
        report.EmbeddedCrls = data.Crls;
        report.EmbeddedOcspResponses = data.Ocsp;
        return data with { Undecodable = undecodable };
    }

    private static XadesCheckResult CheckValidationData(XadesSignatureElement signature, EmbeddedData data)
    {
        const string Check = XadesCheckNames.ValidationData;
        if (signature.Level < XadesLevel.XL)
        {
            return data.Undecodable == 0
                ? XadesCheckResult.NotApplicable(Check, "No CertificateValues/RevocationValues below ES-XL.")
                : XadesCheckResult.Fail(Check, XadesErrorCodes.ValidationDataInvalid, $"{data.Undecodable} embedded values are not decodable.");
        }

        var certificates = XadesXml.Children(signature.CertificateValues, XadesNames.Xades132Namespace, "EncapsulatedX509Certificate").Count();
        var revocations = XadesXml.Descendants(signature.RevocationValues)
            .Count(e => e.LocalName is "EncapsulatedCRLValue" or "EncapsulatedOCSPValue");
        if (data.Undecodable > 0 || certificates == 0 || revocations == 0)
        {
            return XadesCheckResult.Fail(Check, XadesErrorCodes.ValidationDataInvalid,
                $"CertificateValues: {certificates}, revocation values: {revocations}, undecodable: {data.Undecodable}.");
        }

        return XadesCheckResult.Pass(Check, $"CertificateValues: {certificates}, revocation values: {revocations}, all decodable.");
    }

    private static DateTimeOffset? CheckTimestamp(
        XadesSignatureReport report,
        XmlElement timestamp,
        string imprintCheck,
        string signatureCheck,
        Func<byte[]> coveredData,
        List<X509Certificate2> candidates,
        List<X509Certificate2> tsaCertificates)
    {
        var id = timestamp.HasAttribute("Id") ? timestamp.GetAttribute("Id") : timestamp.LocalName;
        var encoded = XadesXml.DecodeBase64(XadesXml.Child(timestamp, XadesNames.Xades132Namespace, "EncapsulatedTimeStamp"));
        return CheckTimestampToken(report, encoded, id, imprintCheck, signatureCheck, coveredData, candidates, tsaCertificates);
    }

    /// <summary>Adds the imprint and token-signature results for one RFC 3161 token; returns its genTime when decodable.</summary>
    internal static DateTimeOffset? CheckTimestampToken(
        XadesSignatureReport report,
        byte[]? encoded,
        string id,
        string imprintCheck,
        string signatureCheck,
        Func<byte[]> coveredData,
        List<X509Certificate2> candidates,
        List<X509Certificate2> tsaCertificates)
    {
        var info = encoded is null ? null : DecodeTokenInfo(encoded);
        if (encoded is null || info is null)
        {
            report.Add(XadesCheckResult.Fail(imprintCheck, XadesErrorCodes.TimestampMalformed, "EncapsulatedTimeStamp is not an RFC 3161 token.", id));
            report.Add(XadesCheckResult.Fail(signatureCheck, XadesErrorCodes.TimestampMalformed, "EncapsulatedTimeStamp is not an RFC 3161 token.", id));
            return null;
        }

        var algorithm = info.HashAlgorithmId.Value switch
        {
            "2.16.840.1.101.3.4.2.1" => HashAlgorithmName.SHA256,
            "2.16.840.1.101.3.4.2.2" => HashAlgorithmName.SHA384,
            "2.16.840.1.101.3.4.2.3" => HashAlgorithmName.SHA512,
            _ => (HashAlgorithmName?)null,
        };

        report.Add(Run(imprintCheck, XadesErrorCodes.TimestampImprintMismatch, () =>
            algorithm is null
                ? XadesCheckResult.Fail(imprintCheck, XadesErrorCodes.UnsupportedAlgorithm, "Time-stamp hash algorithm not supported.", id)
                : CryptographicOperations.FixedTimeEquals(info.GetMessageHash().Span, Hash(algorithm.Value, coveredData()))
                    ? XadesCheckResult.Pass(imprintCheck, "Message imprint matches the time-stamped data.", id)
                    : XadesCheckResult.Fail(imprintCheck, XadesErrorCodes.TimestampImprintMismatch, "Message imprint does not match.", id), id));

        report.Add(Run(signatureCheck, XadesErrorCodes.TimestampSignatureInvalid, () =>
        {
            // Note: Rfc3161TimestampToken.TryDecode already refuses a token whose CMS signature or ESS signing-certificate
            // binding does not verify, so a token that only decodes as SignedData + TSTInfo fails here.
            var extra = new X509Certificate2Collection(candidates.ToArray());
            if (algorithm is { } hashAlgorithm && Rfc3161TimestampToken.TryDecode(encoded, out var token, out _) &&
                token.VerifySignatureForHash(info.GetMessageHash().Span, hashAlgorithm, out var signer, extra) && signer is not null)
            {
                tsaCertificates.Add(signer);
                return XadesCheckResult.Pass(signatureCheck, $"Token signed by {signer.Subject}.", id);
            }

            return XadesCheckResult.Fail(signatureCheck, XadesErrorCodes.TimestampSignatureInvalid, "Token signature does not verify or the TSA certificate is unavailable.", id);
        }, id));

        return info.Timestamp;
    }

    private static Rfc3161TimestampTokenInfo? DecodeTokenInfo(byte[] encoded)
    {
        try
        {
            var cms = new SignedCms();
            cms.Decode(encoded);
            return cms.ContentInfo.ContentType.Value == "1.2.840.113549.1.9.16.1.4" &&
                Rfc3161TimestampTokenInfo.TryDecode(cms.ContentInfo.Content, out var info, out var consumed) &&
                consumed == cms.ContentInfo.Content.Length
                ? info
                : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static X509Certificate2? KeyInfoCertificate(XadesSignatureElement signature)
    {
        var element = XadesXml.Children(XadesXml.Child(signature.KeyInfo, XadesNames.DsNamespace, "X509Data"), XadesNames.DsNamespace, "X509Certificate").FirstOrDefault();
        var der = XadesXml.DecodeBase64(element);
        return der is null ? null : X509CertificateLoader.LoadCertificate(der);
    }

    private static bool IsDerSequence(byte[] der)
    {
        try
        {
            AsnDecoder.ReadSequence(der, AsnEncodingRules.DER, out _, out _, out var consumed);
            return consumed == der.Length;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    private static byte[] Hash(HashAlgorithmName algorithm, byte[] data) => algorithm.Name switch
    {
        "SHA256" => SHA256.HashData(data),
        "SHA384" => SHA384.HashData(data),
        "SHA512" => SHA512.HashData(data),
        _ => throw new XadesException(XadesErrorCodes.UnsupportedAlgorithm, "Unsupported hash algorithm."),
    };

    // Note: untrusted input reaches .NET parsers that signal trouble with several exception types; each becomes a
    // failed check with the check's own code instead of escaping the verifier.
    internal static XadesCheckResult Run(string check, string code, Func<XadesCheckResult> evaluate, string? target = null)
    {
        try
        {
            return evaluate();
        }
        catch (XadesException ex)
        {
            return XadesCheckResult.Fail(check, ex.Code, ex.Message, target);
        }
        catch (Exception ex) when (ex is CryptographicException or XmlException or FormatException or AsnContentException or ArgumentException or OverflowException)
        {
            return XadesCheckResult.Fail(check, code, "The data could not be processed.", target);
        }
    }

    private static T Guard<T>(Func<T> evaluate, T fallback)
        where T : class?
    {
        try
        {
            return evaluate();
        }
        catch (Exception ex) when (ex is CryptographicException or XmlException or FormatException or AsnContentException or ArgumentException)
        {
            return fallback;
        }
    }
}
