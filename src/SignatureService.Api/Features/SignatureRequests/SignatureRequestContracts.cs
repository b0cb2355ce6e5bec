namespace SignatureService.Api.Features.SignatureRequests;

/// <summary>Names the signer: by user id, or by profession (<c>doctor</c>, <c>dentist</c>, <c>pharmacist</c>) and license number.</summary>
public sealed record SignerReference(Guid? UserId, string? Profession, string? LicenseNumber);

/// <summary>One document to sign.</summary>
/// <param name="Type">prescription, dispensing-record, death-certificate or postmortem-certificate.</param>
/// <param name="MediaType">application/xml, or application/json for the JSON form of a death certificate.</param>
/// <param name="Content">The document bytes, base64 (at most 1 MiB decoded).</param>
public sealed record DocumentSubmission(string Type, string MediaType, string Content);

/// <summary>Body of <c>POST /v1/signature-requests</c>.</summary>
/// <param name="Signer">Who is to sign.</param>
/// <param name="Documents">1–100 documents, at most 10 MiB decoded in all.</param>
/// <param name="CallbackUrl">Optional https URL on one of the client's registered callback origins.</param>
/// <param name="ExpiresInSeconds">How long the request waits for approval: 300 s to 7 days; default 1 day.</param>
/// <param name="SignatureLevel">ES-T (default), ES-XL or ES-A: the XAdES level the documents are signed at.</param>
public sealed record CreateSignatureRequest(
    SignerReference Signer, IReadOnlyList<DocumentSubmission> Documents, string? CallbackUrl, int? ExpiresInSeconds, string? SignatureLevel = null);

/// <summary>A document of a request, as the client sees it.</summary>
/// <param name="Index">1-based position in the request.</param>
/// <param name="Type">The document type (wire name).</param>
/// <param name="DocumentId">The document's own identifier.</param>
/// <param name="Sha256">SHA-256 of the submitted bytes (hex).</param>
/// <param name="Summary">A short summary without personal data.</param>
/// <param name="IsSigned">Whether the signed document is available.</param>
/// <param name="SignatureLevel">The level the signed document is stored at (ES-T, ES-XL, ES-A or CAdES-B-T); null while unsigned.</param>
public sealed record SignatureRequestDocumentView(
    int Index, string Type, string DocumentId, string Sha256, string Summary, bool IsSigned, string? SignatureLevel = null);

/// <summary>A signature request, as the client sees it.</summary>
public sealed record SignatureRequestView(
    Guid Id,
    string Status,
    Guid SignerId,
    string? StatusReason,
    string? CallbackUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<SignatureRequestDocumentView> Documents,
    string SignatureLevel = "ES-T");

/// <summary>A page of requests, newest first; pass <see cref="NextCursor"/> as <c>cursor</c> for the next page.</summary>
public sealed record SignatureRequestPage(IReadOnlyList<SignatureRequestView> Items, string? NextCursor);

/// <summary>Body of <c>POST /v1/signature-requests/{id}/documents/{n}/upgrade</c>.</summary>
/// <param name="TargetLevel">ES-XL or ES-A.</param>
public sealed record UpgradeSignedDocumentRequest(string? TargetLevel);

/// <summary>The outcome of an upgrade.</summary>
/// <param name="Index">The document's index.</param>
/// <param name="SignatureLevel">The level the document is stored at now.</param>
/// <param name="PreviousLevel">The level before this call.</param>
/// <param name="Upgraded">False when the document already was at (or above) the target: nothing changed.</param>
public sealed record UpgradedSignedDocument(int Index, string SignatureLevel, string PreviousLevel, bool Upgraded);

/// <summary>Body of <c>POST /v1/signature-requests/{id}/cancel</c>.</summary>
/// <param name="Reason">Optional reason, at most 500 characters (no personal data).</param>
public sealed record CancelSignatureRequest(string? Reason);
