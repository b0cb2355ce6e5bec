using System.Text.Json;

namespace SignatureService.Api.Features.SignerPages;

/// <summary>The EHR client that sent a request, as the signer sees it.</summary>
/// <param name="ClientId">The client's public identifier.</param>
/// <param name="Name">The client's display name (e.g. the hospital system).</param>
public sealed record SignerRequestClient(string ClientId, string Name);

/// <summary>A document of one of the signer's requests.</summary>
/// <param name="Index">1-based position in the request.</param>
/// <param name="Type">The document type (wire name).</param>
/// <param name="DocumentId">The document's own identifier.</param>
/// <param name="MediaType">Media type of the submitted bytes.</param>
/// <param name="Sha256">SHA-256 of the submitted bytes (hex): what the approval commits to.</param>
/// <param name="Summary">A one-line summary without patient names.</param>
/// <param name="IsSigned">Whether the signed document is available.</param>
/// <param name="SignatureLevel">The level of the signed document; null while unsigned.</param>
/// <param name="SignedAt">When it was signed; null while unsigned.</param>
/// <param name="Display">The rendering model of the stored bytes (only in the single-request view).</param>
public sealed record SignerRequestDocument(
    int Index, string Type, string DocumentId, string MediaType, string Sha256, string Summary, bool IsSigned, string? SignatureLevel,
    DateTimeOffset? SignedAt, JsonElement? Display);

/// <summary>One of the signer's own signature requests.</summary>
/// <param name="Id">The request id.</param>
/// <param name="Status">Lifecycle state (pending-approval, approved, signing, signed, rejected, cancelled, expired, failed).</param>
/// <param name="Client">Who asked.</param>
/// <param name="StatusReason">Why it was rejected, cancelled or failed.</param>
/// <param name="SignatureLevel">The level the documents are signed at.</param>
/// <param name="CreatedAt">When it arrived.</param>
/// <param name="UpdatedAt">Last state change.</param>
/// <param name="ExpiresAt">When a pending request expires.</param>
/// <param name="Documents">Its documents, in order.</param>
public sealed record SignerRequestView(
    Guid Id, string Status, SignerRequestClient Client, string? StatusReason, string SignatureLevel,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset ExpiresAt, IReadOnlyList<SignerRequestDocument> Documents);

/// <summary>A page of the signer's requests, newest first; pass <see cref="NextCursor"/> as <c>cursor</c> for the next page.</summary>
/// <param name="Items">The requests (documents without display models).</param>
/// <param name="NextCursor">The cursor of the next page, or null on the last.</param>
public sealed record SignerRequestPage(IReadOnlyList<SignerRequestView> Items, string? NextCursor);
