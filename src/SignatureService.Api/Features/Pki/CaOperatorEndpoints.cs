using SignatureService.Api.Features.ApiDescription;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SignatureService.Api.Features.Identity;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Pki;
using SignatureService.Pki.Revocation;

namespace SignatureService.Api.Features.Pki;

/// <summary>Body of <c>POST /v1/ca/certificates/{serial}/revocation</c>.</summary>
/// <param name="Reason">RFC 5280 §5.3.1 reason name (e.g. <c>keyCompromise</c>); not certificateHold (suspend) nor removeFromCRL.</param>
/// <param name="InvalidityDate">RFC 5280 §5.3.2 invalidity date, not in the future; optional.</param>
public sealed record RevokeCertificateBody(string? Reason, DateTimeOffset? InvalidityDate);

/// <summary>One certificate in a search result.</summary>
/// <param name="SerialNumber">Serial number (hex, upper case).</param>
/// <param name="Kind">signer, authentication, ca, ocsp-responder or timestamping.</param>
/// <param name="Subject">Subject DN (RFC 4514).</param>
/// <param name="Issuer">Issuer DN (RFC 4514).</param>
/// <param name="SignerUserId">The signer, for signer certificates.</param>
/// <param name="HcRoles">hcRole texts carried by the certificate.</param>
/// <param name="NotBefore">Start of validity.</param>
/// <param name="NotAfter">End of validity.</param>
/// <param name="Status">good, revoked or on-hold.</param>
/// <param name="IssuedAt">When the service issued it.</param>
/// <param name="UpdatedAt">Last status change.</param>
public sealed record CertificateListItem(
    string SerialNumber, string Kind, string Subject, string Issuer, Guid? SignerUserId, IReadOnlyList<string> HcRoles,
    DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Status, DateTimeOffset IssuedAt, DateTimeOffset UpdatedAt);

/// <summary>A page of certificates; pass <paramref name="NextCursor"/> as <c>cursor</c> for the next page (null at the end).</summary>
/// <param name="Items">At most <c>limit</c> certificates, oldest first.</param>
/// <param name="NextCursor">Opaque cursor of the next page, or null.</param>
public sealed record CertificatePage(IReadOnlyList<CertificateListItem> Items, string? NextCursor);

/// <summary>One entry of a certificate's status history.</summary>
/// <param name="Event">issued, suspended, resumed or revoked.</param>
/// <param name="At">When it happened (UTC).</param>
/// <param name="Reason">RFC 5280 reason name for revoked / suspended.</param>
/// <param name="InvalidityDate">The invalidity date given at revocation, if any.</param>
public sealed record CertificateStatusEvent(string Event, DateTimeOffset At, string? Reason, DateTimeOffset? InvalidityDate);

/// <summary>One certificate with its DER and status history.</summary>
/// <param name="Certificate">The indexed fields.</param>
/// <param name="Der">The certificate, DER in base64.</param>
/// <param name="History">Status changes, oldest first.</param>
public sealed record CertificateDetails(CertificateListItem Certificate, string Der, IReadOnlyList<CertificateStatusEvent> History);

/// <summary>The newest CRL of one CA.</summary>
/// <param name="Ca">CA URL name (root, signing, authentication).</param>
/// <param name="CrlNumber">The newest CRL number, or null if none was issued yet.</param>
/// <param name="ThisUpdate">thisUpdate of that CRL.</param>
/// <param name="NextUpdate">nextUpdate of that CRL.</param>
/// <param name="Entries">Revoked or held certificates listed on it.</param>
public sealed record CrlStatus(string Ca, long? CrlNumber, DateTimeOffset? ThisUpdate, DateTimeOffset? NextUpdate, int? Entries);

/// <summary>
/// The CA operator's HTTP endpoints (<c>/v1/ca/...</c>, AAL3 session with role ca-operator, <c>X-CSRF-Token</c> on POST):
/// certificate search and details, revoke / suspend / resume, license registry import, CRL regeneration and CRL status.
/// The license import is ca-operator only: it can suspend certificates, which is a CA action (RA operators check a license
/// against the registry during proofing, they do not maintain it). Every call is audited; reads as <c>*.viewed</c> events.
/// </summary>
internal static class CaOperatorEndpoints
{
    /// <summary>Largest JSON body accepted (bytes).</summary>
    public const int MaxJsonBytes = 1024;

    /// <summary>Most certificates per page.</summary>
    public const int MaxPageSize = 100;

    private const string CsvType = "text/csv";

    private static readonly Dictionary<RevocationReason, string> ReasonNames = new()
    {
        [RevocationReason.Unspecified] = "unspecified",
        [RevocationReason.KeyCompromise] = "keyCompromise",
        [RevocationReason.CACompromise] = "cACompromise",
        [RevocationReason.AffiliationChanged] = "affiliationChanged",
        [RevocationReason.Superseded] = "superseded",
        [RevocationReason.CessationOfOperation] = "cessationOfOperation",
        [RevocationReason.CertificateHold] = "certificateHold",
        [RevocationReason.RemoveFromCrl] = "removeFromCRL",
        [RevocationReason.PrivilegeWithdrawn] = "privilegeWithdrawn",
        [RevocationReason.AACompromise] = "aACompromise",
    };

    /// <summary>The RFC 5280 §5.3.1 name of a reason (e.g. <c>keyCompromise</c>), as the API and the audit trail write it.</summary>
    internal static string ReasonName(RevocationReason reason) => ReasonNames.GetValueOrDefault(reason, "unspecified");

    public static IEndpointRouteBuilder MapCaOperatorEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/ca").WithTags("CA operator").RequireAuthorization(IdentityPolicies.CaOperator)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/certificates", SearchAsync)
            .WithSummary("Search certificates by serial, signer, status, hcRole or kind; cursor paging (limit 1–100, default 50).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesErrors(ErrorCatalogue.ValidationFailed);
        group.MapGet("/certificates/{serial}", GetAsync)
            .WithSummary("One certificate (DER in base64) with its status history.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.CertificateNotFound);
        group.MapPost("/certificates/{serial}/revocation", RevokeAsync)
            .Accepts<RevokeCertificateBody>("application/json")
            .WithSummary("Revoke (RFC 5280 reason, optional invalidity date); publishes a new CRL. 404 unknown, 409 already revoked.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.CertificateNotFound, ErrorCatalogue.CertificateAlreadyRevoked, ErrorCatalogue.HsmUnavailable);
        group.MapPost("/certificates/{serial}/suspension", SuspendAsync)
            .WithSummary("Suspend (certificateHold); publishes a new CRL. 409 when revoked or already on hold.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.CertificateNotFound, ErrorCatalogue.CertificateAlreadyRevoked, ErrorCatalogue.CertificateAlreadySuspended, ErrorCatalogue.HsmUnavailable);
        group.MapPost("/certificates/{serial}/resumption", ResumeAsync)
            .WithSummary("Lift a suspension; publishes a new CRL. 409 when not on hold.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesErrors(ErrorCatalogue.ValidationFailed, ErrorCatalogue.CertificateNotFound, ErrorCatalogue.CertificateNotOnHold, ErrorCatalogue.HsmUnavailable);
        group.MapPost("/licenses/import", ImportLicensesAsync)
            .Accepts<string>(CsvType)
            .WithSummary("Import the license registry (text/csv, at most 32 MiB); all or nothing, 400 lists invalid rows by line.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesErrors(ErrorCatalogue.LicenseImportInvalid, ErrorCatalogue.HsmUnavailable);
        group.MapGet("/crls", CrlStatusAsync)
            .WithSummary("Newest CRL number, thisUpdate and nextUpdate per CA.");
        group.MapPost("/crls/{ca}", RegenerateCrlAsync)
            .WithSummary("Issue a new full CRL for one CA now (root's is the ARL).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesErrors(ErrorCatalogue.NotFound, ErrorCatalogue.CaNotInitialized, ErrorCatalogue.HsmUnavailable);
        return app;
    }

    private static AuditActor Actor(HttpContext context) => new("operator", context.User.FindFirstValue(SessionClaims.UserId)!);

    private static async Task<Ok<CertificatePage>> SearchAsync(
        HttpContext context, SignatureServiceDbContext db, AuditTrail audit, CancellationToken cancellationToken,
        string? serial = null, Guid? signer = null, string? status = null, string? hcRole = null, string? kind = null,
        string? cursor = null, int? limit = null)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var query = db.Certificates.AsNoTracking().AsQueryable();
        if (serial is not null)
        {
            var bytes = CertificateStatusChanges.ParseSerial(serial);
            query = query.Where(c => c.SerialNumber == bytes);
        }

        if (signer is { } signerId)
        {
            query = query.Where(c => c.UserId == signerId);
        }

        if (status is not null)
        {
            if (status is not (CertificateStatuses.Good or CertificateStatuses.Revoked or CertificateStatuses.OnHold))
            {
                errors["status"] = ["good, revoked or on-hold."];
            }

            query = query.Where(c => c.Status == status);
        }

        if (hcRole is not null)
        {
            if (hcRole.Length is 0 or > 100 || hcRole.Any(char.IsControl) || hcRole.Contains(';', StringComparison.Ordinal))
            {
                errors["hcRole"] = ["An hcRole text such as 'Medical Doctor' (1–100 characters)."];
            }

            // Note: several roles are stored joined by "; ", so match whole items, not substrings.
            var needle = "; " + hcRole + "; ";
            query = query.Where(c => c.HcRole != null && ("; " + c.HcRole + "; ").Contains(needle));
        }

        if (kind is not null)
        {
            if (kind is not (CertificateKinds.Signer or CertificateKinds.Authentication or CertificateKinds.Ca or CertificateKinds.OcspResponder or CertificateKinds.Timestamping))
            {
                errors["kind"] = ["signer, authentication, ca, ocsp-responder or timestamping."];
            }

            query = query.Where(c => c.Kind == kind);
        }

        if (cursor is not null)
        {
            if (Guid.TryParseExact(cursor, "N", out var after))
            {
                query = query.Where(c => c.Id.CompareTo(after) > 0);
            }
            else
            {
                errors["cursor"] = ["The nextCursor of a previous page."];
            }
        }

        var size = limit ?? 50;
        if (size is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"1–{MaxPageSize}."];
        }

        if (errors.Count > 0)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The search parameters are not valid.", errors);
        }

        // Note: ids are UUIDv7, so id order is issuance order and a stable cursor.
        var rows = await query.OrderBy(c => c.Id).Take(size + 1).ToListAsync(cancellationToken);
        var page = rows.Take(size).ToList();
        audit.Record(db, Actor(context), "certificate.searched", "certificate", null,
            new { serial, signer, status, hcRole, kind, results = page.Count });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new CertificatePage(
            [.. page.Select(Item)], rows.Count > size ? page[^1].Id.ToString("N") : null));
    }

    private static async Task<Ok<CertificateDetails>> GetAsync(
        string serial, HttpContext context, SignatureServiceDbContext db, AuditTrail audit, CancellationToken cancellationToken)
    {
        var bytes = CertificateStatusChanges.ParseSerial(serial);
        var matches = await db.Certificates.AsNoTracking().Where(c => c.SerialNumber == bytes).ToListAsync(cancellationToken);
        var certificate = matches.Count switch
        {
            0 => throw new ServiceException(ErrorCatalogue.CertificateNotFound),
            1 => matches[0],
            _ => throw new ServiceException(ErrorCatalogue.ValidationFailed, "The serial number is used by more than one CA."),
        };
        var revocations = await db.Revocations.AsNoTracking().Where(r => r.CertificateId == certificate.Id)
            .OrderBy(r => r.RevokedAt).ToListAsync(cancellationToken);
        audit.Record(db, Actor(context), "certificate.viewed", "certificate", CertificateStatusChanges.Hex(certificate.SerialNumber));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new CertificateDetails(Item(certificate), Convert.ToBase64String(certificate.Der), History(certificate, revocations)));
    }

    private static async Task<Ok<CertificateStatusResult>> RevokeAsync(
        string serial, HttpContext context, CertificateStatusChanges changes, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<RevokeCertificateBody>(context, MaxJsonBytes);
        var reasonText = body.Reason ?? "unspecified";

        // Note: Enum.TryParse also accepts numbers and comma lists; only the RFC names are allowed.
        if (!reasonText.All(char.IsAsciiLetter) || !Enum.TryParse<RevocationReason>(reasonText, ignoreCase: true, out var reason) || !Enum.IsDefined(reason))
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The reason is not an RFC 5280 reason.",
                new Dictionary<string, string[]> { ["reason"] = ["An RFC 5280 §5.3.1 reason name such as keyCompromise."] });
        }

        return TypedResults.Ok(await changes.RevokeAsync(serial, reason, body.InvalidityDate, Actor(context), cancellationToken));
    }

    private static async Task<Ok<CertificateStatusResult>> SuspendAsync(
        string serial, HttpContext context, CertificateStatusChanges changes, CancellationToken cancellationToken) =>
        TypedResults.Ok(await changes.SuspendAsync(serial, Actor(context), cancellationToken));

    private static async Task<Ok<CertificateStatusResult>> ResumeAsync(
        string serial, HttpContext context, CertificateStatusChanges changes, CancellationToken cancellationToken) =>
        TypedResults.Ok(await changes.ResumeAsync(serial, Actor(context), cancellationToken));

    private static async Task<Ok<LicenseImportResult>> ImportLicensesAsync(
        HttpContext context, ImportLicenseRegistry import, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), CsvType, StringComparison.OrdinalIgnoreCase))
        {
            throw new ServiceException(ErrorCatalogue.UnsupportedMediaType, $"Send {CsvType}.");
        }

        var limit = ImportLicenseRegistry.MaxBytes;
        if (request.ContentLength > limit)
        {
            throw new ServiceException(ErrorCatalogue.PayloadTooLarge, $"At most {limit} bytes.");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new ServiceException(ErrorCatalogue.PayloadTooLarge, $"At most {limit} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return TypedResults.Ok(await import.ImportAsync(buffer.ToArray(), Actor(context), cancellationToken));
    }

    private static async Task<Ok<CrlStatus[]>> CrlStatusAsync(
        HttpContext context, SignatureServiceDbContext db, AuditTrail audit, CancellationToken cancellationToken)
    {
        var authorities = await db.CertificateAuthorities.AsNoTracking().OrderBy(a => a.CreatedAt).Select(a => new { a.Id, a.Name })
            .ToListAsync(cancellationToken);
        var result = new List<CrlStatus>(authorities.Count);
        foreach (var authority in authorities)
        {
            var newest = await db.Crls.AsNoTracking().Where(c => c.CaId == authority.Id).OrderByDescending(c => c.CrlNumber)
                .Select(c => new { c.CrlNumber, c.ThisUpdate, c.NextUpdate, c.Entries }).FirstOrDefaultAsync(cancellationToken);
            result.Add(new CrlStatus(authority.Name, newest?.CrlNumber, newest?.ThisUpdate, newest?.NextUpdate, newest?.Entries));
        }

        audit.Record(db, Actor(context), "crl.status-viewed", "certificate-authority");
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(result.ToArray());
    }

    private static async Task<Ok<CrlStatus>> RegenerateCrlAsync(
        string ca, HttpContext context, SignatureServiceDbContext db, CertificateAuthorities authorities, CrlPublisher crls,
        CancellationToken cancellationToken)
    {
        var hierarchy = await authorities.RequireAsync(cancellationToken);
        var record = await crls.PublishAsync(db, hierarchy.Get(ca), Actor(context), cancellationToken);
        return TypedResults.Ok(new CrlStatus(ca, record.CrlNumber, record.ThisUpdate, record.NextUpdate, record.Entries));
    }

    private static CertificateListItem Item(CertificateRecord c) => new(
        CertificateStatusChanges.Hex(c.SerialNumber), c.Kind, c.Subject, c.Issuer, c.UserId,
        c.HcRole is null ? [] : c.HcRole.Split("; "), c.NotBefore, c.NotAfter, c.Status, c.CreatedAt, c.UpdatedAt);

    private static List<CertificateStatusEvent> History(CertificateRecord certificate, List<RevocationRecord> revocations)
    {
        var history = new List<CertificateStatusEvent> { new("issued", certificate.CreatedAt, null, null) };
        foreach (var r in revocations)
        {
            var reason = (RevocationReason)r.Reason;
            var name = ReasonNames.GetValueOrDefault(reason, "unspecified");
            if (reason == RevocationReason.CertificateHold)
            {
                history.Add(new("suspended", r.RevokedAt, name, null));

                // Note: a hold replaced by a revocation is closed at the revocation's time; that is not a resumption.
                if (r.LiftedAt is { } lifted && !revocations.Any(o => o.Reason != (short)RevocationReason.CertificateHold && o.RevokedAt == lifted))
                {
                    history.Add(new("resumed", lifted, null, null));
                }
            }
            else
            {
                history.Add(new("revoked", r.RevokedAt, name, r.InvalidityDate));
            }
        }

        return [.. history.OrderBy(h => h.At)];
    }
}
