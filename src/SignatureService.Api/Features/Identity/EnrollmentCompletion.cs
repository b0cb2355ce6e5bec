using SignatureService.Data.Audit;
using SignatureService.Data.Identity;
using SignatureService.Data.Users;

namespace SignatureService.Api.Features.Identity;

/// <summary>
/// Finishes an enrollment of one purpose inside the key registration's transaction (e.g. a signer's enrollment issues the
/// signing certificate). The registration commits only if this succeeds.
/// </summary>
public interface IEnrollmentCompletion
{
    /// <summary>The <see cref="EnrollmentPurpose"/> handled.</summary>
    string Purpose { get; }

    /// <summary>
    /// Stages and saves the purpose's changes (with audit events) in the caller's open transaction. Returns an undo for
    /// effects outside the database (e.g. a key generated in the HSM) that the caller runs if the commit then fails.
    /// </summary>
    Task<Action?> CompleteAsync(EnrollmentCodeRecord enrollment, UserRecord user, AuditActor actor, CancellationToken cancellationToken);
}
