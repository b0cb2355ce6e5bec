using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Core.Qualification;
using SignatureService.Pki.Asn1;
using SignatureService.Pki.Errors;
using SignatureService.Pki.HealthcareRoles;

namespace SignatureService.Pki.Certificates;

/// <summary>
/// Issues certificates in the HPKI profiles (DOMAIN.md §2, RFC 5280). Every signature is made by an
/// <see cref="X509SignatureGenerator"/> handed in by the caller, so CA keys can stay in an HSM; the returned
/// certificates carry no private key. Thread-safe when the generators are.
/// </summary>
/// <param name="timeProvider">Clock for default validity start.</param>
public sealed class HpkiCertificateBuilder(TimeProvider timeProvider)
{
    /// <summary>Default validity of a root CA, in years.</summary>
    public const int RootCaYears = 30;

    /// <summary>Default validity of a subordinate CA, in years.</summary>
    public const int SubordinateCaYears = 20;

    /// <summary>Default validity of end-entity certificates (signing, authentication, TSA), in years.</summary>
    public const int EndEntityYears = 5;

    /// <summary>Default validity of a delegated OCSP responder certificate, in years.</summary>
    public const int OcspResponderYears = 1;

    private const int MaxNameLength = 64;

    /// <summary>Issues a self-signed root CA certificate.</summary>
    /// <param name="profile">Subject and validity.</param>
    /// <param name="rootSigner">Signer over the root's own key pair; its public key becomes the subject key.</param>
    /// <returns>The DER certificate, without private key.</returns>
    public X509Certificate2 CreateRootCa(RootCaProfile profile, X509SignatureGenerator rootSigner)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(rootSigner);
        var request = new CertificateRequest(profile.SubjectName, rootSigner.PublicKey, profile.HashAlgorithm);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootSigner.PublicKey, false));
        var (notBefore, notAfter) = Validity(profile, RootCaYears);
        return request.Create(profile.SubjectName, rootSigner, notBefore, notAfter, NewSerialNumber());
    }

    /// <summary>Issues a subordinate CA certificate (signing "…forNonRepudiation" or authentication CA).</summary>
    /// <param name="profile">Subject, purpose, policy and endpoints.</param>
    /// <param name="subjectKey">The sub-CA's public key.</param>
    /// <param name="issuer">The parent CA.</param>
    /// <returns>The DER certificate, without private key.</returns>
    public X509Certificate2 CreateSubordinateCa(SubordinateCaProfile profile, PublicKey subjectKey, IssuerCredential issuer)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var policy = profile.PolicyOid ?? profile.Purpose switch
        {
            SubordinateCaPurpose.NonRepudiation => HpkiPolicyOids.SigningCa,
            SubordinateCaPurpose.Authentication => HpkiPolicyOids.AuthenticationCa,
            _ => throw new PkiException(PkiErrorCodes.InvalidProfile, "Unknown sub-CA purpose."),
        };
        return Issue(profile, profile.SubjectName, subjectKey, issuer, SubordinateCaYears, extensions =>
        {
            extensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            extensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            extensions.Add(CertificatePolicies(policy, cpsUri: null));
            AddEndpoints(extensions, profile.Endpoints, crlRequired: false);
        });
    }

    /// <summary>Issues a delegated OCSP responder certificate for <paramref name="issuer"/>'s certificates.</summary>
    /// <param name="profile">Subject and validity.</param>
    /// <param name="subjectKey">The responder's public key.</param>
    /// <param name="issuer">The CA whose certificates the responder answers for.</param>
    /// <returns>The DER certificate, without private key.</returns>
    public X509Certificate2 CreateOcspResponder(OcspResponderProfile profile, PublicKey subjectKey, IssuerCredential issuer)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return Issue(profile, profile.SubjectName, subjectKey, issuer, OcspResponderYears, extensions =>
        {
            extensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            extensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new(Oids.KpOcspSigning) }, false));
            // RFC 6960 §4.2.2.2.1: id-pkix-ocsp-nocheck, value NULL.
            extensions.Add(new X509Extension(Oids.OcspNoCheck, [0x05, 0x00], false));
        });
    }

    /// <summary>Issues an RFC 3161 time-stamping certificate (EKU timeStamping only, critical).</summary>
    /// <param name="profile">Subject, validity and endpoints.</param>
    /// <param name="subjectKey">The TSA's public key.</param>
    /// <param name="issuer">The issuing CA.</param>
    /// <returns>The DER certificate, without private key.</returns>
    public X509Certificate2 CreateTimestamping(TimestampingProfile profile, PublicKey subjectKey, IssuerCredential issuer)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return Issue(profile, profile.SubjectName, subjectKey, issuer, EndEntityYears, extensions =>
        {
            extensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
            extensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new(Oids.KpTimeStamping) }, true));
            AddEndpoints(extensions, profile.Endpoints, crlRequired: false);
        });
    }

    /// <summary>Issues an HPKI signing (署名用) end-entity certificate.</summary>
    /// <param name="profile">Subject, hcRoles, policy and endpoints.</param>
    /// <param name="subjectKey">The signer's public key (its private key lives in the HSM).</param>
    /// <param name="issuer">The signing sub-CA.</param>
    /// <returns>The DER certificate, without private key.</returns>
    public X509Certificate2 CreateSigningCertificate(SigningCertificateProfile profile, PublicKey subjectKey, IssuerCredential issuer)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.Roles is null || profile.Roles.Count == 0)
        {
            throw new PkiException(PkiErrorCodes.InvalidProfile, "A signing certificate needs at least one hcRole.");
        }

        return Issue(profile, SubjectName(profile.Subject), subjectKey, issuer, EndEntityYears, extensions =>
        {
            extensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.NonRepudiation, true));
            extensions.Add(CertificatePolicies(profile.PolicyOid, profile.CpsUri));
            extensions.Add(SubjectAltNameDirectory(profile.Subject));
            extensions.Add(HcRoleExtension.CreateExtension(profile.Roles));
            AddEndpoints(extensions, profile.Endpoints, crlRequired: true);
        });
    }

    /// <summary>Issues an HPKI authentication (認証用) end-entity certificate.</summary>
    /// <param name="profile">Subject, optional hcRoles, policy and endpoints.</param>
    /// <param name="subjectKey">The holder's public key.</param>
    /// <param name="issuer">The authentication sub-CA.</param>
    /// <returns>The DER certificate, without private key.</returns>
    public X509Certificate2 CreateAuthenticationCertificate(
        AuthenticationCertificateProfile profile, PublicKey subjectKey, IssuerCredential issuer)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return Issue(profile, SubjectName(profile.Subject), subjectKey, issuer, EndEntityYears, extensions =>
        {
            extensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            extensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new(Oids.KpClientAuth) }, false));
            extensions.Add(CertificatePolicies(profile.PolicyOid, cpsUri: null));
            extensions.Add(SubjectAltNameDirectory(profile.Subject));
            if (profile.Roles.Count > 0)
            {
                extensions.Add(HcRoleExtension.CreateExtension(profile.Roles));
            }

            AddEndpoints(extensions, profile.Endpoints, crlRequired: true);
        });
    }

    /// <summary>
    /// A new certificate serial number: 16 random bytes, positive, with at least 126 random bits
    /// (RFC 5280 §4.1.2.2; CA/B Forum ≥ 64 bits).
    /// </summary>
    /// <returns>Big-endian serial bytes whose first byte is in 0x40..0x7F (positive and minimally encoded).</returns>
    public static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }

    /// <summary>The HPKI Subject name: C=JP, O, [OU,] CN, serialNumber (in this order).</summary>
    /// <param name="subject">The person.</param>
    /// <returns>The distinguished name.</returns>
    public static X500DistinguishedName SubjectName(HpkiSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        // Note: X500DistinguishedNameBuilder encodes the last added RDN first, so RDNs are added from the
        // most specific (serialNumber) to the least (C).
        return BuildName(builder =>
        {
            builder.Add(Oids.SerialNumberAttribute, Checked(subject.SubjectSerialNumber, "SubjectSerialNumber"), UniversalTagNumber.PrintableString);
            builder.AddCommonName(Checked(subject.NameRomaji, "NameRomaji"));
            if (subject.OrganizationalUnit is { } ou)
            {
                builder.AddOrganizationalUnitName(Checked(ou, "OrganizationalUnit"));
            }

            builder.AddOrganizationName(Checked(subject.FacilityRomaji, "FacilityRomaji"));
            builder.AddCountryOrRegion("JP");
        });
    }

    private X509Certificate2 Issue(
        CertificateProfileBase profile,
        X500DistinguishedName subject,
        PublicKey subjectKey,
        IssuerCredential issuer,
        int defaultYears,
        Action<ICollection<X509Extension>> addExtensions)
    {
        ArgumentNullException.ThrowIfNull(subjectKey);
        ArgumentNullException.ThrowIfNull(issuer);
        CheckIssuer(issuer.Certificate);
        var (notBefore, notAfter) = Validity(profile, defaultYears);
        if (notAfter > issuer.Certificate.NotAfter.ToUniversalTime() || notBefore < issuer.Certificate.NotBefore.ToUniversalTime())
        {
            throw new PkiException(PkiErrorCodes.InvalidProfile, "The validity must lie within the issuer's validity.");
        }

        var request = new CertificateRequest(subject, subjectKey, profile.HashAlgorithm);
        addExtensions(request.CertificateExtensions);
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(subjectKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Certificate, true, false));
        try
        {
            return request.Create(issuer.Certificate.SubjectName, issuer.Generator, notBefore, notAfter, NewSerialNumber());
        }
        catch (ArgumentException ex)
        {
            throw new PkiException(PkiErrorCodes.InvalidProfile, "The certificate request is invalid.", ex);
        }
    }

    private static void CheckIssuer(X509Certificate2 issuer)
    {
        var constraints = issuer.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        var usage = issuer.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (constraints is not { CertificateAuthority: true } ||
            (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign)))
        {
            throw new PkiException(PkiErrorCodes.InvalidIssuer, "The issuer certificate is not a CA allowed to sign certificates.");
        }
    }

    private (DateTimeOffset NotBefore, DateTimeOffset NotAfter) Validity(CertificateProfileBase profile, int defaultYears)
    {
        var notBefore = Der.TruncateToSeconds(profile.NotBefore ?? timeProvider.GetUtcNow());
        if (profile.Validity is { } validity && validity <= TimeSpan.Zero)
        {
            throw new PkiException(PkiErrorCodes.InvalidProfile, "Validity must be positive.");
        }

        // Note: like HPKI certificates, validity ends one second before the anniversary (…T14:59:59Z).
        var notAfter = profile.Validity is { } span
            ? notBefore + span
            : notBefore.AddYears(defaultYears).AddSeconds(-1);
        return (notBefore, notAfter);
    }

    private static void AddEndpoints(ICollection<X509Extension> extensions, RevocationEndpoints endpoints, bool crlRequired)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.CrlDistributionPoint is { } crl)
        {
            extensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([Absolute(crl)]));
        }
        else if (crlRequired)
        {
            throw new PkiException(PkiErrorCodes.InvalidProfile, "A CRL distribution point is required.");
        }

        if (endpoints.Ocsp is not null || endpoints.CaIssuers is not null)
        {
            extensions.Add(new X509AuthorityInformationAccessExtension(
                endpoints.Ocsp is { } ocsp ? [Absolute(ocsp)] : null,
                endpoints.CaIssuers is { } ca ? [Absolute(ca)] : null));
        }
    }

    private static string Absolute(Uri uri) =>
        uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.AbsoluteUri
            : throw new PkiException(PkiErrorCodes.InvalidProfile, "Endpoint URLs must be absolute http(s) URLs.");

    /// <summary>RFC 5280 §4.2.1.4 certificatePolicies, critical as in the HPKI profile.</summary>
    private static X509Extension CertificatePolicies(string policyOid, Uri? cpsUri)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        try
        {
            using (writer.PushSequence())
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(policyOid);
                if (cpsUri is not null)
                {
                    using (writer.PushSequence())
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(Oids.CpsQualifier);
                        writer.WriteCharacterString(UniversalTagNumber.IA5String, Absolute(cpsUri));
                    }
                }
            }
        }
        catch (ArgumentException ex)
        {
            throw new PkiException(PkiErrorCodes.InvalidProfile, "Invalid policy OID or CPS URI.", ex);
        }

        return new X509Extension(Oids.CertificatePolicies, writer.Encode(), critical: true);
    }

    /// <summary>subjectAltName with one directoryName [4]: C=JP, kanji O and CN, and the subject serialNumber (as on MEDIS certificates).</summary>
    private static X509Extension SubjectAltNameDirectory(HpkiSubject subject)
    {
        var kanjiName = BuildName(builder =>
        {
            builder.Add(Oids.SerialNumberAttribute, subject.SubjectSerialNumber, UniversalTagNumber.PrintableString);
            builder.AddCommonName(Checked(subject.NameKanji, "NameKanji"));
            builder.AddOrganizationName(Checked(subject.FacilityKanji, "FacilityKanji"));
            builder.AddCountryOrRegion("JP");
        });
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
        {
            writer.WriteEncodedValue(kanjiName.RawData);
        }

        return new X509Extension(Oids.SubjectAltName, writer.Encode(), critical: false);
    }

    private static X500DistinguishedName BuildName(Action<X500DistinguishedNameBuilder> add)
    {
        var builder = new X500DistinguishedNameBuilder();
        try
        {
            add(builder);
            return builder.Build();
        }
        catch (ArgumentException ex)
        {
            throw new PkiException(PkiErrorCodes.InvalidProfile, "A name attribute is invalid for its string type.", ex);
        }
        catch (CryptographicException ex)
        {
            throw new PkiException(PkiErrorCodes.InvalidProfile, "A name attribute is invalid for its string type.", ex);
        }
    }

    private static string Checked(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) || value.Length > MaxNameLength
            ? throw new PkiException(PkiErrorCodes.InvalidProfile, $"{field} must have 1..{MaxNameLength} characters.")
            : value;
}
