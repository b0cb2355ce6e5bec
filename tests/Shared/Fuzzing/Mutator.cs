using System.Text;

namespace SignatureService.Testing.Fuzzing;

/// <summary>
/// A small, seeded, deterministic byte mutator for corpus-driven fuzz tests. The same seed and the same seeds-corpus give
/// the same sequence of inputs on every machine, so a failure printed with its seed and iteration is reproducible.
/// Mutations: bit flips, interesting bytes, byte insert/delete, truncation, chunk duplication, splicing two seeds,
/// length-field inflation (DER long form and CBOR 64-bit heads up to 2^63), invalid UTF-8, BOMs, NULs, overlong numbers,
/// and format tokens supplied by the caller (XML, JSON or CSV fragments).
/// </summary>
public sealed class Mutator
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x20, 0x0A, 0x0D, 0x22, 0x2C, 0x3C, 0x3E, 0x26, 0x5C, 0x7B, 0x5B];

    private static readonly byte[][] Fragments =
    [
        [0xC0, 0x80],                         // overlong NUL
        [0xED, 0xA0, 0x80],                   // UTF-16 surrogate encoded in UTF-8
        [0xF8, 0x88, 0x80, 0x80, 0x80],       // 5-byte sequence
        [0xFF],                               // never valid in UTF-8
        [0xE3, 0x81],                         // truncated 3-byte sequence
        [0xEF, 0xBB, 0xBF],                   // UTF-8 BOM
        [0xFE, 0xFF],                         // UTF-16 BOM
        [0x00],                               // NUL
        [0x00, 0x00, 0x00, 0x00],
        "99999999999999999999999999999999999999"u8.ToArray(),
        "-9223372036854775809"u8.ToArray(),
        "1e999999"u8.ToArray(),
        "NaN"u8.ToArray(),
        "\u202E"u8.ToArray(),                 // right-to-left override
        [0x30, 0x88, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], // DER SEQUENCE, length 2^63-1
        [0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF], // DER OCTET STRING, length 2^32-1
        [0x5B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], // CBOR byte string, length 2^63-1
        [0x9B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], // CBOR array, 2^63-1 items
        [0xBB, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], // CBOR map, 2^63-1 pairs
        [0x1B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], // CBOR uint 2^64-1
    ];

    private readonly Random _random;
    private readonly byte[][] _tokens;

    /// <summary>Creates a mutator.</summary>
    /// <param name="seed">The random seed; print it on failure.</param>
    /// <param name="tokens">Format fragments to insert (e.g. <c>&lt;!DOCTYPE</c>, <c>{</c>, <c>","</c>); may be empty.</param>
    public Mutator(int seed, params string[] tokens)
    {
        Seed = seed;
        _random = new Random(seed);
        _tokens = [.. tokens.Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>The seed this mutator was created with.</summary>
    public int Seed { get; }

    /// <summary>
    /// For text formats: three mutations in four are made valid UTF-8 again (invalid sequences become U+FFFD), so that most
    /// inputs get past the encoding check and reach the parser; the rest keep their invalid bytes for the encoding check.
    /// </summary>
    public bool MostlyValidUtf8 { get; init; }

    /// <summary>A random integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive) => _random.Next(maxExclusive);

    /// <summary>Applies one to four random mutations to a copy of <paramref name="input"/>; <paramref name="other"/> is used for splicing.</summary>
    public byte[] Mutate(ReadOnlySpan<byte> input, ReadOnlySpan<byte> other = default)
    {
        var data = new List<byte>(input.Length + 16);
        data.AddRange(input);
        var count = 1 + _random.Next(4);
        for (var i = 0; i < count; i++)
        {
            MutateOnce(data, other);
        }

        return MostlyValidUtf8 && _random.Next(4) != 0 ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString([.. data])) : [.. data];
    }

    private void MutateOnce(List<byte> data, ReadOnlySpan<byte> other)
    {
        var position = data.Count == 0 ? 0 : _random.Next(data.Count);
        switch (_random.Next(12))
        {
            case 0 when data.Count > 0:
                data[position] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[position] = InterestingBytes[_random.Next(InterestingBytes.Length)];
                break;
            case 2:
                var inserted = new byte[1 + _random.Next(8)];
                _random.NextBytes(inserted);
                data.InsertRange(Math.Min(position, data.Count), inserted);
                break;
            case 3 when data.Count > 0:
                data.RemoveRange(position, Math.Min(data.Count - position, 1 + _random.Next(16)));
                break;
            case 4 when data.Count > 0:
                data.RemoveRange(position, data.Count - position);
                break;
            case 5 when data.Count > 0:
                // Duplicate a chunk elsewhere (repeated elements, records, map entries).
                var length = Math.Min(data.Count - position, 1 + _random.Next(64));
                var chunk = data.GetRange(position, length);
                data.InsertRange(_random.Next(data.Count + 1), chunk);
                break;
            case 6:
                data.InsertRange(Math.Min(position, data.Count), Fragments[_random.Next(Fragments.Length)]);
                break;
            case 7 when _tokens.Length > 0:
                data.InsertRange(Math.Min(position, data.Count), _tokens[_random.Next(_tokens.Length)]);
                break;
            case 8 when data.Count > 0:
                InflateLength(data, position);
                break;
            case 9 when !other.IsEmpty && data.Count > 0:
                // Splice: our head, the other seed's tail.
                var cut = _random.Next(other.Length);
                data.RemoveRange(position, data.Count - position);
                data.AddRange(other[cut..].ToArray());
                break;
            case 10 when data.Count > 0:
                // Overwrite a run with one repeated byte.
                var value = InterestingBytes[_random.Next(InterestingBytes.Length)];
                for (var i = position; i < Math.Min(data.Count, position + 1 + _random.Next(32)); i++)
                {
                    data[i] = value;
                }

                break;
            case 11 when data.Count > 1:
                // Swap two bytes (reorders fields, tags and lengths).
                var j = _random.Next(data.Count);
                (data[position], data[j]) = (data[j], data[position]);
                break;
            default:
                data.Insert(Math.Min(position, data.Count), (byte)_random.Next(256));
                break;
        }
    }

    /// <summary>
    /// Rewrites the length at <paramref name="position"/> as if it were a DER length octet (long form, up to 2^63-1) or a CBOR
    /// head (additional information 27: a 64-bit argument), keeping the major type, so the declared size exceeds the input.
    /// </summary>
    private void InflateLength(List<byte> data, int position)
    {
        var huge = _random.Next(3) switch
        {
            0 => new byte[] { 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF },
            1 => [0x00, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF],
            _ => [0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00],
        };
        if (_random.Next(2) == 0)
        {
            // DER: replace the length octet after this byte (taken as a tag) by 0x88 + 8 octets.
            var lengthAt = Math.Min(position + 1, data.Count);
            if (lengthAt < data.Count)
            {
                data.RemoveAt(lengthAt);
            }

            data.InsertRange(lengthAt, [0x88, .. huge]);
        }
        else
        {
            // CBOR: keep the major type, set additional information 27 and append the 64-bit argument.
            data[position] = (byte)((data[position] & 0xE0) | 27);
            data.InsertRange(position + 1, huge);
        }
    }

    /// <summary>Every proper prefix of <paramref name="input"/> (truncation at every length), for small seeds.</summary>
    public static IEnumerable<byte[]> Truncations(byte[] input)
    {
        for (var length = 0; length < input.Length; length++)
        {
            yield return input[..length];
        }
    }

    /// <summary>
    /// The standard corpus: the seeds themselves, every truncation of seeds up to <paramref name="truncateUpTo"/> bytes, then
    /// <paramref name="iterations"/> mutations of randomly chosen seeds (spliced with another seed now and then).
    /// </summary>
    public IEnumerable<FuzzInput> Corpus(IReadOnlyList<byte[]> seeds, int iterations, int truncateUpTo = 512)
    {
        var index = 0;
        foreach (var seed in seeds)
        {
            yield return new FuzzInput(index++, "seed", seed);
        }

        foreach (var seed in seeds.Where(s => s.Length <= truncateUpTo))
        {
            foreach (var prefix in Truncations(seed))
            {
                yield return new FuzzInput(index++, "truncation", prefix);
            }
        }

        for (var i = 0; i < iterations; i++)
        {
            var seed = seeds[_random.Next(seeds.Count)];
            var other = seeds[_random.Next(seeds.Count)];
            yield return new FuzzInput(index++, "mutation", Mutate(seed, other));
        }
    }
}

/// <summary>One input of a fuzz corpus.</summary>
/// <param name="Index">Its position in the corpus (with the seed, enough to reproduce it).</param>
/// <param name="Kind">seed, truncation, mutation or hostile.</param>
/// <param name="Data">The bytes.</param>
public sealed record FuzzInput(int Index, string Kind, byte[] Data);
