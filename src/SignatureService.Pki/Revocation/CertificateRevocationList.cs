using System.Collections.Concurrent;
using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Pki.Asn1;
using SignatureService.Pki.Errors;

namespace SignatureService.Pki.Revocation;

/// <summary>One entry of a parsed CRL.</summary>
/// <param name="SerialNumber">The revoked certificate's serial number.</param>
/// <param name="RevocationDate">When the revocation (or hold) took effect.</param>
/// <param name="Reason">The reasonCode, <see cref="RevocationReason.Unspecified"/> when absent.</param>
/// <param name="InvalidityDate">The invalidityDate entry extension, when present.</param>
public sealed record CrlEntry(BigInteger SerialNumber, DateTimeOffset RevocationDate, RevocationReason Reason, DateTimeOffset? InvalidityDate);

/// <summary>What a CRL's issuingDistributionPoint (RFC 5280 §5.2.5) limits it to.</summary>
public enum CrlScope
{
    /// <summary>No issuingDistributionPoint, or one that names only a distribution point: every certificate of the issuer.</summary>
    All,

    /// <summary>onlyContainsUserCerts: end-entity certificates only.</summary>
    EndEntityCertificates,

    /// <summary>onlyContainsCACerts: CA certificates only (an ARL).</summary>
    CaCertificates,

    /// <summary>onlySomeReasons, indirectCRL or onlyContainsAttributeCerts: not a complete list for any certificate; unusable here.</summary>
    Partial,
}

/// <summary>
/// A parsed X.509 v1/v2 CRL (RFC 5280 §5): issuer, thisUpdate, nextUpdate, CRL number, scope and entries, with the signature
/// checked against an issuer certificate by <see cref="IsSignedBy"/>. A CRL with an unrecognised critical extension (a delta CRL,
/// say) or an entry with one (an indirect CRL's certificateIssuer) is rejected, as §5.2 and §5.3 require. Immutable apart from
/// a thread-safe cache of signature checks per issuer key.
/// </summary>
public sealed class CertificateRevocationList
{
    /// <summary>Largest CRL accepted, in bytes.</summary>
    public const int MaxBytes = 64 * 1024 * 1024;

    private const string DeltaCrlIndicator = "2.5.29.27";
    private const string IssuingDistributionPoint = "2.5.29.28";
    private const string CertificateIssuer = "2.5.29.29";
    private const string FreshestCrl = "2.5.29.46";
    private const string AuthorityKeyIdentifierOid = "2.5.29.35";
    private const string CrlNumberOid = "2.5.29.20";
    private const string ReasonCodeOid = "2.5.29.21";
    private const string InvalidityDateOid = "2.5.29.24";
    private const string SubjectKeyIdentifierOid = "2.5.29.14";

    private readonly Dictionary<BigInteger, CrlEntry> _entries;

    // Note: a configured CRL file is one shared object checked by every verification; its signature is verified once per issuer key.
    private readonly ConcurrentDictionary<string, bool> _signatureByIssuerKey = new(StringComparer.Ordinal);
    private readonly byte[] _tbs;
    private readonly byte[] _signature;
    private readonly byte[] _signatureAlgorithm;

    private CertificateRevocationList(
        X500DistinguishedName issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, BigInteger? crlNumber, byte[]? authorityKeyId,
        CrlScope scope, Dictionary<BigInteger, CrlEntry> entries, byte[] tbs, byte[] signatureAlgorithm, byte[] signature)
    {
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        CrlNumber = crlNumber;
        AuthorityKeyIdentifier = authorityKeyId;
        Scope = scope;
        _entries = entries;
        _tbs = tbs;
        _signatureAlgorithm = signatureAlgorithm;
        _signature = signature;
    }

    /// <summary>The issuer name as encoded in the CRL.</summary>
    public X500DistinguishedName Issuer { get; }

    /// <summary>When this CRL was issued.</summary>
    public DateTimeOffset ThisUpdate { get; }

    /// <summary>When the next CRL is due, when stated.</summary>
    public DateTimeOffset? NextUpdate { get; }

    /// <summary>The cRLNumber extension, when present.</summary>
    public BigInteger? CrlNumber { get; }

    /// <summary>The keyIdentifier of the authorityKeyIdentifier extension, when present.</summary>
    public byte[]? AuthorityKeyIdentifier { get; }

    /// <summary>Which certificates the CRL is complete for.</summary>
    public CrlScope Scope { get; }

    /// <summary>The entries, in no particular order.</summary>
    public IReadOnlyCollection<CrlEntry> Entries => _entries.Values;

    /// <summary>The entry for <paramref name="certificate"/>'s serial number, or null when it is not listed.</summary>
    public CrlEntry? Find(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return _entries.GetValueOrDefault(new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true));
    }

    /// <summary>
    /// True when <paramref name="issuer"/> is named as this CRL's issuer, its key (when the CRL names one) and its keyUsage allow
    /// CRL signing, and its public key verifies the signature. RSA PKCS#1 v1.5 and PSS and ECDSA with SHA-256/384/512; SHA-1 is
    /// refused as too weak to trust for revocation.
    /// </summary>
    public bool IsSignedBy(X509Certificate2 issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        try
        {
            if (!SameName(issuer.SubjectName, Issuer))
            {
                return false;
            }

            if (AuthorityKeyIdentifier is { } aki &&
                issuer.Extensions[SubjectKeyIdentifierOid] is X509SubjectKeyIdentifierExtension ski &&
                !ski.SubjectKeyIdentifierBytes.Span.SequenceEqual(aki))
            {
                return false;
            }

            if (issuer.Extensions["2.5.29.15"] is X509KeyUsageExtension usage && (usage.KeyUsages & X509KeyUsageFlags.CrlSign) == 0)
            {
                return false;
            }
        }
        catch (CryptographicException)
        {
            return false; // A malformed extension in a candidate certificate: not an issuer we can trust.
        }

        var key = $"{issuer.PublicKey.Oid.Value}:{Convert.ToHexString(issuer.PublicKey.EncodedParameters?.RawData ?? [])}:{Convert.ToHexString(issuer.PublicKey.EncodedKeyValue.RawData)}";
        return _signatureByIssuerKey.GetOrAdd(key, _ => SignatureVerifier.Verify(_tbs, _signatureAlgorithm, _signature, issuer));
    }

    /// <summary>Whether this CRL is complete for <paramref name="certificate"/> (its issuer and the CRL's scope).</summary>
    public bool Covers(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!SameName(certificate.IssuerName, Issuer))
        {
            return false;
        }

        bool isCa;
        try
        {
            isCa = certificate.Extensions["2.5.29.19"] is X509BasicConstraintsExtension { CertificateAuthority: true };
        }
        catch (CryptographicException)
        {
            return false;
        }

        return Scope switch
        {
            CrlScope.All => true,
            CrlScope.EndEntityCertificates => !isCa,
            CrlScope.CaCertificates => isCa,
            _ => false,
        };
    }

    /// <summary>Name equality as RFC 5280 §7.1 allows simply: identical encodings, or identical RFC 4514 renderings.</summary>
    public static bool SameName(X500DistinguishedName a, X500DistinguishedName b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.RawData.AsSpan().SequenceEqual(b.RawData) ||
               string.Equals(a.Format(false), b.Format(false), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Parses a DER CertificateList (PEM "X509 CRL" is accepted too).</summary>
    /// <exception cref="PkiException"><see cref="PkiErrorCodes.MalformedEncoding"/> for anything that is not a usable CRL.</exception>
    public static CertificateRevocationList Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length is 0 or > MaxBytes)
        {
            throw Malformed($"A CRL is 1 to {MaxBytes} bytes.");
        }

        byte[] der;
        if (data[0] == (byte)'-')
        {
            var text = System.Text.Encoding.ASCII.GetString(data);
            try
            {
                var fields = PemEncoding.Find(text);
                if (!text.AsSpan()[fields.Label].SequenceEqual("X509 CRL"))
                {
                    throw Malformed("The PEM block is not an X509 CRL.");
                }

                der = Convert.FromBase64String(text[fields.Base64Data]);
            }
            catch (ArgumentException)
            {
                throw Malformed("No PEM block found.");
            }
        }
        else
        {
            der = data.ToArray();
        }

        try
        {
            return ParseDer(der);
        }
        catch (AsnContentException ex)
        {
            throw Malformed($"The CRL is not valid DER: {ex.Message}");
        }
        catch (CryptographicException ex)
        {
            throw Malformed($"The CRL is not valid: {ex.Message}");
        }
    }

    private static CertificateRevocationList ParseDer(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var list = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbs = list.ReadEncodedValue().ToArray();
        var signatureAlgorithm = list.ReadEncodedValue().ToArray();
        var signature = list.ReadBitString(out var unused);
        list.ThrowIfNotEmpty();
        if (unused != 0)
        {
            throw Malformed("The signature BIT STRING has unused bits.");
        }

        var reader = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        var version = 0;
        if (reader.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            if (!reader.TryReadInt32(out version) || version != 1)
            {
                throw Malformed("Only v1 and v2 CRLs exist.");
            }
        }

        var innerAlgorithm = reader.ReadEncodedValue();
        if (!innerAlgorithm.Span.SequenceEqual(signatureAlgorithm))
        {
            throw Malformed("The TBSCertList signature algorithm differs from the outer one.");
        }

        var issuer = new X500DistinguishedName(reader.ReadEncodedValue().Span);
        var thisUpdate = ReadTime(reader);
        DateTimeOffset? nextUpdate = null;
        if (reader.HasData && (reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || reader.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
        {
            nextUpdate = ReadTime(reader);
        }

        var entries = new Dictionary<BigInteger, CrlEntry>();
        if (reader.HasData && reader.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var revoked = reader.ReadSequence();
            while (revoked.HasData)
            {
                if (entries.Count >= CrlBuilder.MaxEntries)
                {
                    throw Malformed($"More than {CrlBuilder.MaxEntries} entries.");
                }

                var entry = ReadEntry(revoked.ReadSequence(), version);
                entries[entry.SerialNumber] = entry;
            }
        }

        BigInteger? crlNumber = null;
        byte[]? authorityKeyId = null;
        var scope = CrlScope.All;
        if (reader.HasData)
        {
            if (version != 1)
            {
                throw Malformed("CRL extensions need a v2 CRL.");
            }

            var extensions = reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadSequence();
            foreach (var (oid, critical, value) in ReadExtensions(extensions))
            {
                switch (oid)
                {
                    case CrlNumberOid:
                        crlNumber = Inner(value, r => r.ReadInteger());
                        break;
                    case AuthorityKeyIdentifierOid:
                        authorityKeyId = Inner(value, ReadKeyIdentifier);
                        break;
                    case IssuingDistributionPoint:
                        scope = Inner(value, ReadScope);
                        break;
                    case DeltaCrlIndicator:
                        throw Malformed("A delta CRL is not a complete CRL.");
                    case FreshestCrl:
                        break;
                    default:
                        if (critical)
                        {
                            throw Malformed($"Unrecognised critical CRL extension {oid}.");
                        }

                        break;
                }
            }
        }

        reader.ThrowIfNotEmpty();
        return new CertificateRevocationList(issuer, thisUpdate, nextUpdate, crlNumber, authorityKeyId, scope, entries, tbs, signatureAlgorithm, signature.ToArray());
    }

    private static CrlEntry ReadEntry(AsnReader entry, int version)
    {
        var serial = entry.ReadInteger();
        var date = ReadTime(entry);
        var reason = RevocationReason.Unspecified;
        DateTimeOffset? invalidity = null;
        if (entry.HasData)
        {
            if (version != 1)
            {
                throw Malformed("CRL entry extensions need a v2 CRL.");
            }

            foreach (var (oid, critical, value) in ReadExtensions(entry.ReadSequence()))
            {
                switch (oid)
                {
                    case ReasonCodeOid:
                        reason = Inner(value, r => r.ReadEnumeratedValue<RevocationReason>());
                        break;
                    case InvalidityDateOid:
                        invalidity = Inner(value, r => r.ReadGeneralizedTime());
                        break;
                    case CertificateIssuer:
                        throw Malformed("An indirect CRL (certificateIssuer entry extension) is not supported.");
                    default:
                        if (critical)
                        {
                            throw Malformed($"Unrecognised critical CRL entry extension {oid}.");
                        }

                        break;
                }
            }
        }

        entry.ThrowIfNotEmpty();
        return new CrlEntry(serial, date, reason, invalidity);
    }

    private static List<(string Oid, bool Critical, byte[] Value)> ReadExtensions(AsnReader sequence)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<(string Oid, bool Critical, byte[] Value)>();
        while (sequence.HasData)
        {
            var extension = sequence.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            var critical = extension.HasData && extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
            var value = extension.ReadOctetString();
            extension.ThrowIfNotEmpty();
            if (!seen.Add(oid))
            {
                throw Malformed($"Extension {oid} appears twice.");
            }

            result.Add((oid, critical, value));
        }

        return result;
    }

    private static byte[]? ReadKeyIdentifier(AsnReader reader)
    {
        var aki = reader.ReadSequence();
        var keyIdTag = new Asn1Tag(TagClass.ContextSpecific, 0);
        return aki.HasData && aki.PeekTag().HasSameClassAndValue(keyIdTag) ? aki.ReadOctetString(keyIdTag) : null;
    }

    private static CrlScope ReadScope(AsnReader reader)
    {
        // IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0], onlyContainsUserCerts [1] BOOLEAN, onlyContainsCACerts [2]
        // BOOLEAN, onlySomeReasons [3] ReasonFlags, indirectCRL [4] BOOLEAN, onlyContainsAttributeCerts [5] BOOLEAN }
        var idp = reader.ReadSequence();
        var scope = CrlScope.All;
        while (idp.HasData)
        {
            var tag = idp.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific)
            {
                throw Malformed("Unexpected element in issuingDistributionPoint.");
            }

            switch (tag.TagValue)
            {
                case 0:
                    idp.ReadEncodedValue();
                    break;
                case 1 when idp.ReadBoolean(new Asn1Tag(TagClass.ContextSpecific, 1)):
                    scope = CrlScope.EndEntityCertificates;
                    break;
                case 2 when idp.ReadBoolean(new Asn1Tag(TagClass.ContextSpecific, 2)):
                    scope = CrlScope.CaCertificates;
                    break;
                case 1 or 2:
                    break;
                case 3:
                    idp.ReadEncodedValue();
                    return CrlScope.Partial;
                case 4 or 5 when idp.ReadBoolean(new Asn1Tag(TagClass.ContextSpecific, tag.TagValue)):
                    return CrlScope.Partial;
                case 4 or 5:
                    break;
                default:
                    throw Malformed("Unexpected element in issuingDistributionPoint.");
            }
        }

        return scope;
    }

    private static T Inner<T>(byte[] value, Func<AsnReader, T> read)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        var result = read(reader);
        reader.ThrowIfNotEmpty();
        return result;
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime(2049) : reader.ReadGeneralizedTime();

    private static PkiException Malformed(string message) => new(PkiErrorCodes.MalformedEncoding, message);
}
