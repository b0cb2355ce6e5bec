using System.Text.RegularExpressions;

namespace SignatureService.WebAuthn.Tests;

/// <summary>One example of the W3C WebAuthn L3 "Test Vectors" section: its registration and authentication values.</summary>
internal sealed record W3cVector(string Id, string Title, IReadOnlyDictionary<string, byte[]> Registration, IReadOnlyDictionary<string, byte[]> Authentication);

/// <summary>Parses TestData/w3c-webauthn-l3-test-vectors.bs (the spec source, unmodified).</summary>
internal static partial class W3cTestVectors
{
    private static readonly Lazy<(byte[] Root, Dictionary<string, W3cVector> Vectors)> Parsed = new(Parse);

    public static byte[] AttestationRootCertificate => Parsed.Value.Root;

    public static IEnumerable<string> Ids => Parsed.Value.Vectors.Keys;

    public static W3cVector Get(string id) => Parsed.Value.Vectors[id];

    private static (byte[], Dictionary<string, W3cVector>) Parse()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "w3c-webauthn-l3-test-vectors.bs"));
        byte[]? root = null;
        var vectors = new Dictionary<string, W3cVector>(StringComparer.Ordinal);
        foreach (var section in text.Split("\n## ").Skip(1))
        {
            var heading = HeadingRegex().Match(section);
            var blocks = BlockRegex().Matches(section).Select(m => Values(m.Groups[1].Value)).ToList();
            if (heading.Groups[2].Value == "sctn-test-vectors-attestation-root-cert")
            {
                root = blocks[0]["attestation_ca_cert"];
                continue;
            }

            var id = heading.Groups[2].Value.Replace("sctn-test-vectors-", string.Empty, StringComparison.Ordinal);
            vectors[id] = new W3cVector(id, heading.Groups[1].Value.Trim(), blocks[0], blocks[1]);
        }

        return (root ?? throw new InvalidDataException("No attestation root in the vectors."), vectors);
    }

    private static Dictionary<string, byte[]> Values(string block)
    {
        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (Match m in ValueRegex().Matches(block))
        {
            values[m.Groups[1].Value] = Convert.FromHexString(m.Groups[2].Value);
        }

        return values;
    }

    [GeneratedRegex(@"^(.*?)##\s*\{#([^}]+)\}")]
    private static partial Regex HeadingRegex();

    [GeneratedRegex(@"<xmp[^>]*>(.*?)</xmp>", RegexOptions.Singleline)]
    private static partial Regex BlockRegex();

    [GeneratedRegex(@"^([A-Za-z_]+) = h'([0-9a-f]*)'", RegexOptions.Multiline)]
    private static partial Regex ValueRegex();
}
