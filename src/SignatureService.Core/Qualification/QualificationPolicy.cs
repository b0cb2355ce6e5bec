using SignatureService.Core.Documents;

namespace SignatureService.Core.Qualification;

/// <summary>
/// Which hcRoles may sign which document type (DOMAIN.md §1), kept as data. Checked when a signing request is
/// created and again at approval. Immutable and thread-safe.
/// </summary>
public sealed class QualificationPolicy
{
    private readonly Dictionary<DocumentType, HcRole[]> _allowedRoles;

    /// <summary>Creates a policy from an explicit table (document type → roles allowed to sign it).</summary>
    /// <param name="allowedRoles">The table; a document type missing from it may be signed by nobody.</param>
    public QualificationPolicy(IReadOnlyDictionary<DocumentType, IReadOnlyList<HcRole>> allowedRoles)
    {
        ArgumentNullException.ThrowIfNull(allowedRoles);
        _allowedRoles = allowedRoles.ToDictionary(p => p.Key, p => p.Value.Distinct().ToArray());
    }

    /// <summary>
    /// The statutory policy: prescriptions and death certificates — Medical Doctor, Dentist; postmortem examination
    /// certificates — Medical Doctor only; dispensing records — Pharmacist; attachments (no statutory form) — any of the three.
    /// </summary>
    public static QualificationPolicy Statutory { get; } = new(new Dictionary<DocumentType, IReadOnlyList<HcRole>>
    {
        [DocumentType.Prescription] = [HcRole.MedicalDoctor, HcRole.Dentist],
        [DocumentType.DeathCertificate] = [HcRole.MedicalDoctor, HcRole.Dentist],
        [DocumentType.PostmortemCertificate] = [HcRole.MedicalDoctor],
        [DocumentType.DispensingRecord] = [HcRole.Pharmacist],
        [DocumentType.Attachment] = [HcRole.MedicalDoctor, HcRole.Dentist, HcRole.Pharmacist],
    });

    /// <summary>The roles allowed to sign <paramref name="documentType"/> (empty when none).</summary>
    /// <param name="documentType">The document type.</param>
    /// <returns>The allowed roles, in table order.</returns>
    public IReadOnlyList<HcRole> AllowedRoles(DocumentType documentType) =>
        _allowedRoles.TryGetValue(documentType, out var roles) ? roles : [];

    /// <summary>Whether a signer holding <paramref name="role"/> may sign <paramref name="documentType"/>.</summary>
    /// <param name="documentType">The document type.</param>
    /// <param name="role">The signer's hcRole (from the signing certificate).</param>
    /// <returns><see langword="true"/> when permitted.</returns>
    public bool Permits(DocumentType documentType, HcRole role)
    {
        ArgumentNullException.ThrowIfNull(role);
        return AllowedRoles(documentType).Contains(role);
    }

    /// <summary>Whether any of <paramref name="roles"/> permits signing <paramref name="documentType"/>.</summary>
    /// <param name="documentType">The document type.</param>
    /// <param name="roles">All hcRoles of the signer's certificate.</param>
    /// <returns><see langword="true"/> when at least one role is permitted.</returns>
    public bool PermitsAny(DocumentType documentType, IEnumerable<HcRole> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        return roles.Any(r => Permits(documentType, r));
    }
}
