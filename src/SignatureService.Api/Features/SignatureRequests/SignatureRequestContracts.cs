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
public sealed record CreateSignatureRequest(SignerReference Signer, IReadOnlyList<DocumentSubmission> Documents, string? CallbackUrl, int? ExpiresInSeconds);

/// <summary>A document of a request, as the client sees it.</summary>
public sealed record SignatureRequestDocumentView(int Index, string Type, string DocumentId, string Sha256, string Summary, bool IsSigned);

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
    IReadOnlyList<SignatureRequestDocumentView> Documents);

/// <summary>A page of requests, newest first; pass <see cref="NextCursor"/> as <c>cursor</c> for the next page.</summary>
public sealed record SignatureRequestPage(IReadOnlyList<SignatureRequestView> Items, string? NextCursor);

/// <summary>Body of <c>POST /v1/signature-requests/{id}/cancel</c>.</summary>
/// <param name="Reason">Optional reason, at most 500 characters (no personal data).</param>
public sealed record CancelSignatureRequest(string? Reason);
