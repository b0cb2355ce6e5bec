using System.Globalization;
using Microsoft.Extensions.Options;
using SignatureService.Api.Cli;
using SignatureService.Api.Features.Hsm;
using SignatureService.Data.Audit;
using SignatureService.Data.Migrating;
using SignatureService.Hsm;
using SignatureService.Pki.Revocation;

namespace SignatureService.Api.Features.Pki;

/// <summary>
/// The CA operator's command-line verbs (until operator login exists): <c>ca init</c>, <c>cert issue-signer</c>,
/// <c>cert revoke|suspend|resume</c>, <c>license import FILE</c>, <c>license verify</c> and <c>crl generate</c>.
/// Each opens the HSM token itself (the background start-up does not run for commands) and is audited as <c>cli:USER</c>.
/// </summary>
internal static class PkiCommands
{
    public const string Usage = """
                   SignatureService.Api ca init
                   SignatureService.Api cert issue-signer --user-id UUID --facility-romaji TEXT --facility-kanji TEXT --name-romaji TEXT --name-kanji TEXT [--ou Director] [--out FILE.cer]
                   SignatureService.Api cert revoke --serial HEX [--reason keyCompromise|cACompromise|affiliationChanged|superseded|cessationOfOperation|privilegeWithdrawn|unspecified] [--invalidity-date ISO-8601]
                   SignatureService.Api cert suspend|resume --serial HEX
                   SignatureService.Api license import FILE.csv
                   SignatureService.Api license verify --user-id UUID --profession doctor|dentist|pharmacist --license-number N --name NAME --date-of-birth YYYY-MM-DD
                   SignatureService.Api crl generate [--ca root|signing|authentication]
""";

    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> positional, Dictionary<string, List<string>> options)
    {
        await services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        OpenHsm(services);
        var actor = AuditActor.CommandLine(Environment.UserName);
        var cancellationToken = CancellationToken.None;
        switch (positional)
        {
            case ["ca", "init"]:
                {
                    var result = await services.GetRequiredService<InitializeCertificateAuthority>().InitializeAsync(actor, cancellationToken);
                    await Console.Out.WriteLineAsync(result.Created
                        ? "Certificate authority initialised:"
                        : "Certificate authority already initialised; nothing changed:");
                    foreach (var line in result.Authorities)
                    {
                        await Console.Out.WriteLineAsync("  " + line);
                    }

                    return 0;
                }

            case ["cert", "issue-signer"]:
                {
                    if (!Guid.TryParse(CommandLine.Required(options, "--user-id"), out var userId))
                    {
                        throw new CommandLine.UsageException("--user-id must be a UUID.");
                    }

                    var issued = await services.GetRequiredService<IssueSignerCertificate>().IssueAsync(
                        new SignerCertificateInput(userId, CommandLine.Required(options, "--facility-romaji"), CommandLine.Required(options, "--facility-kanji"),
                            CommandLine.Required(options, "--name-romaji"), CommandLine.Required(options, "--name-kanji"))
                        {
                            OrganizationalUnit = options.GetValueOrDefault("--ou")?.SingleOrDefault(),
                        },
                        actor, cancellationToken);
                    if (options.GetValueOrDefault("--out")?.SingleOrDefault() is { } file)
                    {
                        await File.WriteAllBytesAsync(file, issued.Der, cancellationToken);
                    }

                    await Console.Out.WriteLineAsync($"Issued signer certificate serial {issued.SerialNumber} (hcRole: {string.Join(", ", issued.HcRoles)}).");
                    return 0;
                }

            case ["cert", "revoke"]:
                {
                    var reasonText = options.GetValueOrDefault("--reason")?.SingleOrDefault() ?? "unspecified";
                    if (!Enum.TryParse<RevocationReason>(reasonText, ignoreCase: true, out var reason) || !Enum.IsDefined(reason))
                    {
                        throw new CommandLine.UsageException($"--reason {reasonText} is not an RFC 5280 reason.");
                    }

                    DateTimeOffset? invalidity = null;
                    if (options.GetValueOrDefault("--invalidity-date")?.SingleOrDefault() is { } dateText)
                    {
                        invalidity = DateTimeOffset.TryParse(dateText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
                            ? date
                            : throw new CommandLine.UsageException("--invalidity-date must be an ISO-8601 date and time.");
                    }

                    var result = await services.GetRequiredService<CertificateStatusChanges>()
                        .RevokeAsync(CommandLine.Required(options, "--serial"), reason, invalidity, actor, cancellationToken);
                    await Console.Out.WriteLineAsync($"Certificate {result.SerialNumber} revoked ({reason}); CRL {result.CrlNumber} published.");
                    return 0;
                }

            case ["cert", "suspend" or "resume"]:
                {
                    var changes = services.GetRequiredService<CertificateStatusChanges>();
                    var serial = CommandLine.Required(options, "--serial");
                    var result = positional[1] == "suspend"
                        ? await changes.SuspendAsync(serial, actor, cancellationToken)
                        : await changes.ResumeAsync(serial, actor, cancellationToken);
                    await Console.Out.WriteLineAsync($"Certificate {result.SerialNumber} is {result.Status}; CRL {result.CrlNumber} published.");
                    return 0;
                }

            case ["license", "import", var file]:
                {
                    byte[] csv;
                    try
                    {
                        csv = new FileInfo(file).Length > ImportLicenseRegistry.MaxBytes
                            ? throw new CommandLine.UsageException($"{file} exceeds {ImportLicenseRegistry.MaxBytes} bytes.")
                            : await File.ReadAllBytesAsync(file, cancellationToken);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        throw new CommandLine.UsageException($"{file}: {ex.Message}");
                    }

                    var result = await services.GetRequiredService<ImportLicenseRegistry>().ImportAsync(csv, actor, cancellationToken);
                    await Console.Out.WriteLineAsync(
                        $"Imported {result.Rows} rows: {result.Added} added, {result.Updated} updated, {result.Revoked} revoked; " +
                        $"{result.SuspendedCertificates} certificate(s) suspended.");
                    return 0;
                }

            case ["license", "verify"]:
                {
                    if (!Guid.TryParse(CommandLine.Required(options, "--user-id"), out var userId) ||
                        !DateOnly.TryParseExact(CommandLine.Required(options, "--date-of-birth"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var born))
                    {
                        throw new CommandLine.UsageException("--user-id must be a UUID and --date-of-birth YYYY-MM-DD.");
                    }

                    var role = await services.GetRequiredService<VerifySignerLicense>().VerifyAsync(
                        new LicenseClaim(userId, CommandLine.Required(options, "--profession"), CommandLine.Required(options, "--license-number"),
                            CommandLine.Required(options, "--name"), born),
                        actor, cancellationToken);
                    await Console.Out.WriteLineAsync($"License verified; hcRole {role.Text} recorded.");
                    return 0;
                }

            case ["crl", "generate"]:
                {
                    var hierarchy = await services.GetRequiredService<CertificateAuthorities>().RequireAsync(cancellationToken);
                    var names = options.GetValueOrDefault("--ca") is { Count: > 0 } selected ? selected : [.. hierarchy.Authorities.Keys];
                    var db = services.GetRequiredService<Data.SignatureServiceDbContext>();
                    foreach (var name in names)
                    {
                        var crl = await services.GetRequiredService<CrlPublisher>().PublishAsync(db, hierarchy.Get(name), actor, cancellationToken);
                        await Console.Out.WriteLineAsync($"CRL {crl.CrlNumber} of {name} published ({crl.Entries} entries, nextUpdate {crl.NextUpdate:O}).");
                    }

                    return 0;
                }

            default:
                throw new CommandLine.UsageException("Unknown command.");
        }
    }

    internal static void OpenHsm(IServiceProvider services)
    {
        var connection = services.GetRequiredService<HsmConnection>();
        if (connection.Token is not null)
        {
            return;
        }

        try
        {
            connection.Connected(HsmToken.Open(services.GetRequiredService<IOptions<HsmOptions>>().Value));
        }
        catch (HsmException ex)
        {
            throw new CommandLine.UsageException($"HSM: {ex.Message}");
        }
    }
}
