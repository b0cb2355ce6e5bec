using System.Formats.Asn1;
using System.Security.Cryptography;

namespace SignatureService.Pki.Asn1;

/// <summary>Small DER helpers shared by the certificate, CRL, OCSP and TSA builders.</summary>
internal static class Der
{
    /// <summary>RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, whole seconds, UTC.</summary>
    public static void WriteTime(AsnWriter writer, DateTimeOffset value)
    {
        var utc = TruncateToSeconds(value);
        if (utc.Year < 2050)
        {
            writer.WriteUtcTime(utc);
        }
        else
        {
            writer.WriteGeneralizedTime(utc, omitFractionalSeconds: true);
        }
    }

    public static DateTimeOffset TruncateToSeconds(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    /// <summary>Writes an RFC 5280 Extension (critical omitted when false, DER DEFAULT rule).</summary>
    public static void WriteExtension(AsnWriter writer, string oid, bool critical, ReadOnlySpan<byte> value)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            if (critical)
            {
                writer.WriteBoolean(true);
            }

            writer.WriteOctetString(value);
        }
    }

    public static byte[] Encode(Action<AsnWriter> write)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        write(writer);
        return writer.Encode();
    }

    /// <summary>Maps a hash algorithm OID to its name, or null when unsupported.</summary>
    public static HashAlgorithmName? HashFromOid(string oid) => oid switch
    {
        Oids.Sha1 => HashAlgorithmName.SHA1,
        Oids.Sha256 => HashAlgorithmName.SHA256,
        Oids.Sha384 => HashAlgorithmName.SHA384,
        Oids.Sha512 => HashAlgorithmName.SHA512,
        _ => null,
    };

    public static string OidFromHash(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA1" => Oids.Sha1,
        "SHA256" => Oids.Sha256,
        "SHA384" => Oids.Sha384,
        "SHA512" => Oids.Sha512,
        _ => throw new ArgumentOutOfRangeException(nameof(hash), hash.Name, "Unsupported hash algorithm."),
    };

    public static int HashSize(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA1" => 20,
        "SHA256" => 32,
        "SHA384" => 48,
        "SHA512" => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(hash), hash.Name, "Unsupported hash algorithm."),
    };

    public static byte[] Hash(HashAlgorithmName hash, ReadOnlySpan<byte> data) => hash.Name switch
    {
#pragma warning disable CA5350 // Note: RFC 6960 CertIDs and ResponderID key hashes are defined with SHA-1; not used for signatures.
        "SHA1" => SHA1.HashData(data),
#pragma warning restore CA5350
        "SHA256" => SHA256.HashData(data),
        "SHA384" => SHA384.HashData(data),
        "SHA512" => SHA512.HashData(data),
        _ => throw new ArgumentOutOfRangeException(nameof(hash), hash.Name, "Unsupported hash algorithm."),
    };

    /// <summary>
    /// Reads an AlgorithmIdentifier for a hash: OID plus absent or NULL parameters (RFC 5754 §2 allows both).
    /// </summary>
    public static string ReadHashAlgorithmIdentifier(AsnReader reader)
    {
        var seq = reader.ReadSequence();
        var oid = seq.ReadObjectIdentifier();
        if (seq.HasData)
        {
            seq.ReadNull();
        }

        seq.ThrowIfNotEmpty();
        return oid;
    }

    public static void WriteHashAlgorithmIdentifier(AsnWriter writer, HashAlgorithmName hash, bool withNullParameters)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(OidFromHash(hash));
            if (withNullParameters)
            {
                writer.WriteNull();
            }
        }
    }

    /// <summary>The subjectPublicKey BIT STRING contents of a certificate (RFC 6960 §4.1.1 key hash input).</summary>
    public static byte[] SubjectPublicKeyBits(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) =>
        certificate.PublicKey.EncodedKeyValue.RawData;
}
