using System.Runtime.CompilerServices;
using System.Text;
using System.Xml;

namespace SignatureService.Pki.XAdES;

/// <summary>
/// Hardened XML plumbing shared by builder, upgrader and verifier: bounded parsing without DTDs or resolvers, Id lookup,
/// canonicalization of one element in its document context, and byte-exact insertion of new elements.
/// </summary>
internal static class XadesXml
{
    private static readonly ConditionalWeakTable<XmlDocument, Dictionary<string, List<XmlElement>>> IdIndex = new();

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A parsed document with the exact text it came from (needed to insert elements without reformatting).</summary>
    internal sealed record Parsed(XmlDocument Document, string Text, int BomLength, byte[] Bytes);

    public static Parsed Load(ReadOnlySpan<byte> bytes, XadesLimits limits)
    {
        if (bytes.Length > limits.MaxDocumentBytes)
        {
            throw new XadesException(XadesErrorCodes.TooLarge, $"The document exceeds {limits.MaxDocumentBytes} bytes.");
        }

        var bomLength = bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes[bomLength..]);
        }
        catch (DecoderFallbackException ex)
        {
            throw new XadesException(XadesErrorCodes.Malformed, "The document is not valid UTF-8.", ex);
        }

        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = limits.MaxDocumentBytes,
            MaxCharactersFromEntities = 1024,
            IgnoreComments = false,
            IgnoreWhitespace = false,
            IgnoreProcessingInstructions = false,
        };

        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), settings);
            document.Load(reader);
        }
        catch (XmlException ex)
        {
            throw new XadesException(XadesErrorCodes.Malformed, "The document is not well-formed XML.", ex);
        }

        // Note: XmlDocument.Load is iterative, but canonicalization recurses; bounding the depth here keeps the stack safe.
        var pending = new Stack<(XmlNode Node, int Depth)>();
        pending.Push((document, 0));
        while (pending.Count > 0)
        {
            var (node, depth) = pending.Pop();
            if (depth > limits.MaxDepth)
            {
                throw new XadesException(XadesErrorCodes.Malformed, $"The document nests deeper than {limits.MaxDepth} levels.");
            }

            for (var child = node.FirstChild; child is not null; child = child.NextSibling)
            {
                if (child is XmlElement)
                {
                    pending.Push((child, depth + 1));
                }
            }
        }

        return new Parsed(document, text, bomLength, bytes.ToArray());
    }

    /// <summary>Parses a fragment this library generated itself (trusted, small).</summary>
    public static XmlDocument LoadOwn(string xml)
    {
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        document.Load(reader);
        return document;
    }

    /// <summary>
    /// Elements whose <c>Id</c>, <c>id</c> or <c>ID</c> attribute (no namespace) equals <paramref name="id"/>.
    /// More than one match means the reference is ambiguous (a signature-wrapping risk) and is treated as unresolved.
    /// </summary>
    public static IReadOnlyList<XmlElement> FindById(XmlDocument document, string id) =>
        IdIndex.GetValue(document, BuildIdIndex).GetValueOrDefault(id) ?? (IReadOnlyList<XmlElement>)[];

    // Note: one pass per document instead of one per reference, so a large hostile document with many references and
    // signatures stays linear. Parsed documents are never modified after loading, so the index cannot go stale.
    private static Dictionary<string, List<XmlElement>> BuildIdIndex(XmlDocument document)
    {
        var index = new Dictionary<string, List<XmlElement>>(StringComparer.Ordinal);
        foreach (var element in Descendants(document.DocumentElement))
        {
            foreach (var name in (ReadOnlySpan<string>)["Id", "id", "ID"])
            {
                if (element.GetAttributeNode(name) is { NamespaceURI.Length: 0 } attribute)
                {
                    if (!index.TryGetValue(attribute.Value, out var list))
                    {
                        index[attribute.Value] = list = [];
                    }

                    if (!list.Contains(element))
                    {
                        list.Add(element);
                    }
                }
            }
        }

        return index;
    }

    public static XmlElement? FindUniqueById(XmlDocument document, string id)
    {
        var matches = FindById(document, id);
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <summary>Elements in document order, starting with <paramref name="root"/> (iterative, no recursion).</summary>
    public static IEnumerable<XmlElement> Descendants(XmlElement? root)
    {
        if (root is null)
        {
            yield break;
        }

        var stack = new Stack<XmlElement>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            yield return current;
            for (var child = current.LastChild; child is not null; child = child.PreviousSibling)
            {
                if (child is XmlElement element)
                {
                    stack.Push(element);
                }
            }
        }
    }

    public static IEnumerable<XmlElement> ChildElements(XmlElement parent)
    {
        for (var child = parent.FirstChild; child is not null; child = child.NextSibling)
        {
            if (child is XmlElement element)
            {
                yield return element;
            }
        }
    }

    public static XmlElement? Child(XmlElement? parent, string ns, string localName)
    {
        if (parent is null)
        {
            return null;
        }

        foreach (var element in ChildElements(parent))
        {
            if (element.LocalName == localName && element.NamespaceURI == ns)
            {
                return element;
            }
        }

        return null;
    }

    public static IEnumerable<XmlElement> Children(XmlElement? parent, string ns, string localName) =>
        parent is null ? [] : ChildElements(parent).Where(e => e.LocalName == localName && e.NamespaceURI == ns);

    /// <summary>
    /// Canonicalizes <paramref name="element"/> as a document subset in its context (see <see cref="XmlCanonicalizer"/>).
    /// Comments are excluded unless the algorithm is a #WithComments variant.
    /// </summary>
    /// <param name="element">The apex element.</param>
    /// <param name="algorithm">A C14N 1.0 or exclusive C14N 1.0 URI.</param>
    /// <param name="transformElement">The ds:Transform element, for an exclusive InclusiveNamespaces PrefixList.</param>
    public static byte[] Canonicalize(XmlElement element, string algorithm, XmlElement? transformElement = null)
    {
        var (exclusive, withComments) = algorithm switch
        {
            XadesNames.InclusiveC14N => (false, false),
            XadesNames.InclusiveC14NWithComments => (false, true),
            XadesNames.ExclusiveC14N => (true, false),
            XadesNames.ExclusiveC14NWithComments => (true, true),
            _ => throw new XadesException(XadesErrorCodes.UnsupportedAlgorithm, "Unsupported canonicalization algorithm."),
        };

        string[]? prefixes = null;
        if (exclusive && Child(transformElement, algorithm.Replace("#WithComments", "#", StringComparison.Ordinal), "InclusiveNamespaces") is { } inclusive)
        {
            prefixes = inclusive.GetAttribute("PrefixList").Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
        }

        return XmlCanonicalizer.Canonicalize(element, exclusive, withComments, prefixes);
    }

    /// <summary>
    /// Returns <paramref name="parsed"/>'s bytes with <paramref name="fragment"/> inserted immediately before the end tag of
    /// <paramref name="element"/>. Everything else stays byte for byte.
    /// </summary>
    public static byte[] InsertBeforeEndTag(Parsed parsed, XmlElement element, string fragment)
    {
        var charIndex = FindEndTag(parsed, element);
        var byteIndex = parsed.BomLength + StrictUtf8.GetByteCount(parsed.Text.AsSpan(0, charIndex));
        var insert = StrictUtf8.GetBytes(fragment);
        var result = new byte[parsed.Bytes.Length + insert.Length];
        parsed.Bytes.AsSpan(0, byteIndex).CopyTo(result);
        insert.CopyTo(result.AsSpan(byteIndex));
        parsed.Bytes.AsSpan(byteIndex).CopyTo(result.AsSpan(byteIndex + insert.Length));
        return result;
    }

    private static int FindEndTag(Parsed parsed, XmlElement element)
    {
        if (!element.IsEmpty && FindOnlyEndTag(parsed.Text, element.Name) is { } only)
        {
            return only;
        }

        // 1. Position of the element in document order.
        var ordinal = 0;
        var found = false;
        foreach (var candidate in Descendants(parsed.Document.DocumentElement))
        {
            if (ReferenceEquals(candidate, element))
            {
                found = true;
                break;
            }

            ordinal++;
        }

        if (!found || element.IsEmpty)
        {
            throw new XadesException(XadesErrorCodes.StructureInvalid, "The insertion point has no end tag.");
        }

        // 2. Walk the text with a reader to that element's end tag and map its line/column to a string index.
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        using var reader = XmlReader.Create(new StringReader(parsed.Text), settings);
        var info = (IXmlLineInfo)reader;
        var seen = -1;
        var targetDepth = -1;
        while (reader.Read())
        {
            if (targetDepth < 0 && reader.NodeType == XmlNodeType.Element)
            {
                seen++;
                if (seen == ordinal)
                {
                    targetDepth = reader.Depth;
                }
            }
            else if (targetDepth >= 0 && reader.NodeType == XmlNodeType.EndElement && reader.Depth == targetDepth)
            {
                var index = ToIndex(parsed.Text, info.LineNumber, info.LinePosition) - 2;
                if (index < 0 || !parsed.Text.AsSpan(index).StartsWith("</" + element.Name, StringComparison.Ordinal))
                {
                    throw new XadesException(XadesErrorCodes.StructureInvalid, "Could not locate the end tag.");
                }

                return index;
            }
        }

        throw new XadesException(XadesErrorCodes.StructureInvalid, "Could not locate the end tag.");
    }

    /// <summary>
    /// The index of the one end tag named <paramref name="name"/> in <paramref name="text"/>, or null when the text has none
    /// or more than one.
    /// </summary>
    /// <remarks>
    /// Note: the shortcut that spares a second parse of the document (half of assembling a signed document). A non-empty
    /// element's own end tag is always in the text, written <c>&lt;/name S? &gt;</c>; anything else that looks like one
    /// (another element's, or text in a comment, CDATA section or processing instruction) only adds matches. So when the
    /// name's end tag appears exactly once, it is the element's own.
    /// </remarks>
    internal static int? FindOnlyEndTag(string text, string name)
    {
        var pattern = "</" + name;
        var found = -1;
        for (var i = text.IndexOf(pattern, StringComparison.Ordinal); i >= 0; i = text.IndexOf(pattern, i + pattern.Length, StringComparison.Ordinal))
        {
            var end = i + pattern.Length;
            while (end < text.Length && text[end] is ' ' or '\t' or '\r' or '\n')
            {
                end++;
            }

            if (end < text.Length && text[end] == '>')
            {
                if (found >= 0)
                {
                    return null;
                }

                found = i;
            }
        }

        return found >= 0 ? found : null;
    }

    private static int ToIndex(string text, int line, int column)
    {
        var currentLine = 1;
        var i = 0;
        while (currentLine < line && i < text.Length)
        {
            var c = text[i++];
            if (c == '\n')
            {
                currentLine++;
            }
            else if (c == '\r')
            {
                if (i < text.Length && text[i] == '\n')
                {
                    i++;
                }

                currentLine++;
            }
        }

        return i + column - 1;
    }

    /// <summary>Base64 in 76-character lines separated and terminated by LF, as in the MEDIS samples.</summary>
    public static string Base64Lines(ReadOnlySpan<byte> data)
    {
        var base64 = Convert.ToBase64String(data);
        var builder = new StringBuilder(base64.Length + (base64.Length / 76) + 2);
        for (var i = 0; i < base64.Length; i += 76)
        {
            builder.Append(base64, i, Math.Min(76, base64.Length - i)).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>Decodes element text as Base64 (whitespace allowed); null when invalid.</summary>
    public static byte[]? DecodeBase64(XmlElement? element)
    {
        if (element is null)
        {
            return null;
        }

        var text = element.InnerText;
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer.AsSpan(0, written).ToArray() : null;
    }

    /// <summary>Escapes text for an XML attribute value or character data.</summary>
    public static string Escape(string value) =>
        value.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("\"", "&quot;", StringComparison.Ordinal);

    /// <summary>A fresh Id in the samples' style: "id" + 8 random hex digits (+ suffix).</summary>
    public static string NewId(string suffix = "") =>
        "id" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)) + suffix;

    /// <summary>The prefix bound to <paramref name="ns"/> at <paramref name="context"/>, or null if it is unbound or default.</summary>
    public static string? PrefixOf(XmlElement context, string ns)
    {
        var prefix = context.GetPrefixOfNamespace(ns);
        return string.IsNullOrEmpty(prefix) ? null : prefix;
    }
}
