using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Identity;
using SignatureService.Data.Users;

namespace SignatureService.Api.Features.Identity;

/// <summary>Creates a pending operator with a one-time enrollment code (the command-line verb <c>operator create</c>).</summary>
public sealed class OperatorEnrollment(SignatureServiceDbContext db, EnrollmentCodes codes, AuditTrail audit, TimeProvider time)
{
    /// <summary>Roles an operator may be created with.</summary>
    public static readonly IReadOnlyList<string> OperatorRoles = [UserRoles.CaOperator, UserRoles.RaOperator, UserRoles.Auditor];

    /// <summary>Creates the user (status pending) and its enrollment, with audit events, in one transaction.</summary>
    public async Task<(Guid UserId, IssuedEnrollment Enrollment)> CreateAsync(
        string displayName, IReadOnlyList<string> roles, AuditActor actor, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var name = displayName.Trim();
        if (name.Length is 0 or > 200 || name.Any(char.IsControl))
        {
            errors["name"] = ["1–200 printable characters."];
        }

        if (roles.Count == 0 || roles.Any(r => !OperatorRoles.Contains(r)))
        {
            errors["role"] = [$"One or more of {string.Join(", ", OperatorRoles)}."];
        }

        if (errors.Count > 0)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The operator is not valid.", errors);
        }

        var now = time.GetUtcNow();
        var user = new UserRecord
        {
            Id = Guid.CreateVersion7(),
            DisplayName = name,
            Status = "pending",
            Roles = [.. roles.Distinct(StringComparer.Ordinal)],
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Users.Add(user);
        var enrollment = codes.Stage(user.Id, EnrollmentPurpose.Operator, $"{actor.Type}:{actor.Id}", EnrollmentCodes.DefaultLifetime);
        audit.Record(db, actor, "identity.operator-created", "user", user.Id.ToString(), new { roles = user.Roles });
        audit.Record(db, actor, "identity.enrollment-issued", "enrollment", enrollment.EnrollmentId.ToString(),
            new { user = user.Id, purpose = EnrollmentPurpose.Operator, expiresAt = enrollment.ExpiresAt });
        await db.SaveChangesAsync(cancellationToken);
        return (user.Id, enrollment);
    }
}
