using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SignatureService.Api.Features.Approvals;

/// <summary>One document as the Signature Activation Data names it.</summary>
/// <param name="RequestId">The signature request.</param>
/// <param name="Ordinal">The document's position in its request, from 1.</param>
/// <param name="DocumentType">Wire name of the document type (e.g. <c>prescription</c>).</param>
/// <param name="Sha256">SHA-256 of the exact document bytes (32 bytes).</param>
public sealed record ActivationDocument(Guid RequestId, int Ordinal, string DocumentType, ReadOnlyMemory<byte> Sha256);

/// <summary>
/// The Signature Activation Data (SAD) of an approval transaction and its canonical encoding. The WebAuthn challenge is
/// SHA-256 of the encoding, so the signer's assertion commits to exactly these documents, this signer, these keys, this nonce
/// and this expiry; the server recomputes the encoding from stored state when the assertion arrives.
/// <para>
/// Encoding, version 1 (all integers unsigned big-endian; <c>field(x)</c> is a 4-byte length followed by the bytes of x):
/// <code>
/// field("signsvc-sad-v1")                      ASCII domain separator
/// field(approval id)                           16 bytes, RFC 9562 byte order (big-endian)
/// field(signer user id)                        16 bytes, big-endian
/// field(nonce)                                 32 bytes
/// field(expires-at)                            8 bytes: Unix time in milliseconds (signed 64-bit)
/// uint32 n, then n × field(credential id)      allowed credential ids, sorted by unsigned bytewise comparison
/// uint32 m, then m × {                         documents, sorted by request id (big-endian bytes) then ordinal
///     field(request id)                        16 bytes, big-endian
///     uint32 ordinal
///     field(document type)                     UTF-8
///     field(sha256)                            32 bytes
/// }
/// </code>
/// Length prefixes make the encoding injective (no two different transactions share an encoding); sorting makes it
/// independent of the order in which the signer listed requests. Thread-safe (immutable).
/// </para>
/// </summary>
/// <param name="ApprovalId">The transaction id.</param>
/// <param name="SignerUserId">The signer.</param>
/// <param name="Nonce">32 random bytes.</param>
/// <param name="ExpiresAt">End of validity (exclusive), millisecond precision.</param>
/// <param name="AllowedCredentialIds">The signer's credential ids allowed to approve (1–64).</param>
/// <param name="Documents">The documents approved (1–100).</param>
public sealed record SignatureActivationData(
    Guid ApprovalId,
    Guid SignerUserId,
    ReadOnlyMemory<byte> Nonce,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<ReadOnlyMemory<byte>> AllowedCredentialIds,
    IReadOnlyList<ActivationDocument> Documents)
{
    /// <summary>The domain separator of version 1.</summary>
    public const string Version1 = "signsvc-sad-v1";

    /// <summary>The canonical encoding (version 1).</summary>
    public byte[] Encode()
    {
        using var stream = new MemoryStream();
        Field(stream, Encoding.ASCII.GetBytes(Version1));
        Field(stream, ApprovalId.ToByteArray(bigEndian: true));
        Field(stream, SignerUserId.ToByteArray(bigEndian: true));
        Field(stream, Nonce.Span);
        Span<byte> expires = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(expires, ExpiresAt.ToUnixTimeMilliseconds());
        Field(stream, expires);

        var credentials = AllowedCredentialIds.Select(c => c.ToArray()).ToList();
        credentials.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        UInt32(stream, credentials.Count);
        foreach (var credential in credentials)
        {
            Field(stream, credential);
        }

        var documents = Documents
            .Select(d => (Request: d.RequestId.ToByteArray(bigEndian: true), Document: d))
            .ToList();
        documents.Sort((a, b) =>
        {
            var byRequest = a.Request.AsSpan().SequenceCompareTo(b.Request);
            return byRequest != 0 ? byRequest : a.Document.Ordinal.CompareTo(b.Document.Ordinal);
        });
        UInt32(stream, documents.Count);
        foreach (var (request, document) in documents)
        {
            Field(stream, request);
            UInt32(stream, document.Ordinal);
            Field(stream, Encoding.UTF8.GetBytes(document.DocumentType));
            Field(stream, document.Sha256.Span);
        }

        return stream.ToArray();
    }

    /// <summary>The WebAuthn challenge: SHA-256 of <see cref="Encode"/> (32 bytes).</summary>
    public byte[] Challenge() => SHA256.HashData(Encode());

    private static void Field(MemoryStream stream, ReadOnlySpan<byte> value)
    {
        UInt32(stream, value.Length);
        stream.Write(value);
    }

    private static void UInt32(MemoryStream stream, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, checked((uint)value));
        stream.Write(bytes);
    }
}
