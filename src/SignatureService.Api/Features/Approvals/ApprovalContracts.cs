using SignatureService.Api.Features.Identity;
using SignatureService.WebAuthn.Authentication;

namespace SignatureService.Api.Features.Approvals;

/// <summary>Body of <c>POST /v1/approvals</c>.</summary>
/// <param name="RequestIds">1–100 distinct signature request ids of the caller, pending approval, at most 100 documents in all.</param>
public sealed record CreateApprovalRequest(IReadOnlyList<Guid>? RequestIds);

/// <summary>One document of an approval, for the page to show before the signer touches the key.</summary>
/// <param name="RequestId">The request.</param>
/// <param name="Index">Position in the request, from 1.</param>
/// <param name="Type">Document type wire name.</param>
/// <param name="DocumentId">The document's own id (e.g. the PrescriptionId).</param>
/// <param name="Summary">One line without patient names.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the document bytes being approved.</param>
public sealed record ApprovalDocumentView(Guid RequestId, int Index, string Type, string DocumentId, string Summary, string Sha256);

/// <summary>How many documents of one type an approval covers.</summary>
public sealed record ApprovalTypeCount(string Type, int Count);

/// <summary>A human summary of what the signer is about to approve.</summary>
/// <param name="DocumentCount">Documents in all.</param>
/// <param name="RequestCount">Requests in all.</param>
/// <param name="ByType">Counts per document type.</param>
/// <param name="Documents">Every document, in request then index order.</param>
public sealed record ApprovalSummary(int DocumentCount, int RequestCount, IReadOnlyList<ApprovalTypeCount> ByType, IReadOnlyList<ApprovalDocumentView> Documents);

/// <summary>Answer of <c>POST /v1/approvals</c>: pass <see cref="PublicKey"/> to <c>navigator.credentials.get({ publicKey })</c>.</summary>
/// <param name="ApprovalId">The transaction id, for <c>POST /v1/approvals/{id}/assertion</c>.</param>
/// <param name="ExpiresAt">The transaction is refused from this instant (UTC).</param>
/// <param name="PublicKey">Request options; the challenge is SHA-256 of the transaction's canonical encoding.</param>
/// <param name="Encoding">The canonical encoding (base64url), so a client can recompute the challenge itself.</param>
/// <param name="Summary">What is being approved.</param>
public sealed record ApprovalOptionsResponse(
    Guid ApprovalId, DateTimeOffset ExpiresAt, PublicKeyCredentialRequestOptionsJson PublicKey, string Encoding, ApprovalSummary Summary);

/// <summary>Body of <c>POST /v1/approvals/{id}/assertion</c>.</summary>
/// <param name="Credential">The browser's <c>PublicKeyCredential.toJSON()</c>.</param>
public sealed record ApprovalAssertionRequest(AssertionCredentialJson? Credential);

/// <summary>The outcome of an approval: the requests now approved and queued for the HSM.</summary>
public sealed record ApprovalResult(Guid ApprovalId, DateTimeOffset ApprovedAt, IReadOnlyList<Guid> RequestIds, int DocumentCount);

/// <summary>The WebAuthn assertion kept as activation evidence (binary values base64url).</summary>
/// <param name="CredentialId">The approving credential id.</param>
/// <param name="Aaguid">The authenticator model.</param>
/// <param name="AuthenticatorData">authenticatorData as signed.</param>
/// <param name="ClientDataJson">clientDataJSON as signed (holds the challenge and origin).</param>
/// <param name="Signature">The assertion signature over authenticatorData ‖ SHA-256(clientDataJSON).</param>
/// <param name="UserHandle">The user handle returned, or null.</param>
/// <param name="SignCount">The signature counter in the assertion.</param>
public sealed record ActivationEvidenceView(
    string CredentialId, Guid Aaguid, string AuthenticatorData, string ClientDataJson, string Signature, string? UserHandle, long SignCount);

/// <summary>An approval transaction as its signer or an auditor sees it.</summary>
/// <param name="Id">The transaction id.</param>
/// <param name="SignerId">The signer.</param>
/// <param name="Status"><c>pending</c>, <c>approved</c> or <c>expired</c>.</param>
/// <param name="CreatedAt">Issue time.</param>
/// <param name="ExpiresAt">End of validity.</param>
/// <param name="ApprovedAt">When the assertion consumed it.</param>
/// <param name="Encoding">The canonical encoding (base64url).</param>
/// <param name="Challenge">SHA-256 of the encoding (base64url), the WebAuthn challenge.</param>
/// <param name="Documents">The documents and approved digests.</param>
/// <param name="Evidence">The assertion, once approved.</param>
public sealed record ApprovalView(
    Guid Id, Guid SignerId, string Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? ApprovedAt,
    string Encoding, string Challenge, IReadOnlyList<ApprovalDocumentView> Documents, ActivationEvidenceView? Evidence);

/// <summary>Body of <c>POST /v1/signature-requests/{id}/rejection</c>.</summary>
/// <param name="Reason">Optional reason for the EHR, at most 500 characters (no personal data).</param>
public sealed record RejectSignatureRequestBody(string? Reason);

/// <summary>The request after the signer's rejection.</summary>
public sealed record RejectionResult(Guid RequestId, string Status, string? Reason);

internal static class ApprovalPolicies
{
    /// <summary>A signer (own approvals only) or an auditor (any).</summary>
    public const string SignerOrAuditor = "signer-or-auditor";
}

internal static class ApprovalJson
{
    public static AssertionCredentialJson Require(ApprovalAssertionRequest? body) => body?.Credential
        ?? throw new Core.Errors.ServiceException(Core.Errors.ErrorCatalogue.ValidationFailed, "credential is required.",
            new Dictionary<string, string[]> { ["credential"] = ["Required."] });
}
