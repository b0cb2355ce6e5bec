using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Core.Qualification;
using SignatureService.Pki.Asn1;
using SignatureService.Pki.Errors;

namespace SignatureService.Pki.HealthcareRoles;

/// <summary>
/// Codec for the hcRole carried in the X.509 subjectDirectoryAttributes extension (2.5.29.9, non-critical) as the
/// ISO 17090 attribute id-hcpki-at-healthcareactor (1.0.17090.0.1), following the MHLW HPKI certificate policy
/// §7.1.2 as observed on real MEDIS certificates (DOMAIN.md §2):
/// <code>
/// SubjectDirectoryAttributes ::= SEQUENCE SIZE (1..MAX) OF Attribute
/// Attribute    ::= SEQUENCE { type 1.0.17090.0.1, values SET OF HCActorData }
/// HCActorData  ::= SET OF HCActor
/// HCActor      ::= SEQUENCE { codedData [0] EXPLICIT CodedData, regionalHCActorData [1] EXPLICIT ... OPTIONAL }
/// CodedData    ::= SET { codingSchemeReference [0] EXPLICIT OBJECT IDENTIFIER,
///                        codeDataValue [1] EXPLICIT NumericString OPTIONAL,
///                        codeDataFreeText [2] EXPLICIT DirectoryString }
/// </code>
/// Thread-safe (stateless).
/// </summary>
public static class HcRoleExtension
{
    /// <summary>The subjectDirectoryAttributes extension OID (RFC 5280 §4.2.1.8).</summary>
    public const string ExtensionOid = Oids.SubjectDirectoryAttributes;

    /// <summary>id-hcpki-at-healthcareactor (ISO 17090).</summary>
    public const string HealthcareActorAttributeOid = "1.0.17090.0.1";

    /// <summary>id-jhpki-cdata: the MHLW national coding scheme for qualifications.</summary>
    public const string NationalCodingSchemeOid = "1.2.392.100495.1.6.1.1";

    /// <summary>Upper bound on the extension value accepted by the parser, in bytes.</summary>
    public const int MaxEncodedLength = 16 * 1024;

    /// <summary>Upper bound on the number of HCActors accepted by the parser.</summary>
    public const int MaxActors = 32;

    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Context1 = new(TagClass.ContextSpecific, 1, isConstructed: true);
    private static readonly Asn1Tag Context2 = new(TagClass.ContextSpecific, 2, isConstructed: true);

    /// <summary>
    /// Encodes the extension value (the DER inside extnValue) for one or more roles, all under
    /// <paramref name="codingSchemeReference"/>, as one Attribute with one HCActorData.
    /// </summary>
    /// <param name="roles">At least one role; duplicates are removed.</param>
    /// <param name="codingSchemeReference">The coding scheme OID; default the MHLW national scheme.</param>
    /// <returns>DER bytes; for "Medical Doctor" byte-identical to real MEDIS certificates.</returns>
    public static byte[] Encode(IEnumerable<HcRole> roles, string codingSchemeReference = NationalCodingSchemeOid)
    {
        ArgumentNullException.ThrowIfNull(roles);
        var distinct = roles.Distinct().ToArray();
        if (distinct.Length == 0)
        {
            throw new PkiException(PkiErrorCodes.UnknownHcRole, "At least one hcRole is required.");
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(HealthcareActorAttributeOid);
            using (writer.PushSetOf())
            using (writer.PushSetOf())
            {
                foreach (var role in distinct)
                {
                    WriteActor(writer, codingSchemeReference, role.Text);
                }
            }
        }

        return writer.Encode();
    }

    /// <summary>Creates the non-critical subjectDirectoryAttributes extension carrying <paramref name="roles"/>.</summary>
    /// <param name="roles">At least one role.</param>
    /// <returns>The extension for a certificate builder.</returns>
    public static X509Extension CreateExtension(IEnumerable<HcRole> roles) =>
        new(ExtensionOid, Encode(roles), critical: false);

    /// <summary>Decodes every HCActor in a subjectDirectoryAttributes extension value; other attributes are ignored.</summary>
    /// <param name="extensionValue">The extnValue contents; at most <see cref="MaxEncodedLength"/> bytes.</param>
    /// <returns>The actors in encoding order (possibly empty when no hcRole attribute is present).</returns>
    /// <exception cref="PkiException"><see cref="PkiErrorCodes.MalformedEncoding"/> for any malformed input.</exception>
    public static IReadOnlyList<HcActor> Decode(ReadOnlyMemory<byte> extensionValue)
    {
        if (extensionValue.Length > MaxEncodedLength)
        {
            throw new PkiException(PkiErrorCodes.MalformedEncoding, "subjectDirectoryAttributes value is too large.");
        }

        try
        {
            return DecodeCore(extensionValue);
        }
        catch (AsnContentException ex)
        {
            throw new PkiException(PkiErrorCodes.MalformedEncoding, "Malformed subjectDirectoryAttributes value.", ex);
        }
        catch (CryptographicException ex)
        {
            throw new PkiException(PkiErrorCodes.MalformedEncoding, "Malformed subjectDirectoryAttributes value.", ex);
        }
    }

    /// <summary>Reads the hcRole actors of a certificate.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The actors; empty when the certificate has no subjectDirectoryAttributes extension.</returns>
    /// <exception cref="PkiException"><see cref="PkiErrorCodes.MalformedEncoding"/> when the extension is malformed.</exception>
    public static IReadOnlyList<HcActor> ReadActors(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var extension = certificate.Extensions[ExtensionOid];
        return extension is null ? [] : Decode(extension.RawData);
    }

    /// <summary>
    /// Reads the known hcRoles of a certificate, counting only actors under the national coding scheme whose text is in
    /// the <see cref="HcRole"/> vocabulary.
    /// </summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The distinct known roles; empty when none.</returns>
    public static IReadOnlyList<HcRole> ReadRoles(X509Certificate2 certificate) =>
        [.. ReadActors(certificate)
            .Where(a => a.CodingSchemeReference == NationalCodingSchemeOid)
            .Select(a => a.Role)
            .OfType<HcRole>()
            .Distinct()];

    private static void WriteActor(AsnWriter writer, string scheme, string text)
    {
        using (writer.PushSequence())
        using (writer.PushSequence(Context0))
        using (writer.PushSetOf())
        {
            // Note: CodedData is a SET, not a SET OF; the DER sort of SET OF encodings gives the same
            // order as the tag order DER needs for a SET ([0] then [2]), so PushSetOf is correct here.
            using (writer.PushSequence(Context0))
            {
                writer.WriteObjectIdentifier(scheme);
            }

            using (writer.PushSequence(Context2))
            {
                writer.WriteCharacterString(UniversalTagNumber.UTF8String, text);
            }
        }
    }

    private static List<HcActor> DecodeCore(ReadOnlyMemory<byte> value)
    {
        var actors = new List<HcActor>();
        var outer = new AsnReader(value, AsnEncodingRules.DER);
        var attributes = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        if (!attributes.HasData)
        {
            throw new AsnContentException("SubjectDirectoryAttributes must not be empty.");
        }

        while (attributes.HasData)
        {
            var attribute = attributes.ReadSequence();
            var type = attribute.ReadObjectIdentifier();
            var values = attribute.ReadSetOf();
            attribute.ThrowIfNotEmpty();
            if (type != HealthcareActorAttributeOid)
            {
                continue;
            }

            while (values.HasData)
            {
                var actorData = values.ReadSetOf();
                while (actorData.HasData)
                {
                    if (actors.Count == MaxActors)
                    {
                        throw new AsnContentException("Too many HCActors.");
                    }

                    actors.Add(ReadActor(actorData.ReadSequence()));
                }
            }
        }

        return actors;
    }

    private static HcActor ReadActor(AsnReader actor)
    {
        var codedData = actor.ReadSequence(Context0).ReadSetOf(skipSortOrderValidation: false);
        if (actor.HasData)
        {
            // regionalHCActorData is not used in Japan but is legal ASN.1; skip it.
            actor.ReadEncodedValue();
        }

        actor.ThrowIfNotEmpty();

        var schemeReader = codedData.ReadSequence(Context0);
        var scheme = schemeReader.ReadObjectIdentifier();
        schemeReader.ThrowIfNotEmpty();

        string? codeValue = null;
        if (codedData.PeekTag().HasSameClassAndValue(Context1))
        {
            var valueReader = codedData.ReadSequence(Context1);
            codeValue = valueReader.ReadCharacterString(UniversalTagNumber.NumericString);
            valueReader.ThrowIfNotEmpty();
        }

        var textReader = codedData.ReadSequence(Context2);
        var text = ReadDirectoryString(textReader);
        textReader.ThrowIfNotEmpty();
        codedData.ThrowIfNotEmpty();
        return new HcActor(scheme, codeValue, text);
    }

    private static string ReadDirectoryString(AsnReader reader)
    {
        var tag = reader.PeekTag();
        if (tag.TagClass != TagClass.Universal)
        {
            throw new AsnContentException("DirectoryString must be a universal string type.");
        }

        return (UniversalTagNumber)tag.TagValue switch
        {
            UniversalTagNumber.UTF8String => reader.ReadCharacterString(UniversalTagNumber.UTF8String),
            UniversalTagNumber.PrintableString => reader.ReadCharacterString(UniversalTagNumber.PrintableString),
            UniversalTagNumber.BMPString => reader.ReadCharacterString(UniversalTagNumber.BMPString),
            UniversalTagNumber.UniversalString => reader.ReadCharacterString(UniversalTagNumber.UniversalString),
            UniversalTagNumber.TeletexString => reader.ReadCharacterString(UniversalTagNumber.TeletexString),
            _ => throw new AsnContentException("Unsupported DirectoryString type."),
        };
    }
}
