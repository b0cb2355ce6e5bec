using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SignatureService.Data.Signing;

namespace SignatureService.Data.Approvals;

/// <summary>
/// An approval transaction: the Signature Activation Data a signer is asked to approve on their security key (which requests,
/// each document's SHA-256, the signer, the credentials allowed, a nonce and an expiry), and, once approved, the WebAuthn
/// assertion that approved it, kept as activation evidence.
/// </summary>
public sealed class ApprovalTransactionRecord
{
    /// <summary>Row id, also the public approval id.</summary>
    public Guid Id { get; set; }

    /// <summary>The signer the transaction was issued to.</summary>
    public Guid SignerUserId { get; set; }

    /// <summary>32 random bytes.</summary>
    public required byte[] Nonce { get; set; }

    /// <summary>The canonical encoding of the transaction (at most 64 KiB).</summary>
    public required byte[] Encoding { get; set; }

    /// <summary>SHA-256 of <see cref="Encoding"/>: the WebAuthn challenge.</summary>
    public required byte[] Challenge { get; set; }

    /// <summary>The signer's active credential ids when the transaction was issued (1–64).</summary>
    public required byte[][] AllowedCredentialIds { get; set; }

    /// <summary>How many documents the transaction covers (1–100).</summary>
    public int DocumentCount { get; set; }

    /// <summary>Issue time (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The transaction is refused from this instant on (UTC, exclusive).</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When the assertion consumed it (UTC); null while unused.</summary>
    public DateTimeOffset? ConsumedAt { get; set; }

    /// <summary>The <c>webauthn_credentials</c> row of the key that approved.</summary>
    public Guid? CredentialRowId { get; set; }

    /// <summary>The approving credential id (evidence).</summary>
    public byte[]? CredentialId { get; set; }

    /// <summary>The approving authenticator's AAGUID (evidence).</summary>
    public Guid? Aaguid { get; set; }

    /// <summary>The assertion's authenticator data (evidence).</summary>
    public byte[]? AuthenticatorData { get; set; }

    /// <summary>The assertion's client data JSON (evidence; holds the challenge and origin).</summary>
    public byte[]? ClientDataJson { get; set; }

    /// <summary>The assertion signature over authenticatorData ‖ SHA-256(clientDataJSON) (evidence).</summary>
    public byte[]? Signature { get; set; }

    /// <summary>The user handle the authenticator returned, if any (evidence).</summary>
    public byte[]? UserHandle { get; set; }

    /// <summary>The authenticator's signature counter in the assertion.</summary>
    public long? SignCount { get; set; }

    /// <summary>The documents covered, with the digests the signer approved.</summary>
    public List<ApprovalTransactionDocumentRecord> Documents { get; } = [];
}

/// <summary>One document of an approval transaction, with the digest the signer approved.</summary>
public sealed class ApprovalTransactionDocumentRecord
{
    /// <summary>The transaction.</summary>
    public Guid ApprovalId { get; set; }

    /// <summary>The <c>signature_request_documents</c> row.</summary>
    public Guid DocumentId { get; set; }

    /// <summary>The request the document belongs to.</summary>
    public Guid RequestId { get; set; }

    /// <summary>The document's position in its request, from 1.</summary>
    public int Ordinal { get; set; }

    /// <summary>Wire name of the document type.</summary>
    public required string DocumentType { get; set; }

    /// <summary>SHA-256 of the document bytes when the transaction was issued.</summary>
    public required byte[] Sha256 { get; set; }
}

internal sealed class ApprovalConfiguration :
    IEntityTypeConfiguration<ApprovalTransactionRecord>, IEntityTypeConfiguration<ApprovalTransactionDocumentRecord>
{
    public void Configure(EntityTypeBuilder<ApprovalTransactionRecord> builder)
    {
        builder.ToTable("approval_transactions");
        builder.HasKey(a => a.Id);
        builder.HasMany(a => a.Documents).WithOne().HasForeignKey(d => d.ApprovalId);
    }

    public void Configure(EntityTypeBuilder<ApprovalTransactionDocumentRecord> builder)
    {
        builder.ToTable("approval_transaction_documents");
        builder.HasKey(d => new { d.ApprovalId, d.DocumentId });
        builder.Property(d => d.Sha256).HasColumnName("sha256");
        builder.HasOne<SignatureRequestDocumentRecord>().WithMany().HasForeignKey(d => d.DocumentId);
    }
}
