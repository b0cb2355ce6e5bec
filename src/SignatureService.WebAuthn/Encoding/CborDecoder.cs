using System.Formats.Cbor;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Parsing;

/// <summary>
/// Decodes untrusted CBOR into a small tree with hard limits: nesting depth, item count and input length.
/// Every decoding failure becomes <see cref="WebAuthnErrorCodes.Malformed"/>; nothing else escapes.
/// </summary>
internal static class CborDecoder
{
    /// <summary>Maximum nesting depth (arrays and maps) accepted; WebAuthn structures need at most 4.</summary>
    public const int MaxDepth = 8;

    /// <summary>Maximum number of data items in one decoded value.</summary>
    public const int MaxItems = 4096;

    /// <summary>Decodes exactly one CBOR data item that must span the whole input.</summary>
    public static object? DecodeSingle(ReadOnlyMemory<byte> data)
    {
        var (value, length) = DecodeFirst(data);
        if (length != data.Length)
        {
            throw WebAuthnException.Malformed("Trailing bytes after the CBOR data item.");
        }

        return value;
    }

    /// <summary>Decodes the first CBOR data item of <paramref name="data"/> and returns it with its encoded length in bytes.</summary>
    public static (object? Value, int Length) DecodeFirst(ReadOnlyMemory<byte> data)
    {
        try
        {
            var reader = new CborReader(data, CborConformanceMode.Strict, allowMultipleRootLevelValues: true);
            var items = 0;
            var value = Read(reader, 0, ref items);
            return (value, data.Length - reader.BytesRemaining);
        }
        catch (CborContentException ex)
        {
            throw WebAuthnException.Malformed("Invalid CBOR.", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw WebAuthnException.Malformed("Invalid CBOR structure.", ex);
        }
        catch (OverflowException ex)
        {
            throw WebAuthnException.Malformed("CBOR integer out of range.", ex);
        }
        catch (FormatException ex)
        {
            throw WebAuthnException.Malformed("Invalid CBOR text.", ex);
        }
        catch (ArgumentException ex)
        {
            throw WebAuthnException.Malformed("Invalid CBOR map.", ex);
        }
    }

    private static object? Read(CborReader reader, int depth, ref int items)
    {
        if (++items > MaxItems)
        {
            throw WebAuthnException.Malformed("Too many CBOR items.");
        }

        switch (reader.PeekState())
        {
            case CborReaderState.UnsignedInteger:
            case CborReaderState.NegativeInteger:
                return reader.ReadInt64();
            case CborReaderState.ByteString:
                return reader.ReadByteString();
            case CborReaderState.TextString:
                return reader.ReadTextString();
            case CborReaderState.Boolean:
                return reader.ReadBoolean();
            case CborReaderState.Null:
                reader.ReadNull();
                return null;
            case CborReaderState.HalfPrecisionFloat:
            case CborReaderState.SinglePrecisionFloat:
            case CborReaderState.DoublePrecisionFloat:
                return reader.ReadDouble();
            case CborReaderState.StartArray:
                return ReadArray(reader, depth + 1, ref items);
            case CborReaderState.StartMap:
                return ReadMap(reader, depth + 1, ref items);
            default:
                throw WebAuthnException.Malformed("Unsupported CBOR item (tags, undefined, indefinite strings).");
        }
    }

    private static List<object?> ReadArray(CborReader reader, int depth, ref int items)
    {
        CheckDepth(depth);
        var length = reader.ReadStartArray() ?? throw WebAuthnException.Malformed("Indefinite-length CBOR array.");
        if (length > MaxItems)
        {
            throw WebAuthnException.Malformed("CBOR array too long.");
        }

        var list = new List<object?>(length);
        for (var i = 0; i < length; i++)
        {
            list.Add(Read(reader, depth, ref items));
        }

        reader.ReadEndArray();
        return list;
    }

    private static CborMap ReadMap(CborReader reader, int depth, ref int items)
    {
        CheckDepth(depth);
        var length = reader.ReadStartMap() ?? throw WebAuthnException.Malformed("Indefinite-length CBOR map.");
        if (length > MaxItems)
        {
            throw WebAuthnException.Malformed("CBOR map too long.");
        }

        var entries = new Dictionary<object, object?>(length);
        for (var i = 0; i < length; i++)
        {
            var key = Read(reader, depth, ref items);
            if (key is not (string or long))
            {
                throw WebAuthnException.Malformed("CBOR map key is neither text nor integer.");
            }

            var value = Read(reader, depth, ref items);
            if (!entries.TryAdd(key, value))
            {
                throw WebAuthnException.Malformed("Duplicate CBOR map key.");
            }
        }

        reader.ReadEndMap();
        return new CborMap(entries);
    }

    private static void CheckDepth(int depth)
    {
        if (depth > MaxDepth)
        {
            throw WebAuthnException.Malformed("CBOR nesting too deep.");
        }
    }
}
