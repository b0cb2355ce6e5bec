using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SignatureService.Core.Errors;
using SignatureService.Core.Qualification;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Pki;

namespace SignatureService.Api.Features.Pki;

/// <summary>A license claimed by a signer, to check against the registry.</summary>
/// <param name="UserId">The signer.</param>
/// <param name="Profession">doctor, dentist or pharmacist.</param>
/// <param name="LicenseNumber">The license number.</param>
/// <param name="Name">The name as registered.</param>
/// <param name="DateOfBirth">The date of birth as registered.</param>
public sealed record LicenseClaim(Guid UserId, string Profession, string LicenseNumber, string Name, DateOnly DateOfBirth);

/// <summary>
/// Verifies a signer's license against the imported registry (number, name and date of birth, status active) and records
/// the verified attribute with the hcRole it implies, with its audit event. Proofing calls this at registration
/// (DOMAIN.md §5: the registry is checked at registration, not at every signature).
/// </summary>
public sealed class VerifySignerLicense(SignatureServiceDbContext db, AuditTrail audit, TimeProvider time)
{
    /// <summary>The hcRole a profession confers; the one mapping from registry professions to the role vocabulary.</summary>
    public static HcRole? RoleOf(string profession) => profession switch
    {
        "doctor" => HcRole.MedicalDoctor,
        "dentist" => HcRole.Dentist,
        "pharmacist" => HcRole.Pharmacist,
        _ => null,
    };

    /// <summary>Verifies and records; returns the hcRole.</summary>
    /// <exception cref="ServiceException">404 unknown user; 409 <c>license.not-verified</c> when nothing active matches.</exception>
    public async Task<HcRole> VerifyAsync(LicenseClaim claim, AuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var role = RoleOf(claim.Profession) ?? throw new ServiceException(ErrorCatalogue.ValidationFailed, "Unknown profession.",
            new Dictionary<string, string[]> { ["profession"] = ["doctor, dentist or pharmacist."] });
        if (!await db.Users.AnyAsync(u => u.Id == claim.UserId, cancellationToken))
        {
            throw new ServiceException(ErrorCatalogue.NotFound, "No user with this id.");
        }

        var license = await db.Licenses.SingleOrDefaultAsync(
            l => l.Profession == claim.Profession && l.LicenseNumber == claim.LicenseNumber, cancellationToken);
        // Note: one answer for "unknown", "other name", "other birth date" and "revoked", so the check is no registry oracle.
        if (license is null || license.Status != "active" || license.DateOfBirth != claim.DateOfBirth ||
            !string.Equals(NormalizeName(license.Name), NormalizeName(claim.Name), StringComparison.Ordinal))
        {
            throw new ServiceException(ErrorCatalogue.LicenseNotVerified);
        }

        var now = time.GetUtcNow();
        var attribute = await db.SignerAttributes.SingleOrDefaultAsync(
            a => a.UserId == claim.UserId && a.Profession == claim.Profession, cancellationToken);
        if (attribute is null)
        {
            attribute = new SignerAttributeRecord
            {
                Id = Guid.CreateVersion7(),
                UserId = claim.UserId,
                Profession = claim.Profession,
                LicenseNumber = license.LicenseNumber,
                HcRole = role.Text,
                VerifiedBy = $"{actor.Type}:{actor.Id}",
            };
            db.SignerAttributes.Add(attribute);
        }

        attribute.LicenseId = license.Id;
        attribute.LicenseNumber = license.LicenseNumber;
        attribute.HcRole = role.Text;
        attribute.VerifiedAt = now;
        attribute.VerifiedBy = $"{actor.Type}:{actor.Id}";
        audit.Record(db, actor, "signer.license-verified", "user", claim.UserId.ToString(), new { profession = claim.Profession, hcRole = role.Text });
        await db.SaveChangesAsync(cancellationToken);
        return role;
    }

    /// <summary>NFKC, trimmed, inner white space (including the ideographic space) collapsed to one ASCII space.</summary>
    internal static string NormalizeName(string name) =>
        string.Join(' ', name.Normalize(NormalizationForm.FormKC).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .ToUpper(CultureInfo.InvariantCulture);
}
