using System.Globalization;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Parsing;

/// <summary>
/// A decoded CBOR map whose keys are text strings or integers. Values are <see cref="long"/>, <see cref="byte"/> arrays,
/// <see cref="string"/>, <see cref="bool"/>, <see cref="double"/>, <c>null</c>, <see cref="IReadOnlyList{T}"/> of values, or nested <see cref="CborMap"/>.
/// </summary>
internal sealed class CborMap
{
    private readonly Dictionary<object, object?> _entries;

    public CborMap(Dictionary<object, object?> entries) => _entries = entries;

    public int Count => _entries.Count;

    public IEnumerable<object> Keys => _entries.Keys;

    public bool ContainsKey(object key) => _entries.ContainsKey(Normalize(key));

    public bool TryGet(object key, out object? value) => _entries.TryGetValue(Normalize(key), out value);

    public T Get<T>(object key, string errorCode)
    {
        if (_entries.TryGetValue(Normalize(key), out var value) && value is T typed)
        {
            return typed;
        }

        throw new WebAuthnException(errorCode, string.Create(CultureInfo.InvariantCulture, $"CBOR map entry '{key}' is missing or has the wrong type."));
    }

    public T? GetOptional<T>(object key, string errorCode)
        where T : class
    {
        if (!_entries.TryGetValue(Normalize(key), out var value))
        {
            return null;
        }

        return value as T ?? throw new WebAuthnException(errorCode, string.Create(CultureInfo.InvariantCulture, $"CBOR map entry '{key}' has the wrong type."));
    }

    public long GetInteger(object key, string errorCode) => Get<long>(key, errorCode);

    private static object Normalize(object key) => key is int i ? (long)i : key;
}
