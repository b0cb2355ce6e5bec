using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Clients;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Features.Proofing;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Identity;
using SignatureService.Data.Proofing;
using SignatureService.Core.Proofing;
using SignatureService.Data.Users;

namespace SignatureService.Api.Features.Demo;

/// <summary>Where the demo writes its files and which service URL its walkthrough names.</summary>
/// <param name="Directory">The demo folder (created 0700; files 0600), normally <c>.data/dev/demo</c>.</param>
/// <param name="LicenseCsv">The fictional license registry to import (<c>scripts/demo/licenses.csv</c>).</param>
/// <param name="ServiceUrl">The service's browser origin, e.g. <c>http://localhost:5080</c>.</param>
public sealed record DemoSeedInput(string Directory, string LicenseCsv, string ServiceUrl);

/// <summary>What the seed prepared: the one-time codes to print and the files it wrote.</summary>
/// <param name="Walkthrough">The walkthrough text (also written to <c>walkthrough.txt</c>).</param>
/// <param name="SignerEnrollmentId">The demo signer's enrollment id, null once the signer has enrolled.</param>
/// <param name="SignerCode">The demo signer's code (formatted), null once enrolled.</param>
/// <param name="OperatorEnrollmentId">The demo operator's enrollment id, null once enrolled.</param>
/// <param name="OperatorCode">The demo operator's code (formatted), null once enrolled.</param>
public sealed record DemoSeedResult(string Walkthrough, Guid? SignerEnrollmentId, string? SignerCode, Guid? OperatorEnrollmentId, string? OperatorCode);

/// <summary>
/// The first-run story of a development installation (issue 10 item 5), run by <c>demo seed</c> at every start of
/// <c>scripts/run.sh</c>: a development CA, a demo EHR client (its private key written to the demo folder), a fictional license
/// registry, one operator enrollment code and one demo physician proofed through the real proofing code (recorded and verified by
/// one demo RA actor, approved and binding-attested by another: dual control) with an enrollment id and code ready.
/// Idempotent: what exists is kept; only the codes and the 30-minute binding attestation are renewed while nobody has enrolled
/// with them, because a code is shown once and stored hashed. The command refuses to run outside Development.
/// </summary>
public sealed class DemoSeed(
    SignatureServiceDbContext db,
    InitializeCertificateAuthority ca,
    ClientRegistration clients,
    ImportLicenseRegistry licenses,
    OperatorEnrollment operators,
    EnrollmentCodes codes,
    ProofingApplications proofing,
    AuditTrail audit,
    IOptions<ProofingOptions> proofingOptions,
    TimeProvider time)
{
    /// <summary>The demo EHR client id.</summary>
    public const string ClientId = "demo-ehr";

    /// <summary>The demo physician's license number in <c>scripts/demo/licenses.csv</c>.</summary>
    public const string SignerLicenseNumber = "DEMO-0001";

    /// <summary>Display name of the demo operator (RA, CA and auditor roles).</summary>
    public const string OperatorName = "デモ 運用者 (Demo Operator)";

    private const string RaActorName1 = "Demo RA actor 1 (records and verifies)", RaActorName2 = "Demo RA actor 2 (approves)";
    private static readonly AuditActor Actor = AuditActor.CommandLine("demo-seed");

    /// <summary>Prepares (or renews) the demo and writes <c>walkthrough.txt</c>, <c>demo.env</c> and the client key.</summary>
    public async Task<DemoSeedResult> SeedAsync(DemoSeedInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        Directory.CreateDirectory(input.Directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(input.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        await ca.InitializeAsync(Actor, cancellationToken);
        var kid = await EnsureClientAsync(input.Directory, cancellationToken);
        await EnsureLicensesAsync(input.LicenseCsv, cancellationToken);
        var op = await EnsureOperatorAsync(cancellationToken);
        var signer = await EnsureSignerAsync(cancellationToken);

        var text = Walkthrough(input, signer, op);
        WritePrivate(Path.Combine(input.Directory, "walkthrough.txt"), text);
        WritePrivate(Path.Combine(input.Directory, "demo.env"), string.Join('\n',
            $"SIGNSVC_DEMO_URL={input.ServiceUrl}",
            $"SIGNSVC_DEMO_CLIENT_ID={ClientId}",
            $"SIGNSVC_DEMO_KID={kid}",
            $"SIGNSVC_DEMO_LICENSE_NUMBER={SignerLicenseNumber}",
            "") );
        return new DemoSeedResult(text, signer?.EnrollmentId, signer?.Code, op?.EnrollmentId, op?.Code);
    }

    private async Task<string> EnsureClientAsync(string directory, CancellationToken cancellationToken)
    {
        var keyFile = Path.Combine(directory, "ehr-client-key.pem");
        var kidFile = Path.Combine(directory, "ehr-client-kid");
        var exists = await db.EhrClients.AnyAsync(c => c.ClientId == ClientId, cancellationToken);
        if (exists && File.Exists(keyFile) && File.Exists(kidFile))
        {
            return (await File.ReadAllTextAsync(kidFile, cancellationToken)).Trim();
        }

        // Note: RS256 so that scripts/demo-submit.sh can sign its token with plain `openssl dgst -sign` (no DER-to-raw ECDSA step).
        using var key = RSA.Create(2048);
        var p = key.ExportParameters(false);
        var jwk = JsonSerializer.SerializeToElement(new { kty = "RSA", n = Base64Url(p.Modulus!), e = Base64Url(p.Exponent!) });
        var kid = $"demo-{time.GetUtcNow():yyyyMMddHHmmss}";
        var input = new ClientKeyInput(kid, "RS256", jwk);
        if (exists)
        {
            // The database outlived the demo folder: the old private key is gone, so the client gets a new one.
            await clients.AddKeyAsync(ClientId, input, Actor, cancellationToken);
        }
        else
        {
            await clients.RegisterAsync(new RegisterClientInput(ClientId, "Demo EHR (development only)", [input], []), Actor, cancellationToken);
        }

        WritePrivate(keyFile, key.ExportPkcs8PrivateKeyPem());
        WritePrivate(kidFile, kid);
        return kid;
    }

    private async Task EnsureLicensesAsync(string csvFile, CancellationToken cancellationToken)
    {
        var csv = await File.ReadAllBytesAsync(csvFile, cancellationToken);
        var numbers = System.Text.Encoding.UTF8.GetString(csv).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Skip(1).Select(line => line.Split(',')[1]).ToList();
        var known = await db.Licenses.CountAsync(l => numbers.Contains(l.LicenseNumber), cancellationToken);
        if (known < numbers.Count)
        {
            await licenses.ImportAsync(csv, Actor, cancellationToken);
        }
    }

    private async Task<(Guid EnrollmentId, string Code)?> EnsureOperatorAsync(CancellationToken cancellationToken)
    {
        var user = await db.Users.Where(u => u.DisplayName == OperatorName && u.Roles.Contains(UserRoles.RaOperator))
            .OrderBy(u => u.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            var (_, created) = await operators.CreateAsync(OperatorName, [UserRoles.RaOperator, UserRoles.CaOperator, UserRoles.Auditor], Actor, cancellationToken);
            return (created.EnrollmentId, EnrollmentCodes.Format(created.Code));
        }

        if (user.Status != "pending")
        {
            return null;
        }

        var issued = await ReissueAsync(user.Id, EnrollmentPurpose.Operator, EnrollmentCodes.DefaultLifetime, null, cancellationToken);
        return (issued.EnrollmentId, EnrollmentCodes.Format(issued.Code));
    }

    private async Task<(Guid EnrollmentId, string Code, DateTimeOffset AttestedUntil)?> EnsureSignerAsync(CancellationToken cancellationToken)
    {
        var application = await db.ProofingApplications.AsNoTracking()
            .Where(a => a.LicenseNumber == SignerLicenseNumber && a.Profession == "doctor"
                        && a.Status != ProofingApplicationStatus.Rejected)
            .OrderByDescending(a => a.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        if (application?.Status == ProofingApplicationStatus.Enrolled)
        {
            return null;
        }

        var (first, second) = await EnsureRaActorsAsync(cancellationToken);
        Guid enrollmentId;
        string code;
        if (application?.Status == ProofingApplicationStatus.Approved)
        {
            var issued = await ReissueAsync(application.SubjectUserId!.Value, EnrollmentPurpose.Signer,
                proofingOptions.Value.EnrollmentCodeLifetime, application.Id, cancellationToken);
            (enrollmentId, code) = (issued.EnrollmentId, EnrollmentCodes.Format(issued.Code));
        }
        else
        {
            var id = application?.Id ?? (await proofing.RecordAsync(Application(), RaActor(first), first, cancellationToken)).Id;
            if (application is null || application.Status == ProofingApplicationStatus.Recorded)
            {
                await proofing.AddEvidenceAsync(id, new AddEvidenceRequest(
                    "my-number-card", "superior", "千代田区 (demo)", "0000 0000 0001", "2035-01-15", new string('a', 64), "ic-chip-read"),
                    RaActor(first), first, cancellationToken);
                await proofing.VerifyAsync(id, new VerifyApplicationRequest(true, new string('b', 64), true), RaActor(first), first, cancellationToken);
            }

            var approval = await proofing.ApproveAsync(id, RaActor(second), second, cancellationToken);
            (enrollmentId, code) = (approval.EnrollmentId, approval.EnrollmentCode);
            application = await db.ProofingApplications.AsNoTracking().SingleAsync(a => a.Id == id, cancellationToken);
        }

        // A fresh attested binding (NIST SP 800-63A-4 IAL3: attended session) at every start, so the 30-minute window is never a trap.
        await proofing.AttestBindingAsync(application.Id, new BindingAttestationRequest(BindingAttestations.AttendedSession, null),
            RaActor(second), second, cancellationToken);
        return (enrollmentId, code, time.GetUtcNow() + proofingOptions.Value.BindingAttestationWindow);
    }

    private static CreateApplicationRequest Application() => new(
        "nist-800-63a-4-ial3", "in-person", "initial", null,
        "見本", "一郎", "ミホン", "イチロウ", "MIHON ICHIRO", "1980-01-15", "male", "100-0001", "東京都千代田区千代田１－１ (架空の住所)",
        "03-0000-0000", "demo-physician@example.invalid", "doctor", SignerLicenseNumber, "2006-04-01",
        "見本内科クリニック", "Mihon Internal Medicine Clinic");

    private async Task<(Guid First, Guid Second)> EnsureRaActorsAsync(CancellationToken cancellationToken)
    {
        async Task<Guid> EnsureAsync(string name)
        {
            var id = await db.Users.Where(u => u.DisplayName == name).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(cancellationToken);
            if (id is { } existing)
            {
                return existing;
            }

            // Note: bookkeeping actors for dual control in the demo: pending, with no enrollment code and no key, so nobody can sign in as them.
            var now = time.GetUtcNow();
            var user = new UserRecord
            {
                Id = Guid.CreateVersion7(), DisplayName = name, Status = "pending", Roles = [UserRoles.RaOperator], CreatedAt = now, UpdatedAt = now,
            };
            db.Users.Add(user);
            audit.Record(db, Actor, "demo.ra-actor-created", "user", user.Id.ToString(), new { roles = user.Roles });
            await db.SaveChangesAsync(cancellationToken);
            return user.Id;
        }

        return (await EnsureAsync(RaActorName1), await EnsureAsync(RaActorName2));
    }

    private static AuditActor RaActor(Guid userId) => new("operator", userId.ToString());

    /// <summary>Ends the user's open codes of <paramref name="purpose"/> and issues a new one, in one transaction with its audit event.</summary>
    private async Task<IssuedEnrollment> ReissueAsync(Guid userId, string purpose, TimeSpan lifetime, Guid? applicationId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.EnrollmentCodes.Where(e => e.UserId == userId && e.Purpose == purpose && e.ConsumedAt == null && e.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.ExpiresAt, now), cancellationToken);
        var issued = codes.Stage(userId, purpose, $"{Actor.Type}:{Actor.Id}", lifetime);
        if (applicationId is { } id)
        {
            var application = await db.ProofingApplications.SingleAsync(a => a.Id == id, cancellationToken);
            application.EnrollmentId = issued.EnrollmentId;
            application.UpdatedAt = now;
        }

        audit.Record(db, Actor, "demo.enrollment-reissued", "enrollment", issued.EnrollmentId.ToString(),
            new { user = userId, purpose, application = applicationId, expiresAt = issued.ExpiresAt });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return issued;
    }

    private static string Walkthrough(DemoSeedInput input, (Guid EnrollmentId, string Code, DateTimeOffset AttestedUntil)? signer, (Guid EnrollmentId, string Code)? op)
    {
        var url = input.ServiceUrl.TrimEnd('/');
        var submit = input.Directory.EndsWith("/.data/dev/demo", StringComparison.Ordinal) ? "scripts/demo-submit.sh" : $"scripts/demo-submit.sh '{input.Directory}'";
        var lines = new List<string>
        {
            "SignatureService first run: the demo (DEVELOPMENT ONLY; none of this exists in any other environment)",
            "",
        };
        lines.AddRange(signer is { } s
            ? [
                $"1. Enrol the demo physician's security key: open {url}/enroll.html and enter",
                $"     Enrollment id:   {s.EnrollmentId}",
                $"     Enrollment code: {s.Code}",
                $"   (the RA's attested binding is valid until {s.AttestedUntil:HH:mm} UTC; every start of scripts/run.sh issues a fresh code)",
                "   Use a real security key (its vendor root must be configured, see README) or the browser's built-in WebAuthn",
                "   emulation: Chromium/Chrome DevTools (F12) → ⋮ More tools → WebAuthn → \"Enable virtual authenticator environment\"",
                "   → add an authenticator (ctap2, usb, resident keys and user verification on).",
            ]
            : [$"1. The demo physician (見本 一郎) has enrolled a key: sign in at {url}/login.html."]);
        lines.AddRange(
        [
            "2. Submit the sample prescription as the demo EHR client (one command, from the repository root):",
            $"     {submit}",
            $"3. Sign in at {url}/login.html with the key; {url}/signer.html shows the request: approve it with the key.",
            "4. When it is signed, download the signed XML from the request's page (\"署名済みXML\" / \"Signed XML\") and verify it:",
            $"     curl -s -X POST -H 'Content-Type: application/xml' --data-binary @signed.xml {url}/v1/verifications",
            "",
        ]);
        lines.AddRange(op is { } o
            ? [
                "Operator (RA, CA and auditor roles): register a key at " + url + "/login.html (\"キーを登録\" / \"Register key\") with",
                $"     Enrollment id:   {o.EnrollmentId}",
                $"     Enrollment code: {o.Code}",
            ]
            : ["The demo operator has enrolled: sign in at " + url + "/login.html."]);
        lines.Add($"The codes are also in {Path.Combine(input.Directory, "walkthrough.txt")} (mode 0600).");
        return string.Join('\n', lines) + "\n";
    }

    private static void WritePrivate(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Note: created 0600 (not chmod-ed after the write), so the key and the codes are never readable by others.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            if (File.Exists(path))
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
