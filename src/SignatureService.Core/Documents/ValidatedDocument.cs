using System.Security.Cryptography;

namespace SignatureService.Core.Documents;

/// <summary>
/// Where the XAdES "internal detached" signature of a document goes: the <c>id</c> it references and the element that
/// will hold the <c>ds:Signature</c> (DOMAIN.md §3).
/// </summary>
/// <param name="TargetId">The <c>id</c> attribute value the first signature reference points at (<c>URI="#TargetId"</c>).</param>
/// <param name="SignatureElementName">Name of the element that wraps <c>ds:Signature</c>, e.g. <c>PrescriptionSign</c>.</param>
/// <param name="ParentElementPath">Slash-separated path from the root to the element that receives the signature element
/// as its last child, e.g. <c>Document/Prescription</c>.</param>
public sealed record DocumentSignatureLayout(string TargetId, string SignatureElementName, string ParentElementPath)
{
    /// <summary>No place in the document: the signature is a detached CMS (CAdES) beside the bytes.</summary>
    public static DocumentSignatureLayout DetachedCms { get; } = new("", "", "");
}

/// <summary>
/// A document that passed validation: the exact bytes to store, show and sign, their SHA-256, and what the signer reviews.
/// Immutable and safe to share between threads.
/// </summary>
public sealed class ValidatedDocument
{
    private readonly byte[] _content;
    private readonly byte[] _sha256;

    /// <summary>Creates a validated document from a private copy of <paramref name="content"/> and computes its SHA-256.</summary>
    /// <param name="type">The document type.</param>
    /// <param name="documentId">The document's own identifier.</param>
    /// <param name="content">The canonical bytes.</param>
    /// <param name="signatureLayout">Where the signature goes.</param>
    /// <param name="display">What the signer reviews.</param>
    /// <param name="summary">One line for lists.</param>
    /// <param name="mediaType">Media type of the bytes; <c>application/xml</c> for the XML formats.</param>
    public ValidatedDocument(
        DocumentType type, string documentId, ReadOnlySpan<byte> content, DocumentSignatureLayout signatureLayout, DocumentDisplay display, string summary,
        string mediaType = "application/xml")
    {
        ArgumentException.ThrowIfNullOrEmpty(mediaType);
        MediaType = mediaType;
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        ArgumentNullException.ThrowIfNull(signatureLayout);
        ArgumentNullException.ThrowIfNull(display);
        ArgumentException.ThrowIfNullOrEmpty(summary);
        Type = type;
        DocumentId = documentId;
        _content = content.ToArray();
        _sha256 = SHA256.HashData(content);
        SignatureLayout = signatureLayout;
        Display = display;
        Summary = summary;
    }

    /// <summary>The document type.</summary>
    public DocumentType Type { get; }

    /// <summary>Media type of <see cref="Content"/>: <c>application/xml</c> (UTF-8) for the XML formats, <c>application/pdf</c> for attachments.</summary>
    public string MediaType { get; }

    /// <summary>The document's own identifier: PrescriptionId, DispensingId or the death certificate's DocumentId.</summary>
    public string DocumentId { get; }

    /// <summary>Canonical bytes: exactly what is stored, rendered and signed (UTF-8 XML, at most 1 MiB for submitted XML).</summary>
    public ReadOnlyMemory<byte> Content => _content;

    /// <summary>SHA-256 of <see cref="Content"/> (32 bytes).</summary>
    public ReadOnlyMemory<byte> Sha256 => _sha256;

    /// <summary>SHA-256 of <see cref="Content"/> as 64 lower-case hexadecimal characters.</summary>
    public string Sha256Hex => Convert.ToHexStringLower(_sha256);

    /// <summary>Where the signature goes in this document.</summary>
    public DocumentSignatureLayout SignatureLayout { get; }

    /// <summary>What the signer reviews before approving (a record per document type).</summary>
    public DocumentDisplay Display { get; }

    /// <summary>One line for lists, free of patient names and of document text (safe to show in a batch overview).</summary>
    public string Summary { get; }
}
