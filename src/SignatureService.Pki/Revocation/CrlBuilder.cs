using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Pki.Asn1;
using SignatureService.Pki.Certificates;
using SignatureService.Pki.Errors;

namespace SignatureService.Pki.Revocation;

/// <summary>The content of one full CRL (or ARL when issued by the root).</summary>
/// <param name="CrlNumber">Monotonically increasing CRL number (RFC 5280 §5.2.3), 0..2^159-1.</param>
/// <param name="ThisUpdate">Issue time (RFC 5280 §5.1.2.4).</param>
/// <param name="NextUpdate">Latest time of the next CRL (RFC 5280 §5.1.2.5); after <paramref name="ThisUpdate"/>.</param>
/// <param name="Entries">Revoked and suspended certificates; may be empty.</param>
public sealed record CrlContent(
    BigInteger CrlNumber,
    DateTimeOffset ThisUpdate,
    DateTimeOffset NextUpdate,
    IReadOnlyList<RevokedCertificate> Entries);

/// <summary>
/// Builds v2 full CRLs (RFC 5280 §5) signed with the issuing CA's key, with CRL number, AKI and per-entry reasonCode
/// and invalidityDate. The TBSCertList is written with <see cref="AsnWriter"/> because .NET's
/// CertificateRevocationListBuilder has no invalidity date. Thread-safe when the issuer's generator is.
/// </summary>
public static class CrlBuilder
{
    /// <summary>Upper bound on entries per CRL.</summary>
    public const int MaxEntries = 1_000_000;

    private static readonly BigInteger MaxCrlNumber = BigInteger.Pow(2, 159) - 1;

    /// <summary>Encodes and signs a CRL.</summary>
    /// <param name="content">The CRL content.</param>
    /// <param name="issuer">The CA whose certificates are listed; must allow cRLSign when keyUsage is present.</param>
    /// <returns>The DER CertificateList.</returns>
    /// <exception cref="PkiException"><see cref="PkiErrorCodes.InvalidRevocationEntry"/> for invalid content,
    /// <see cref="PkiErrorCodes.InvalidIssuer"/> when the issuer may not sign CRLs.</exception>
    public static byte[] Build(CrlContent content, IssuerCredential issuer)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(issuer);
        Validate(content, issuer.Certificate);

        var signatureAlgorithm = issuer.SignatureAlgorithmIdentifier;
        var tbs = new AsnWriter(AsnEncodingRules.DER);
        // RFC 5280 §5.1.2 TBSCertList.
        using (tbs.PushSequence())
        {
            tbs.WriteInteger(1); // §5.1.2.1 version v2
            tbs.WriteEncodedValue(signatureAlgorithm); // §5.1.2.2
            tbs.WriteEncodedValue(issuer.Certificate.SubjectName.RawData); // §5.1.2.3
            Der.WriteTime(tbs, content.ThisUpdate); // §5.1.2.4
            Der.WriteTime(tbs, content.NextUpdate); // §5.1.2.5
            if (content.Entries.Count > 0)
            {
                // §5.1.2.6: absent, not empty, when there are no entries.
                using (tbs.PushSequence())
                {
                    foreach (var entry in content.Entries)
                    {
                        WriteEntry(tbs, entry);
                    }
                }
            }

            // §5.1.2.7 crlExtensions [0] EXPLICIT.
            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            using (tbs.PushSequence())
            {
                var aki = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Certificate, true, false);
                Der.WriteExtension(tbs, Oids.AuthorityKeyIdentifier, false, aki.RawData); // §5.2.1
                Der.WriteExtension(tbs, Oids.CrlNumber, false, Der.Encode(w => w.WriteInteger(content.CrlNumber))); // §5.2.3
            }
        }

        var tbsBytes = tbs.Encode();
        var signature = issuer.Sign(tbsBytes);
        var crl = new AsnWriter(AsnEncodingRules.DER);
        // RFC 5280 §5.1.1 CertificateList.
        using (crl.PushSequence())
        {
            crl.WriteEncodedValue(tbsBytes);
            crl.WriteEncodedValue(signatureAlgorithm);
            crl.WriteBitString(signature);
        }

        return crl.Encode();
    }

    private static void WriteEntry(AsnWriter writer, RevokedCertificate entry)
    {
        using (writer.PushSequence())
        {
            writer.WriteInteger(entry.SerialNumber.Span);
            Der.WriteTime(writer, entry.RevocationTime);
            if (entry.Reason == RevocationReason.Unspecified && entry.InvalidityDate is null)
            {
                return;
            }

            using (writer.PushSequence())
            {
                if (entry.Reason != RevocationReason.Unspecified)
                {
                    // §5.3.1 reasonCode: unspecified SHOULD be expressed by absence.
                    Der.WriteExtension(writer, Oids.CrlReasonCode, false, Der.Encode(w => w.WriteEnumeratedValue(entry.Reason)));
                }

                if (entry.InvalidityDate is { } invalidity)
                {
                    // §5.3.2 invalidityDate: always GeneralizedTime.
                    Der.WriteExtension(writer, Oids.InvalidityDate, false,
                        Der.Encode(w => w.WriteGeneralizedTime(Der.TruncateToSeconds(invalidity), omitFractionalSeconds: true)));
                }
            }
        }
    }

    private static void Validate(CrlContent content, X509Certificate2 issuer)
    {
        var usage = issuer.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.CrlSign))
        {
            throw new PkiException(PkiErrorCodes.InvalidIssuer, "The issuer certificate does not allow cRLSign.");
        }

        if (content.CrlNumber < 0 || content.CrlNumber > MaxCrlNumber)
        {
            throw Invalid("The CRL number must be 0..2^159-1 (RFC 5280 §5.2.3).");
        }

        if (content.NextUpdate <= content.ThisUpdate)
        {
            throw Invalid("nextUpdate must be after thisUpdate.");
        }

        ArgumentNullException.ThrowIfNull(content.Entries);
        if (content.Entries.Count > MaxEntries)
        {
            throw Invalid("Too many CRL entries.");
        }

        foreach (var entry in content.Entries)
        {
            var serial = entry.SerialNumber.Span;
            var minimal = serial.Length is > 0 and <= 20 &&
                (serial[0] & 0x80) == 0 &&
                !(serial.Length > 1 && serial[0] == 0 && (serial[1] & 0x80) == 0);
            if (!minimal)
            {
                throw Invalid("Serial numbers must be positive, minimal big-endian, at most 20 bytes.");
            }

            if (entry.Reason is RevocationReason.RemoveFromCrl || !Enum.IsDefined(entry.Reason))
            {
                throw Invalid("The revocation reason is not allowed in a full CRL.");
            }
        }
    }

    private static PkiException Invalid(string message) => new(PkiErrorCodes.InvalidRevocationEntry, message);
}
