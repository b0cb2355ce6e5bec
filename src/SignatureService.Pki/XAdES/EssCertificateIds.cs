using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace SignatureService.Pki.XAdES;

/// <summary>DER encodings shared by XAdES SigningCertificateV2 and CAdES signing-certificate-v2 (RFC 5035).</summary>
internal static class EssCertificateIds
{
    /// <summary>IssuerSerial ::= SEQUENCE { issuer GeneralNames (one directoryName), serialNumber CertificateSerialNumber }.</summary>
    public static byte[] EncodeIssuerSerial(X509Certificate2 certificate)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        WriteIssuerSerial(writer, certificate);
        return writer.Encode();
    }

    public static void WriteIssuerSerial(AsnWriter writer, X509Certificate2 certificate)
    {
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                var directoryName = new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true);
                using (writer.PushSequence(directoryName))
                {
                    writer.WriteEncodedValue(certificate.IssuerName.RawData);
                }
            }

            writer.WriteInteger(certificate.SerialNumberBytes.Span);
        }
    }

    /// <summary>
    /// Decodes an IssuerSerial and tells whether it names <paramref name="certificate"/>; false for anything malformed.
    /// </summary>
    public static bool IssuerSerialMatches(ReadOnlySpan<byte> encoded, X509Certificate2 certificate)
    {
        try
        {
            var reader = new AsnReader(encoded.ToArray(), AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var names = sequence.ReadSequence();
            var serial = sequence.ReadIntegerBytes();
            sequence.ThrowIfNotEmpty();
            var directoryName = new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true);
            var matched = false;
            while (names.HasData)
            {
                if (names.PeekTag() == directoryName)
                {
                    var name = names.ReadSequence(directoryName).ReadEncodedValue();
                    matched |= name.Span.SequenceEqual(certificate.IssuerName.RawData);
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }

            return matched && serial.Span.SequenceEqual(certificate.SerialNumberBytes.Span);
        }
        catch (AsnContentException)
        {
            return false;
        }
    }
}
