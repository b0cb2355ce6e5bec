using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace SignatureService.Core.Documents;

/// <summary>
/// Loads untrusted XML safely: no DTD (so no entity expansion, internal or external), no resolver, and the limits of
/// <see cref="DocumentLimits"/> enforced while streaming, before a tree is built. Every failure is a <see cref="DocumentValidationException"/>.
/// </summary>
internal static class SecureXml
{
    private static readonly byte[] DoctypeMarker = "<!DOCTYPE"u8.ToArray();

    /// <summary>The namespace of XML-DSig (<c>ds:Signature</c>).</summary>
    public static readonly XNamespace DsigNamespace = "http://www.w3.org/2000/09/xmldsig#";

    /// <summary>Reader settings for untrusted input: DTDs prohibited, no resolver, bounded size.</summary>
    public static XmlReaderSettings CreateReaderSettings() => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = DocumentLimits.MaxDocumentBytes,
        ConformanceLevel = ConformanceLevel.Document,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    /// <summary>Parses <paramref name="content"/> (already checked for size and UTF-8) into a tree.</summary>
    public static XDocument Load(ReadOnlySpan<byte> content)
    {
        RequireUtf8Declaration(content);
        var bytes = content.ToArray();
        try
        {
            // Pass 1 streams over the document and enforces the limits; nothing is kept.
            CheckLimits(bytes);

            // Pass 2 builds the tree from the same bytes, with the same settings.
            using var reader = XmlReader.Create(new MemoryStream(bytes, writable: false), CreateReaderSettings());
            return XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException ex)
        {
            // Note: the reader's message is localised, so the DTD case is told apart by the bytes, not by the message.
            var error = bytes.AsSpan().IndexOf(DoctypeMarker) >= 0 ? DocumentErrors.DtdForbidden : DocumentErrors.MalformedXml;
            throw new DocumentValidationException(error, ex.LineNumber > 0 ? $"line {ex.LineNumber}" : null, ex);
        }
        catch (DecoderFallbackException ex)
        {
            throw new DocumentValidationException(DocumentErrors.InvalidEncoding, null, ex);
        }
    }

    /// <summary>
    /// Refuses an XML declaration naming another encoding before the reader sees it: the reader would otherwise switch to that
    /// encoding (or fail on an unknown one), and the bytes we sign must be read as UTF-8 by everyone.
    /// </summary>
    private static void RequireUtf8Declaration(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
        }

        if (!content.StartsWith("<?xml"u8))
        {
            return;
        }

        var end = content[..Math.Min(content.Length, 256)].IndexOf("?>"u8);
        if (end < 0)
        {
            return;
        }

        var declaration = Encoding.ASCII.GetString(content[..end]);
        var index = declaration.IndexOf("encoding", StringComparison.Ordinal);
        if (index < 0)
        {
            return;
        }

        var rest = declaration[(index + "encoding".Length)..].TrimStart(' ', '\t', '\r', '\n');
        if (rest.Length == 0 || rest[0] != '=')
        {
            return;
        }

        rest = rest[1..].TrimStart(' ', '\t', '\r', '\n');
        if (rest.Length < 2 || (rest[0] != '"' && rest[0] != '\''))
        {
            return;
        }

        var close = rest.IndexOf(rest[0], 1);
        var name = close < 0 ? string.Empty : rest[1..close];
        if (!name.Equals("UTF-8", StringComparison.OrdinalIgnoreCase))
        {
            throw new DocumentValidationException(DocumentErrors.InvalidEncoding, "xml declaration");
        }
    }

    private static void CheckLimits(byte[] bytes)
    {
        using var reader = XmlReader.Create(new MemoryStream(bytes, writable: false), CreateReaderSettings());
        var elements = 0;
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.XmlDeclaration:
                    var encoding = reader.GetAttribute("encoding");
                    if (encoding is not null && !encoding.Equals("UTF-8", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new DocumentValidationException(DocumentErrors.InvalidEncoding, "xml declaration");
                    }

                    break;
                case XmlNodeType.Element:
                    if (++elements > DocumentLimits.MaxElements)
                    {
                        throw new DocumentValidationException(DocumentErrors.TooManyElements);
                    }

                    if (reader.Depth + 1 > DocumentLimits.MaxDepth)
                    {
                        throw new DocumentValidationException(DocumentErrors.TooDeep, $"line {((IXmlLineInfo)reader).LineNumber}");
                    }

                    while (reader.MoveToNextAttribute())
                    {
                        if (reader.Value.Length > DocumentLimits.MaxAttributeLength)
                        {
                            throw new DocumentValidationException(DocumentErrors.ValueTooLong, $"@{reader.LocalName}");
                        }
                    }

                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Comment or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    if (reader.Value.Length > DocumentLimits.MaxTextLength)
                    {
                        throw new DocumentValidationException(DocumentErrors.ValueTooLong, $"line {((IXmlLineInfo)reader).LineNumber}");
                    }

                    break;
                case XmlNodeType.DocumentType:
                    throw new DocumentValidationException(DocumentErrors.DtdForbidden);
            }
        }
    }

    /// <summary>Slash-separated local-name path of an element from the root, e.g. <c>Document/Prescription</c>.</summary>
    public static string PathOf(XElement element)
    {
        var names = new Stack<string>();
        for (var current = element; current is not null; current = current.Parent)
        {
            names.Push(current.Name.LocalName);
        }

        return string.Join('/', names);
    }

    /// <summary>Returns the single child element named <paramref name="name"/> (no namespace).</summary>
    /// <exception cref="DocumentValidationException"><c>document.invalid-structure</c> when it is missing or repeated.</exception>
    public static XElement Single(XElement parent, string name)
    {
        XElement? found = null;
        foreach (var child in parent.Elements(name))
        {
            if (found is not null)
            {
                throw new DocumentValidationException(DocumentErrors.InvalidStructure, $"{PathOf(parent)}/{name}");
            }

            found = child;
        }

        return found ?? throw new DocumentValidationException(DocumentErrors.InvalidStructure, $"{PathOf(parent)}/{name}");
    }

    /// <summary>Returns the <c>Value</c> attribute of a single child, e.g. <c>&lt;Version Value="EPS1.0"/&gt;</c>.</summary>
    public static string ValueAttribute(XElement parent, string name)
    {
        var element = Single(parent, name);
        var value = (string?)element.Attribute("Value");
        return string.IsNullOrWhiteSpace(value)
            ? throw new DocumentValidationException(DocumentErrors.InvalidStructure, $"{PathOf(element)}/@Value")
            : value;
    }

    /// <summary>
    /// Refuses duplicate <c>id</c>/<c>Id</c> attribute values: a signature reference <c>#id</c> must resolve to one element only,
    /// or a verifier and a viewer could look at different elements.
    /// </summary>
    public static void RequireUniqueIds(XDocument document)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in document.Descendants())
        {
            foreach (var attribute in element.Attributes())
            {
                if (attribute.Name.NamespaceName.Length == 0 && attribute.Name.LocalName is "id" or "Id" or "ID" && !seen.Add(attribute.Value))
                {
                    throw new DocumentValidationException(DocumentErrors.InvalidStructure, $"{PathOf(element)}/@{attribute.Name.LocalName}");
                }
            }
        }
    }

    /// <summary>Decodes the Base64 text of an element (whitespace allowed).</summary>
    public static byte[] DecodeBase64(XElement element)
    {
        if (element.HasElements)
        {
            throw new DocumentValidationException(DocumentErrors.InvalidStructure, PathOf(element));
        }

        try
        {
            return Convert.FromBase64String(element.Value);
        }
        catch (FormatException ex)
        {
            throw new DocumentValidationException(DocumentErrors.InvalidField, PathOf(element), ex);
        }
    }
}
