using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Pki;

namespace SignatureService.Api.Features.Pki;

/// <summary>What an import changed.</summary>
/// <param name="Rows">Data rows in the file.</param>
/// <param name="Added">New registry entries.</param>
/// <param name="Updated">Existing entries that changed.</param>
/// <param name="Revoked">Entries that changed from active to revoked.</param>
/// <param name="SuspendedCertificates">Signer certificates suspended because their license was revoked.</param>
public sealed record LicenseImportResult(int Rows, int Added, int Updated, int Revoked, int SuspendedCertificates);

/// <summary>
/// Imports the license registry from CSV (RFC 4180, UTF-8, header
/// <c>profession,license_number,registration_date,name,date_of_birth,status</c>; dates <c>yyyy-MM-dd</c>; status
/// <c>active</c> or <c>revoked</c>). Every row is validated first; any invalid row rejects the whole file (400
/// <c>license.import-invalid</c> listing <c>line N</c> → reasons) and nothing is written. A license that turns revoked
/// suspends its signers' good certificates, with audit events and new CRLs, in the same transaction as the import.
/// </summary>
public sealed partial class ImportLicenseRegistry(
    SignatureServiceDbContext db,
    CertificateAuthorities authorities,
    CrlPublisher crls,
    AuditTrail audit,
    TimeProvider time)
{
    /// <summary>Largest accepted file, in bytes (32 MiB).</summary>
    public const int MaxBytes = 32 * 1024 * 1024;

    /// <summary>Most data rows per file.</summary>
    public const int MaxRows = 500_000;

    /// <summary>Most row errors reported (the file is rejected either way).</summary>
    public const int MaxReportedErrors = 200;

    /// <summary>The required header.</summary>
    public const string Header = "profession,license_number,registration_date,name,date_of_birth,status";

    private sealed record Row(int Line, string Profession, string Number, DateOnly Registered, string Name, DateOnly Born, string Status);

    /// <summary>Validates and imports <paramref name="csv"/>.</summary>
    /// <exception cref="ServiceException">400 <c>license.import-invalid</c> (nothing imported) or <c>request.payload-too-large</c>.</exception>
    public async Task<LicenseImportResult> ImportAsync(byte[] csv, AuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(csv);
        if (csv.Length > MaxBytes)
        {
            throw new ServiceException(ErrorCatalogue.PayloadTooLarge, $"The file exceeds {MaxBytes} bytes.");
        }

        var rows = Parse(csv);
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var numbers = rows.Select(r => r.Number).Distinct(StringComparer.Ordinal).ToList();
        var existing = await db.Licenses.Where(l => numbers.Contains(l.LicenseNumber)).ToListAsync(cancellationToken);
        var byKey = existing.ToDictionary(l => (l.Profession, l.LicenseNumber));
        int added = 0, updated = 0;
        var revoked = new List<LicenseRecord>();
        foreach (var row in rows)
        {
            if (!byKey.TryGetValue((row.Profession, row.Number), out var license))
            {
                db.Licenses.Add(new LicenseRecord
                {
                    Id = Guid.CreateVersion7(),
                    Profession = row.Profession,
                    LicenseNumber = row.Number,
                    RegistrationDate = row.Registered,
                    Name = row.Name,
                    DateOfBirth = row.Born,
                    Status = row.Status,
                    ImportedAt = now,
                    UpdatedAt = now,
                });
                added++;
                continue;
            }

            if (license.RegistrationDate == row.Registered && license.Name == row.Name && license.DateOfBirth == row.Born && license.Status == row.Status)
            {
                continue;
            }

            if (license.Status == "active" && row.Status == "revoked")
            {
                revoked.Add(license);
            }

            license.RegistrationDate = row.Registered;
            license.Name = row.Name;
            license.DateOfBirth = row.Born;
            license.Status = row.Status;
            license.UpdatedAt = now;
            updated++;
        }

        await db.SaveChangesAsync(cancellationToken);
        var suspended = await SuspendCertificatesAsync(revoked, actor, cancellationToken);
        audit.Record(db, actor, "license.imported", "license-registry", null,
            new { rows = rows.Count, added, updated, revoked = revoked.Count, suspendedCertificates = suspended });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new LicenseImportResult(rows.Count, added, updated, revoked.Count, suspended);
    }

    private async Task<int> SuspendCertificatesAsync(List<LicenseRecord> revoked, AuditActor actor, CancellationToken cancellationToken)
    {
        if (revoked.Count == 0)
        {
            return 0;
        }

        var suspended = 0;
        var affectedCas = new HashSet<Guid>();
        foreach (var license in revoked)
        {
            var users = await db.SignerAttributes.Where(a => a.LicenseId == license.Id).Select(a => a.UserId).ToListAsync(cancellationToken);
            var certificates = await db.Certificates.AsNoTracking()
                .Where(c => c.Kind == CertificateKinds.Signer && c.Status == CertificateStatuses.Good && c.UserId != null && users.Contains(c.UserId.Value))
                .ToListAsync(cancellationToken);
            foreach (var certificate in certificates)
            {
                await CertificateStatusChanges.SuspendCoreAsync(db, audit, time, certificate, actor, cause: "license-revoked", cancellationToken);
                affectedCas.Add(certificate.CaId);
                suspended++;
            }

            audit.Record(db, actor, "license.revoked", "license", license.Id.ToString(),
                new { profession = license.Profession, signers = users.Count, suspendedCertificates = certificates.Count });
            await SuspendSignersAsync(users, actor, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        if (affectedCas.Count > 0)
        {
            var hierarchy = await authorities.RequireAsync(cancellationToken);
            foreach (var caId in affectedCas)
            {
                await crls.IssueAsync(db, hierarchy.Get(caId), actor, cancellationToken);
            }
        }

        return suspended;
    }

    /// <summary>Issue 5 item 4: a revoked license also suspends its signers (no login, no signature) with their sessions ended.</summary>
    private async Task SuspendSignersAsync(List<Guid> users, AuditActor actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var userId in users)
        {
            var suspended = await db.Users.Where(u => u.Id == userId && u.Status == "active")
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.Status, "suspended").SetProperty(u => u.UpdatedAt, now), cancellationToken);
            if (suspended == 1)
            {
                await db.UserSessions.Where(s => s.UserId == userId && s.EndedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndReason, "user-suspended"), cancellationToken);
                audit.Record(db, actor, "proofing.signer-suspended", "user", userId.ToString(), new { cause = "license-revoked" });
            }
        }
    }

    private static List<Row> Parse(byte[] csv)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(csv).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            throw Invalid(new Dictionary<string, string[]> { ["file"] = ["The file is not valid UTF-8."] });
        }

        var records = CsvRecords(text, out var syntaxError);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (syntaxError is { } syntax)
        {
            errors[$"line {syntax.Line}"] = [syntax.Message];
            throw Invalid(errors);
        }

        if (records.Count == 0 || !string.Equals(string.Join(',', records[0].Fields), Header, StringComparison.Ordinal))
        {
            throw Invalid(new Dictionary<string, string[]> { ["line 1"] = [$"The header must be exactly: {Header}"] });
        }

        if (records.Count - 1 > MaxRows)
        {
            throw Invalid(new Dictionary<string, string[]> { ["file"] = [$"At most {MaxRows} rows per file."] });
        }

        var rows = new List<Row>(records.Count - 1);
        var seen = new Dictionary<(string, string), int>();
        foreach (var (line, fields) in records.Skip(1))
        {
            var reasons = new List<string>();
            if (fields.Count != 6)
            {
                reasons.Add($"Expected 6 fields, found {fields.Count}.");
            }
            else
            {
                var (profession, number, registered, name, born, status) = (fields[0], fields[1], fields[2], fields[3].Trim(), fields[4], fields[5]);
                if (VerifySignerLicense.RoleOf(profession) is null)
                {
                    reasons.Add("profession must be doctor, dentist or pharmacist.");
                }

                if (!LicenseNumberPattern().IsMatch(number))
                {
                    reasons.Add("license_number must be 1–20 of 0-9, A-Z, a-z, '-'.");
                }

                var registeredOk = DateOnly.TryParseExact(registered, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var registeredDate);
                var bornOk = DateOnly.TryParseExact(born, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var bornDate);
                if (!registeredOk)
                {
                    reasons.Add("registration_date must be a date yyyy-MM-dd.");
                }

                if (!bornOk)
                {
                    reasons.Add("date_of_birth must be a date yyyy-MM-dd.");
                }

                if (registeredOk && bornOk && bornDate >= registeredDate)
                {
                    reasons.Add("date_of_birth must be before registration_date.");
                }

                if (name.Length is 0 or > 100 || name.Any(char.IsControl))
                {
                    reasons.Add("name must be 1–100 characters without control characters.");
                }

                if (status is not ("active" or "revoked"))
                {
                    reasons.Add("status must be active or revoked.");
                }

                if (seen.TryGetValue((profession, number), out var first))
                {
                    reasons.Add($"Duplicate of line {first}.");
                }
                else
                {
                    seen[(profession, number)] = line;
                }

                if (reasons.Count == 0)
                {
                    rows.Add(new Row(line, profession, number, registeredDate, name, bornDate, status));
                }
            }

            if (reasons.Count > 0 && errors.Count < MaxReportedErrors)
            {
                errors[$"line {line}"] = [.. reasons];
            }
        }

        if (errors.Count > 0)
        {
            throw Invalid(errors);
        }

        return rows;
    }

    /// <summary>RFC 4180 records with the line each starts on; blank lines are skipped.</summary>
    private static List<(int Line, List<string> Fields)> CsvRecords(string text, out (int Line, string Message)? error)
    {
        error = null;
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var i = 0;
        var quoted = false;
        var fieldStarted = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }

                    quoted = false;
                    i++;
                    if (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                    {
                        error = (line, "A quoted field must end at a comma or the end of the line.");
                        return records;
                    }

                    continue;
                }

                if (c == '\n')
                {
                    line++;
                }

                field.Append(c);
                i++;
                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    fieldStarted = true;
                    i++;
                    break;
                case '"':
                    error = (line, "A quote may only open a field.");
                    return records;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = true;
                    i++;
                    break;
                case '\r' or '\n':
                    if (fieldStarted || field.Length > 0 || fields.Count > 0)
                    {
                        fields.Add(field.ToString());
                        records.Add((recordLine, fields));
                    }

                    fields = [];
                    field.Clear();
                    fieldStarted = false;
                    i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    i++;
                    break;
            }
        }

        if (quoted)
        {
            error = (recordLine, "A quoted field is not closed.");
            return records;
        }

        if (fieldStarted || field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add((recordLine, fields));
        }

        return records;
    }

    private static ServiceException Invalid(Dictionary<string, string[]> errors) =>
        new(ErrorCatalogue.LicenseImportInvalid, $"{errors.Count} line(s) are invalid; nothing was imported.", errors);

    [GeneratedRegex("^[0-9A-Za-z-]{1,20}$")]
    private static partial Regex LicenseNumberPattern();
}
