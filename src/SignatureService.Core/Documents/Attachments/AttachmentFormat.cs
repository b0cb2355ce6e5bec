using System.Security.Cryptography;

namespace SignatureService.Core.Documents.Attachments;

/// <summary>What the signer reviews of an attachment: its kind, size and digest (the bytes themselves are shown by a PDF viewer).</summary>
/// <param name="MediaType">Always <c>application/pdf</c>.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="Sha256">SHA-256 of the bytes, lower-case hex.</param>
public sealed record AttachmentDisplay(string MediaType, int Size, string Sha256) : DocumentDisplay;

/// <summary>
/// A PDF attachment (<c>application/pdf</c>, at most <see cref="DocumentLimits.MaxDocumentBytes"/>): checked to be a PDF
/// (header <c>%PDF-</c>, an <c>%%EOF</c> marker near the end) and kept byte for byte; it is signed as a detached CAdES
/// signature, so nothing is parsed or changed. The document id is <c>sha256:</c> and the first 32 hex digits of its digest.
/// </summary>
public sealed class AttachmentFormat : IDocumentFormat
{
    /// <summary>The only accepted media type.</summary>
    public const string PdfMediaType = "application/pdf";

    /// <inheritdoc />
    public DocumentType Type => DocumentType.Attachment;

    /// <inheritdoc />
    public IReadOnlyList<string> MediaTypes { get; } = [PdfMediaType];

    /// <inheritdoc />
    public ValidatedDocument Validate(ReadOnlySpan<byte> content, string mediaType)
    {
        if (content.Length > DocumentLimits.MaxDocumentBytes)
        {
            throw new DocumentValidationException(DocumentErrors.TooLarge);
        }

        if (!string.Equals(mediaType?.Trim(), PdfMediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw new DocumentValidationException(DocumentErrors.UnsupportedMediaType, "mediaType");
        }

        var tail = content[Math.Max(0, content.Length - 1024)..];
        if (!content.StartsWith("%PDF-"u8) || tail.IndexOf("%%EOF"u8) < 0)
        {
            throw new DocumentValidationException(DocumentErrors.InvalidStructure);
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        return new ValidatedDocument(
            DocumentType.Attachment, "sha256:" + sha256[..32], content, DocumentSignatureLayout.DetachedCms,
            new AttachmentDisplay(PdfMediaType, content.Length, sha256), $"PDF attachment, {content.Length} bytes", PdfMediaType);
    }
}
