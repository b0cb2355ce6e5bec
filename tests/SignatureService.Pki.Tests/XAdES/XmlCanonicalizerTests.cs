using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using SignatureService.Pki.XAdES;

namespace SignatureService.Pki.Tests.XAdES;

/// <summary>Our DOM canonicalizer against System.Security.Cryptography.Xml's C14N transforms (the independent oracle).</summary>
public sealed class XmlCanonicalizerTests
{
    private const string Tricky = """
        <?xml version="1.0" encoding="UTF-8"?>
        <r:root xmlns:r="urn:r" xmlns="urn:default" xmlns:unused="urn:unused" xml:lang="ja" xml:space="preserve">
          <!-- a comment -->
          <child b="2" a="1" r:z="3" xmlns:q="urn:q" q:attr="&quot;&lt;&amp;&#x9;&#xA;&#xD;">text &amp; &lt;tag&gt; &#xD; <![CDATA[<cdata> & ]]></child>
          <plain xmlns=""><inner xmlns="urn:other"><leaf xmlns=""/></inner></plain>
          <?pi some data?>
          <r:same xmlns:r="urn:r"><r:deeper xmlns:r="urn:r2" r:x="y"/></r:same>
          <e xml:lang="en"><f/></e>
        </r:root>
        """;

    public static TheoryData<string> Documents => ["Prescription-004_01.xml", "Dispensing-005_03.xml", "tricky"];

    [Theory]
    [MemberData(nameof(Documents))]
    public void Canonicalize_EveryElement_MatchesDotNetTransforms(string name)
    {
        var bytes = name == "tricky" ? Encoding.UTF8.GetBytes(Tricky) : TestFiles.Read(name);
        var document = XadesXml.Load(bytes, XadesLimits.Default).Document;
        var elements = XadesXml.Descendants(document.DocumentElement).ToList();
        Assert.True(elements.Count > 5);

        foreach (var element in elements)
        {
            foreach (var (exclusive, comments) in new[] { (false, false), (false, true), (true, false), (true, true) })
            {
                var expected = DotNet(element, exclusive, comments);
                var actual = XmlCanonicalizer.Canonicalize(element, exclusive, comments);
                var label = $"{element.Name} exclusive={exclusive} comments={comments}: ";
                Assert.Equal(label + Encoding.UTF8.GetString(expected), label + Encoding.UTF8.GetString(actual));
            }
        }
    }

    [Fact]
    public void Canonicalize_InclusiveNamespacePrefixList_MatchesDotNetTransform()
    {
        var document = XadesXml.Load(Encoding.UTF8.GetBytes(Tricky), XadesLimits.Default).Document;
        var child = (XmlElement)document.GetElementsByTagName("child")[0]!;
        var transform = new XmlDsigExcC14NTransform(false, "unused #default");

        var expected = Run(transform, Isolate(child, xmlAttributes: false));
        var actual = XmlCanonicalizer.Canonicalize(child, exclusive: true, withComments: false, ["unused", "#default"]);

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
        Assert.Contains("xmlns:unused=\"urn:unused\"", Encoding.UTF8.GetString(actual), StringComparison.Ordinal);
    }

    private static byte[] DotNet(XmlElement element, bool exclusive, bool comments)
    {
        Transform transform = exclusive ? new XmlDsigExcC14NTransform(comments) : new XmlDsigC14NTransform(comments);
        return Run(transform, Isolate(element, xmlAttributes: !exclusive));
    }

    // The way SignedXml resolves a same-document reference: the element copied into its own document with the
    // ancestors' namespace declarations (and, for C14N 1.0, xml:* attributes) made explicit on it.
    private static XmlDocument Isolate(XmlElement element, bool xmlAttributes)
    {
        var isolated = new XmlDocument { PreserveWhitespace = true };
        var copy = (XmlElement)isolated.ImportNode(element, deep: true);
        isolated.AppendChild(copy);
        for (var ancestor = element.ParentNode as XmlElement; ancestor is not null; ancestor = ancestor.ParentNode as XmlElement)
        {
            foreach (XmlAttribute attribute in ancestor.Attributes)
            {
                var inherited = attribute.NamespaceURI == "http://www.w3.org/2000/xmlns/" ||
                    (xmlAttributes && attribute.NamespaceURI == "http://www.w3.org/XML/1998/namespace");
                if (inherited && !copy.HasAttribute(attribute.Name))
                {
                    var declaration = isolated.CreateAttribute(attribute.Name, attribute.NamespaceURI);
                    declaration.Value = attribute.Value;
                    copy.Attributes.Append(declaration);
                }
            }
        }

        return isolated;
    }

    private static byte[] Run(Transform transform, XmlDocument input)
    {
        transform.LoadInput(input);
        using var output = (Stream)transform.GetOutput(typeof(Stream));
        using var buffer = new MemoryStream();
        output.CopyTo(buffer);
        return buffer.ToArray();
    }
}
