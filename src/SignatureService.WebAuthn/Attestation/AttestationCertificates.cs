using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Parsing;

namespace SignatureService.WebAuthn.Attestation;

/// <summary>Certificate helpers shared by attestation formats.</summary>
internal static class AttestationCertificates
{
    /// <summary>id-fido-gen-ce-aaguid (FIDO), carrying the AAGUID as an OCTET STRING of 16 bytes.</summary>
    public const string AaguidExtensionOid = "1.3.6.1.4.1.45724.1.1.4";

    public static List<X509Certificate2> LoadX5c(CborMap statement, bool required)
    {
        if (!statement.TryGet("x5c", out var value))
        {
            return required ? throw new WebAuthnException(WebAuthnErrorCodes.AttestationInvalid, "x5c missing.") : [];
        }

        if (value is not List<object?> items || items.Count == 0 || items.Count > WebAuthnLimits.MaxCertificateChainLength)
        {
            throw new WebAuthnException(WebAuthnErrorCodes.AttestationInvalid, "x5c must be a non-empty array of at most 8 certificates.");
        }

        var certificates = new List<X509Certificate2>(items.Count);
        try
        {
            foreach (var item in items)
            {
                if (item is not byte[] der)
                {
                    throw new WebAuthnException(WebAuthnErrorCodes.AttestationInvalid, "x5c entry is not a byte string.");
                }

                certificates.Add(X509CertificateLoader.LoadCertificate(der));
            }

            return certificates;
        }
        catch (CryptographicException ex)
        {
            Dispose(certificates);
            throw WebAuthnException.Malformed("x5c entry is not a DER certificate.", ex);
        }
        catch
        {
            Dispose(certificates);
            throw;
        }
    }

    public static void Dispose(IEnumerable<X509Certificate2> certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }

    /// <summary>Basic Constraints CA must be false (absent means false, RFC 5280 §4.2.1.9).</summary>
    public static bool IsCa(X509Certificate2 certificate)
        => certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(e => e.CertificateAuthority);

    /// <summary>
    /// If the certificate has the AAGUID extension, it must not be critical and must equal <paramref name="aaguid"/>
    /// (W3C WebAuthn L3 §8.2.1, §8.3.1).
    /// </summary>
    public static void CheckAaguidExtension(X509Certificate2 certificate, Guid aaguid)
    {
        var extension = certificate.Extensions[AaguidExtensionOid];
        if (extension is null)
        {
            return;
        }

        try
        {
            var value = AsnDecoder.ReadOctetString(extension.RawData, AsnEncodingRules.DER, out var consumed);
            if (extension.Critical || consumed != extension.RawData.Length || value.Length != 16
                || new Guid(value, bigEndian: true) != aaguid)
            {
                throw new WebAuthnException(WebAuthnErrorCodes.AttestationInvalid, "AAGUID certificate extension does not match.");
            }
        }
        catch (AsnContentException ex)
        {
            throw new WebAuthnException(WebAuthnErrorCodes.AttestationInvalid, "AAGUID certificate extension is not DER.", ex);
        }
    }

    /// <summary>The single value of an RDN attribute in the subject, or <c>null</c>.</summary>
    public static string? SubjectAttribute(X509Certificate2 certificate, string oid)
    {
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == oid)
            {
                return rdn.GetSingleElementValue();
            }
        }

        return null;
    }
}
