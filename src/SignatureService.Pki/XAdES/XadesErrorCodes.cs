namespace SignatureService.Pki.XAdES;

/// <summary>
/// The single catalogue of stable, machine-readable codes for XAdES/CAdES building and verification.
/// Callers and tests match on these values, never on message text.
/// </summary>
public static class XadesErrorCodes
{
    /// <summary>A verification check passed.</summary>
    public const string Ok = "xades.ok";

    /// <summary>A verification check does not apply at the signature's level (e.g. no archive timestamp in ES-T).</summary>
    public const string NotApplicable = "xades.not-applicable";

    /// <summary>The input is not well-formed XML, uses a DTD, is not UTF-8, or is nested too deeply.</summary>
    public const string Malformed = "xades.malformed";

    /// <summary>The input exceeds the configured size limit.</summary>
    public const string TooLarge = "xades.too-large";

    /// <summary>The document holds no ds:Signature element (verification) or too many of them.</summary>
    public const string SignatureMissing = "xades.signature-missing";

    /// <summary>The signature does not have the national e-prescription profile's shape (Ids, references, elements).</summary>
    public const string StructureInvalid = "xades.structure-invalid";

    /// <summary>The element to sign (e.g. PrescriptionDocument) is missing or its Id is not unique.</summary>
    public const string DocumentElementMissing = "xades.document-element-missing";

    /// <summary>The document already carries the signature the builder was asked to add.</summary>
    public const string SignatureAlreadyPresent = "xades.signature-already-present";

    /// <summary>A reference URI does not resolve to exactly one element of the document.</summary>
    public const string ReferenceUnresolved = "xades.reference-unresolved";

    /// <summary>The digest recomputed for a reference differs from its DigestValue.</summary>
    public const string ReferenceDigestMismatch = "xades.reference-digest-mismatch";

    /// <summary>The SignatureValue does not verify with the KeyInfo certificate's public key.</summary>
    public const string SignatureInvalid = "xades.signature-invalid";

    /// <summary>An algorithm (canonicalization, digest, signature, transform) outside the profile.</summary>
    public const string UnsupportedAlgorithm = "xades.unsupported-algorithm";

    /// <summary>KeyInfo has no usable X.509 certificate, or the signed signing-certificate property is absent.</summary>
    public const string SigningCertificateMissing = "xades.signing-certificate-missing";

    /// <summary>SigningCertificate(V2) digest or issuer/serial does not match the KeyInfo certificate.</summary>
    public const string SigningCertificateMismatch = "xades.signing-certificate-mismatch";

    /// <summary>The signer certificate lacks keyUsage nonRepudiation (HPKI signing profile).</summary>
    public const string KeyUsageNonRepudiationMissing = "xades.key-usage-non-repudiation-missing";

    /// <summary>The SigningTime property is missing or not an xs:dateTime.</summary>
    public const string SigningTimeInvalid = "xades.signing-time-invalid";

    /// <summary>An EncapsulatedTimeStamp is not a decodable RFC 3161 TimeStampToken.</summary>
    public const string TimestampMalformed = "xades.timestamp-malformed";

    /// <summary>A timestamp's message imprint does not match the hash of the time-stamped data.</summary>
    public const string TimestampImprintMismatch = "xades.timestamp-imprint-mismatch";

    /// <summary>A timestamp token's CMS signature does not verify (or its TSA certificate is unavailable).</summary>
    public const string TimestampSignatureInvalid = "xades.timestamp-signature-invalid";

    /// <summary>A time-stamp predates what it covers: SignatureTimeStamp before SigningTime, or an ArchiveTimeStamp before the SignatureTimeStamp.</summary>
    public const string TimestampOrderInvalid = "xades.timestamp-order-invalid";

    /// <summary>The timestamp source failed or returned a token that does not cover the requested data.</summary>
    public const string TimestampSourceFailed = "xades.timestamp-source-failed";

    /// <summary>CertificateValues / RevocationValues are missing or not decodable where the level requires them.</summary>
    public const string ValidationDataInvalid = "xades.validation-data-invalid";

    /// <summary>The requested upgrade does not follow B → T → XL → A from the signature's current level.</summary>
    public const string UpgradeNotAllowed = "xades.upgrade-not-allowed";

    /// <summary>The signature value handed to <see cref="PreparedXadesSignature.Complete"/> does not verify.</summary>
    public const string SignatureValueRejected = "xades.signature-value-rejected";

    /// <summary>The signer certificate's key is not RSA (the profile is rsa-sha256 only).</summary>
    public const string UnsupportedKey = "xades.unsupported-key";

    /// <summary>A CAdES input (content, certificate or CMS) cannot be processed.</summary>
    public const string CadesInvalid = "cades.invalid";
}
