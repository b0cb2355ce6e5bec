using System.Text;

namespace SignatureService.Testing.Fuzzing;

/// <summary>Hand-made hostile inputs that random mutation rarely finds: depth bombs, entity expansion, external entities, huge declared sizes.</summary>
public static class HostileCorpus
{
    /// <summary>XML fragments for <see cref="Mutator"/>.</summary>
    public static readonly string[] XmlTokens =
    [
        "<!DOCTYPE d [<!ENTITY e \"eeeeeeeeee\">]>", "&e;", "&amp;", "&#0;", "&#x110000;", "<![CDATA[", "]]>", "<!--", "-->",
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?>", "<?pi x?>", "xmlns=\"urn:x\"", "xmlns:a=\"\"", " id=\"x\"", " Id=\"x\"",
        "<a>", "</a>", "/>", "\"", "'", "<", ">", "=", "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/>",
    ];

    /// <summary>JSON fragments for <see cref="Mutator"/>.</summary>
    public static readonly string[] JsonTokens =
    [
        "{", "}", "[", "]", "\"", ":", ",", "null", "true", "-0", "1e309", "18446744073709551616", "\"\\u0000\"", "\"\\ud800\"",
        "/*c*/", "\"a\":1,", "\"a\":1,\"a\":2", "{\"$ref\":\"#\"}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    ];

    /// <summary>CSV fragments for <see cref="Mutator"/>.</summary>
    public static readonly string[] CsvTokens =
    [
        ",", "\"", "\"\"", "\r\n", "\n", "\r", ",,,,,,,,,,,,,,,,", "1,", "9999999999999999999999,", "-1,", "2026-02-30", "0000-00-00",
        "doctor,", "active", "revoked", "=cmd|' /C calc'!A0",
    ];

    /// <summary>Elements nested <paramref name="depth"/> deep.</summary>
    public static byte[] XmlDepthBomb(int depth) =>
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<a>", depth)) + string.Concat(Enumerable.Repeat("</a>", depth)));

    /// <summary>The "billion laughs": ten levels of ten-fold entity expansion.</summary>
    public static byte[] BillionLaughs()
    {
        var builder = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
        for (var i = 1; i <= 9; i++)
        {
            builder.Append("<!ENTITY lol").Append(i).Append(" \"");
            for (var j = 0; j < 10; j++)
            {
                builder.Append("&lol").Append(i == 1 ? string.Empty : (i - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(';');
            }

            builder.Append("\">\n");
        }

        builder.Append("]>\n<lolz>&lol9;</lolz>");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>External entity (XXE) attempts: SYSTEM file and URL entities, parameter entities, an external DTD.</summary>
    public static IEnumerable<byte[]> ExternalEntities() =>
    [
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>"u8.ToArray(),
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"http://127.0.0.1:1/xxe\">]><r>&x;</r>"u8.ToArray(),
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/p.dtd\"> %p;]><r/>"u8.ToArray(),
        "<?xml version=\"1.0\"?><!DOCTYPE r SYSTEM \"http://127.0.0.1:1/r.dtd\"><r/>"u8.ToArray(),
        "<?xml version=\"1.0\"?><r xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"file:///etc/passwd\" parse=\"text\"/></r>"u8.ToArray(),
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?><r/>"u8.ToArray(),
        "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><r/>"u8.ToArray(),
        "\uFEFF<?xml version=\"1.0\" encoding=\"UTF-8\"?><!DOCTYPE r><r/>"u8.ToArray(),
    ];

    /// <summary>JSON arrays nested <paramref name="depth"/> deep.</summary>
    public static byte[] JsonDepthBomb(int depth) =>
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("[", depth)) + string.Concat(Enumerable.Repeat("]", depth)));

    /// <summary>JSON objects nested <paramref name="depth"/> deep under a key.</summary>
    public static byte[] JsonObjectDepthBomb(int depth) =>
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + string.Concat(Enumerable.Repeat("}", depth)));

    /// <summary>CBOR one-element arrays nested <paramref name="depth"/> deep around 0.</summary>
    public static byte[] CborDepthBomb(int depth) => [.. Enumerable.Repeat((byte)0x81, depth), 0x00];

    /// <summary>CBOR heads and DER headers that declare sizes far beyond the input (up to 2^63-1).</summary>
    public static IEnumerable<byte[]> HugeDeclaredSizes() =>
    [
        [0x5B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
        [0x7B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x61],
        [0x9B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
        [0xBB, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00],
        [0xBA, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02],
        [0x9A, 0x00, 0x01, 0x00, 0x00, 0x00],
        [0xA1, 0x1B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
        [0xA1, 0x3B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
        [0xC6, 0xC6, 0xC6, 0xC6, 0x00],
        [0x5F, 0x41, 0x00, 0xFF],
        [0x30, 0x88, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x01, 0x01],
        [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x01, 0x01],
        [0x30, 0x89, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
        [0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00],
        [0x30, 0x03, 0x02, 0x81, 0x01],
        [0x30, 0x82, 0x00, 0x03, 0x02, 0x01, 0x01],
        [0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x00],
        [0x30, 0x06, 0x06, 0x84, 0x7F, 0xFF, 0xFF, 0xFF],
    ];

    /// <summary>A DER SEQUENCE nested <paramref name="depth"/> deep (definite lengths, so it is valid BER/DER structure).</summary>
    public static byte[] DerDepthBomb(int depth)
    {
        byte[] inner = [0x05, 0x00];
        for (var i = 0; i < depth; i++)
        {
            inner = [0x30, .. DerLength(inner.Length), .. inner];
        }

        return inner;
    }

    private static byte[] DerLength(int length) => length switch
    {
        < 0x80 => [(byte)length],
        < 0x100 => [0x81, (byte)length],
        < 0x10000 => [0x82, (byte)(length >> 8), (byte)length],
        _ => [0x83, (byte)(length >> 16), (byte)(length >> 8), (byte)length],
    };
}
