using Microsoft.EntityFrameworkCore;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Pki;
using SignatureService.Pki.Revocation;

namespace SignatureService.Api.Features.Pki;

/// <summary>The outcome of a status change: the certificate's new status and the CRL that now reflects it.</summary>
/// <param name="SerialNumber">Serial number (hex, upper case).</param>
/// <param name="Status">good, revoked or on-hold.</param>
/// <param name="CrlNumber">Number of the CA's new CRL.</param>
public sealed record CertificateStatusResult(string SerialNumber, string Status, long CrlNumber);

/// <summary>
/// Revokes, suspends (certificateHold) and resumes certificates. Each change is a conditional <c>UPDATE</c> on the status
/// (so two operators cannot both succeed), its revocation row, its audit event and the CA's regenerated CRL, in one transaction.
/// </summary>
public sealed class CertificateStatusChanges(
    SignatureServiceDbContext db,
    CertificateAuthorities authorities,
    CrlPublisher crls,
    AuditTrail audit,
    TimeProvider time)
{
    /// <summary>Permanently revokes a certificate (also one on hold).</summary>
    /// <param name="serialHex">Serial number in hex (case-insensitive, optional ':' separators).</param>
    /// <param name="reason">Any RFC 5280 reason except certificateHold (use suspend) and removeFromCRL.</param>
    /// <param name="invalidityDate">When the key is known or suspected to have been compromised, not in the future.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ServiceException">404 <c>certificate.not-found</c>, 409 <c>certificate.already-revoked</c>, 400 for bad input.</exception>
    public async Task<CertificateStatusResult> RevokeAsync(
        string serialHex, RevocationReason reason, DateTimeOffset? invalidityDate, AuditActor actor, CancellationToken cancellationToken)
    {
        if (reason is RevocationReason.CertificateHold or RevocationReason.RemoveFromCrl || !Enum.IsDefined(reason))
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "Use suspend for certificateHold; removeFromCRL is not a revocation reason.",
                new Dictionary<string, string[]> { ["reason"] = ["A reason of RFC 5280 §5.3.1 other than certificateHold and removeFromCRL."] });
        }

        if (invalidityDate is { } date && date > time.GetUtcNow())
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The invalidity date lies in the future.",
                new Dictionary<string, string[]> { ["invalidityDate"] = ["Not in the future."] });
        }

        return await ChangeAsync(serialHex, actor, async certificate =>
        {
            var now = time.GetUtcNow();
            var updated = await db.Certificates
                .Where(c => c.Id == certificate.Id && c.Status != CertificateStatuses.Revoked)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CertificateStatuses.Revoked).SetProperty(c => c.UpdatedAt, now), cancellationToken);
            if (updated == 0)
            {
                throw new ServiceException(ErrorCatalogue.CertificateAlreadyRevoked);
            }

            // Note: a certificate on hold may be revoked for good (RFC 5280 §5.3.1); the hold is closed and replaced.
            await db.Revocations.Where(r => r.CertificateId == certificate.Id && r.LiftedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LiftedAt, now), cancellationToken);
            db.Revocations.Add(new RevocationRecord
            {
                Id = Guid.CreateVersion7(),
                CertificateId = certificate.Id,
                Reason = (short)reason,
                RevokedAt = now,
                InvalidityDate = invalidityDate,
            });
            audit.Record(db, actor, "certificate.revoked", "certificate", Hex(certificate.SerialNumber),
                new { reason = CaOperatorEndpoints.ReasonName(reason), invalidityDate, previousStatus = certificate.Status, kind = certificate.Kind });
            return CertificateStatuses.Revoked;
        }, cancellationToken);
    }

    /// <summary>Suspends a good certificate (certificateHold): listed on the CRL and answered revoked by OCSP until resumed.</summary>
    /// <exception cref="ServiceException">404 <c>certificate.not-found</c>; 409 <c>certificate.already-revoked</c> or <c>certificate.already-suspended</c>.</exception>
    public Task<CertificateStatusResult> SuspendAsync(string serialHex, AuditActor actor, CancellationToken cancellationToken) =>
        ChangeAsync(serialHex, actor, async certificate =>
        {
            await SuspendCoreAsync(db, audit, time, certificate, actor, cause: "operator", cancellationToken);
            return CertificateStatuses.OnHold;
        }, cancellationToken);

    /// <summary>
    /// Lifts a suspension: the certificate is good again and leaves the CRL. A signer certificate is resumed only while its
    /// signer still holds a verified license that is active in the registry (a revoked license suspended it).
    /// </summary>
    /// <exception cref="ServiceException">404 <c>certificate.not-found</c>; 409 <c>certificate.not-on-hold</c> or <c>certificate.signer-not-qualified</c>.</exception>
    public Task<CertificateStatusResult> ResumeAsync(string serialHex, AuditActor actor, CancellationToken cancellationToken) =>
        ChangeAsync(serialHex, actor, async certificate =>
        {
            if (certificate.Kind == CertificateKinds.Signer && certificate.Status == CertificateStatuses.OnHold &&
                !await (from a in db.SignerAttributes
                        join l in db.Licenses on a.LicenseId equals l.Id
                        where a.UserId == certificate.UserId && l.Status == "active"
                        select a.Id).AnyAsync(cancellationToken))
            {
                throw new ServiceException(ErrorCatalogue.SignerNotQualified, "The signer's license is no longer active in the registry.");
            }

            var now = time.GetUtcNow();
            var updated = await db.Certificates
                .Where(c => c.Id == certificate.Id && c.Status == CertificateStatuses.OnHold)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CertificateStatuses.Good).SetProperty(c => c.UpdatedAt, now), cancellationToken);
            if (updated == 0)
            {
                throw new ServiceException(ErrorCatalogue.CertificateNotOnHold);
            }

            await db.Revocations.Where(r => r.CertificateId == certificate.Id && r.LiftedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LiftedAt, now), cancellationToken);
            audit.Record(db, actor, "certificate.resumed", "certificate", Hex(certificate.SerialNumber), new { kind = certificate.Kind });
            return CertificateStatuses.Good;
        }, cancellationToken);

    /// <summary>
    /// Suspends <paramref name="certificate"/> inside the caller's transaction (no CRL): the shared step of an operator's
    /// suspension and of a license revoked by a registry import.
    /// </summary>
    internal static async Task SuspendCoreAsync(
        SignatureServiceDbContext db, AuditTrail audit, TimeProvider time, CertificateRecord certificate, AuditActor actor, string cause,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var updated = await db.Certificates
            .Where(c => c.Id == certificate.Id && c.Status == CertificateStatuses.Good)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CertificateStatuses.OnHold).SetProperty(c => c.UpdatedAt, now), cancellationToken);
        if (updated == 0)
        {
            var status = await db.Certificates.Where(c => c.Id == certificate.Id).Select(c => c.Status).SingleAsync(cancellationToken);
            throw new ServiceException(status == CertificateStatuses.Revoked
                ? ErrorCatalogue.CertificateAlreadyRevoked
                : ErrorCatalogue.CertificateAlreadySuspended);
        }

        db.Revocations.Add(new RevocationRecord
        {
            Id = Guid.CreateVersion7(),
            CertificateId = certificate.Id,
            Reason = (short)RevocationReason.CertificateHold,
            RevokedAt = now,
        });
        audit.Record(db, actor, "certificate.suspended", "certificate", Hex(certificate.SerialNumber), new { cause, kind = certificate.Kind });
    }

    /// <summary>Upper-case hex of a serial number, as used in audit targets and the command line.</summary>
    public static string Hex(byte[] serial) => Convert.ToHexString(serial);

    /// <summary>Parses a hex serial number (optional ':' or ' ' separators); <see cref="ServiceException"/> 400 when malformed.</summary>
    public static byte[] ParseSerial(string? serialHex)
    {
        var compact = (serialHex ?? "").Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (compact.Length is 0 or > 40 || compact.Length % 2 != 0 || !compact.All(char.IsAsciiHexDigit))
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The serial number is not valid.",
                new Dictionary<string, string[]> { ["serialNumber"] = ["1–20 bytes in hexadecimal."] });
        }

        // Note: accept a leading 00 (openssl prints positive serials with one when the high bit is set) but store minimal form.
        var bytes = Convert.FromHexString(compact);
        var skip = 0;
        while (skip < bytes.Length - 1 && bytes[skip] == 0 && (bytes[skip + 1] & 0x80) == 0)
        {
            skip++;
        }

        return bytes[skip..];
    }

    private async Task<CertificateStatusResult> ChangeAsync(
        string serialHex, AuditActor actor, Func<CertificateRecord, Task<string>> change, CancellationToken cancellationToken)
    {
        var serial = ParseSerial(serialHex);
        var hierarchy = await authorities.RequireAsync(cancellationToken);
        var matches = await db.Certificates.AsNoTracking().Where(c => c.SerialNumber == serial).ToListAsync(cancellationToken);
        var certificate = matches.Count switch
        {
            0 => throw new ServiceException(ErrorCatalogue.CertificateNotFound),
            1 => matches[0],
            _ => throw new ServiceException(ErrorCatalogue.ValidationFailed, "The serial number is used by more than one CA."),
        };

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var status = await change(certificate);
        await db.SaveChangesAsync(cancellationToken);
        var crl = await crls.IssueAsync(db, hierarchy.Get(certificate.CaId), actor, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CertificateStatusResult(Hex(certificate.SerialNumber), status, crl.CrlNumber);
    }
}
