using System.Runtime.InteropServices;

namespace SignatureService.Hsm.Cryptoki;

/// <summary>
/// A CK_ATTRIBUTE template (base §4.1) whose values live in native memory owned by this instance until disposal.
/// Used for object creation and search; not on the signing path.
/// </summary>
internal sealed unsafe class AttributeTemplate : IDisposable
{
    private readonly List<nint> _allocations = [];
    private CK_ATTRIBUTE[] _attributes = new CK_ATTRIBUTE[16];
    private int _count;

    /// <summary>The attributes added so far.</summary>
    public ReadOnlySpan<CK_ATTRIBUTE> Attributes => _attributes.AsSpan(0, _count);

    /// <summary>Adds a CK_BBOOL attribute.</summary>
    public AttributeTemplate Bool(ulong type, bool value)
    {
        ReadOnlySpan<byte> bytes = [value ? Ck.CK_TRUE : Ck.CK_FALSE];
        return Bytes(type, bytes);
    }

    /// <summary>Adds a CK_ULONG attribute (native byte order).</summary>
    public AttributeTemplate ULong(ulong type, ulong value) =>
        Bytes(type, MemoryMarshal.AsBytes(new ReadOnlySpan<ulong>(in value)));

    /// <summary>Adds a byte-array attribute (copied).</summary>
    public AttributeTemplate Bytes(ulong type, ReadOnlySpan<byte> value)
    {
        var memory = NativeMemory.Alloc((nuint)Math.Max(value.Length, 1));
        _allocations.Add((nint)memory);
        value.CopyTo(new Span<byte>(memory, value.Length));
        if (_count == _attributes.Length)
        {
            Array.Resize(ref _attributes, _count * 2);
        }

        _attributes[_count++] = new CK_ATTRIBUTE { type = type, pValue = memory, ulValueLen = (ulong)value.Length };
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var allocation in _allocations)
        {
            NativeMemory.Free((void*)allocation);
        }

        _allocations.Clear();
        _count = 0;
    }
}
