using Microsoft.EntityFrameworkCore;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Proofing;

namespace SignatureService.Api.Features.Proofing;

/// <summary>An RA operator as a list shows them: the user id and display name.</summary>
/// <param name="Id">The operator's user id (compare it with <c>GET /v1/me</c>'s <c>userId</c> for dual control).</param>
/// <param name="DisplayName">The operator's display name.</param>
public sealed record OperatorRef(Guid Id, string DisplayName);

/// <summary>
/// One application in the RA's list: enough to find it again and to see dual control at a glance (who recorded, who verified,
/// who decided, and when). Personal data is null after the retention purge.
/// </summary>
/// <param name="Id">The application id.</param>
/// <param name="Status"><c>recorded</c>, <c>verified</c>, <c>approved</c>, <c>rejected</c> or <c>enrolled</c>.</param>
/// <param name="Profile">The proofing profile.</param>
/// <param name="Route">The proofing route.</param>
/// <param name="Profession"><c>doctor</c>, <c>dentist</c> or <c>pharmacist</c>.</param>
/// <param name="FamilyName">Family name (kanji).</param>
/// <param name="GivenName">Given name (kanji).</param>
/// <param name="FamilyNameKana">Family name in kana.</param>
/// <param name="GivenNameKana">Given name in kana.</param>
/// <param name="DateOfBirth">Date of birth (tells same-name applicants apart).</param>
/// <param name="LicenseNumber">License number.</param>
/// <param name="AchievedIal"><c>IAL1</c>–<c>IAL3</c> once verified, else null.</param>
/// <param name="EvidenceCount">Evidence items recorded.</param>
/// <param name="RecordedBy">The operator who recorded it.</param>
/// <param name="RecordedAt">When it was recorded.</param>
/// <param name="VerifiedBy">The operator who verified it, or null.</param>
/// <param name="VerifiedAt">When it was verified, or null.</param>
/// <param name="DecidedBy">The operator who approved or rejected it, or null.</param>
/// <param name="DecidedAt">When it was decided, or null.</param>
/// <param name="SubjectUserId">The signer it enrols (set at approval, or from the start for re-proofing).</param>
public sealed record ApplicationSummary(
    Guid Id, string Status, string Profile, string Route, string Profession,
    string? FamilyName, string? GivenName, string? FamilyNameKana, string? GivenNameKana, DateOnly? DateOfBirth, string? LicenseNumber,
    string? AchievedIal, int EvidenceCount, OperatorRef RecordedBy, DateTimeOffset RecordedAt, OperatorRef? VerifiedBy, DateTimeOffset? VerifiedAt,
    OperatorRef? DecidedBy, DateTimeOffset? DecidedAt, Guid? SubjectUserId);

/// <summary>A page of applications, newest first; pass <see cref="NextCursor"/> as <c>cursor</c> for the next page (null at the end).</summary>
/// <param name="Items">At most <c>limit</c> applications.</param>
/// <param name="NextCursor">Opaque cursor of the next page, or null.</param>
public sealed record ApplicationPage(IReadOnlyList<ApplicationSummary> Items, string? NextCursor);

/// <summary>
/// The RA's list of applications: newest first, filtered by status and by a search text that matches the start of the
/// kanji or kana name (family, given, or both run together; hiragana and katakana alike) or a whole license number.
/// The search itself is audited without its text (which is personal data).
/// </summary>
public sealed class ProofingApplicationList(SignatureServiceDbContext db, AuditTrail audit)
{
    /// <summary>Largest page.</summary>
    public const int MaxLimit = 100;

    /// <summary>Default page.</summary>
    public const int DefaultLimit = 50;

    /// <summary>Longest search text, in characters.</summary>
    public const int MaxQuery = 50;

    private static readonly IReadOnlyList<string> Statuses =
    [
        ProofingApplicationStatus.Recorded, ProofingApplicationStatus.Verified, ProofingApplicationStatus.Approved,
        ProofingApplicationStatus.Rejected, ProofingApplicationStatus.Enrolled,
    ];

    /// <summary>One page of applications.</summary>
    /// <exception cref="ServiceException">400 naming the parameter (status, q, cursor or limit).</exception>
    public async Task<ApplicationPage> ListAsync(
        string? status, string? q, string? cursor, int? limit, AuditActor actor, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var query = db.ProofingApplications.AsNoTracking().AsQueryable();
        if (status is not null)
        {
            if (!Statuses.Contains(status, StringComparer.Ordinal))
            {
                errors["status"] = [$"One of: {string.Join(", ", Statuses)}."];
            }

            query = query.Where(a => a.Status == status);
        }

        var text = q?.Trim();
        if (q is not null)
        {
            if (string.IsNullOrEmpty(text) || text.Length > MaxQuery || text.Any(char.IsControl))
            {
                errors["q"] = [$"1–{MaxQuery} characters: the start of a name (kanji or kana) or a license number."];
            }
            else
            {
                var compact = text.Replace(" ", "", StringComparison.Ordinal).Replace("\u3000", "", StringComparison.Ordinal);
                var katakana = ToKatakana(compact);
                var hiragana = ToHiragana(compact);
                query = query.Where(a =>
                    a.LicenseNumber == text
                    || a.FamilyName!.StartsWith(compact)
                    || a.GivenName!.StartsWith(compact)
                    || (a.FamilyName + a.GivenName).StartsWith(compact)
                    || a.FamilyNameKana!.StartsWith(katakana) || a.FamilyNameKana!.StartsWith(hiragana)
                    || a.GivenNameKana!.StartsWith(katakana) || a.GivenNameKana!.StartsWith(hiragana)
                    || (a.FamilyNameKana + a.GivenNameKana).StartsWith(katakana) || (a.FamilyNameKana + a.GivenNameKana).StartsWith(hiragana));
            }
        }

        if (cursor is not null)
        {
            if (Guid.TryParseExact(cursor, "N", out var before))
            {
                query = query.Where(a => a.Id.CompareTo(before) < 0);
            }
            else
            {
                errors["cursor"] = ["The nextCursor of a previous page."];
            }
        }

        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"1–{MaxLimit}."];
        }

        if (errors.Count > 0)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The list parameters are not valid.", errors);
        }

        // Note: ids are UUIDv7, so descending id order is newest first and a stable cursor.
        var rows = await query.OrderByDescending(a => a.Id).Take(size + 1)
            .Select(a => new { Application = a, Evidence = db.ProofingEvidence.Count(e => e.ApplicationId == a.Id) })
            .ToListAsync(cancellationToken);
        var page = rows.Take(size).ToList();
        var operatorIds = page.SelectMany(r => new[] { r.Application.CreatedBy, r.Application.VerifiedBy, r.Application.DecidedBy })
            .OfType<Guid>().Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => operatorIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        OperatorRef? Ref(Guid? id) => id is { } v ? new OperatorRef(v, names.GetValueOrDefault(v, "")) : null;

        audit.Record(db, actor, "proofing.applications-listed", "proofing-application", null,
            new { status, search = text is not null, results = page.Count });
        await db.SaveChangesAsync(cancellationToken);
        return new ApplicationPage(
            [.. page.Select(r => r.Application).Select((a, i) => new ApplicationSummary(
                a.Id, a.Status, a.Profile, a.Route, a.Profession, a.FamilyName, a.GivenName, a.FamilyNameKana, a.GivenNameKana,
                a.DateOfBirth, a.LicenseNumber, ProofingApplications.IalText(a.AchievedIal), page[i].Evidence,
                Ref(a.CreatedBy)!, a.CreatedAt, Ref(a.VerifiedBy), a.VerifiedAt, Ref(a.DecidedBy), a.DecidedAt, a.SubjectUserId))],
            rows.Count > size ? page[^1].Application.Id.ToString("N") : null);
    }

    // Hiragana U+3041–U+3096 and katakana U+30A1–U+30F6 are the same syllables 0x60 apart.
    private static string ToKatakana(string text) =>
        string.Create(text.Length, text, (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = s[i] is >= '\u3041' and <= '\u3096' ? (char)(s[i] + 0x60) : s[i];
            }
        });

    private static string ToHiragana(string text) =>
        string.Create(text.Length, text, (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = s[i] is >= '\u30A1' and <= '\u30F6' ? (char)(s[i] - 0x60) : s[i];
            }
        });
}
