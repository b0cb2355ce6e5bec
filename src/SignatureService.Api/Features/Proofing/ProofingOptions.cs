using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SignatureService.Core.Proofing;

namespace SignatureService.Api.Features.Proofing;

/// <summary>Identity proofing settings (section <c>Proofing</c>), validated at start.</summary>
public sealed class ProofingOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Proofing";

    /// <summary>Lowest identity assurance level (1–3) an application must achieve to be approved; default 3 (IAL3, MHLW guideline).</summary>
    public int MinimumIal { get; set; } = 3;

    /// <summary>Validity of the enrollment code issued on approval; default 21 days, between 1 hour and 90 days.</summary>
    public TimeSpan EnrollmentCodeLifetime { get; set; } = TimeSpan.FromDays(21);

    /// <summary>
    /// How long after an RA operator's binding attestation (attended session or biometric re-match) the applicant may bind
    /// the first key of a <c>nist-800-63a-4-ial3</c> application (1 minute to 1 day, default 30 minutes).
    /// </summary>
    public TimeSpan BindingAttestationWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long personal data of a closed (rejected or enrolled) application is kept; default 10 years (the guideline
    /// leaves it to the operator). At least 1 day.
    /// </summary>
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromDays(3653);

    /// <summary>How often the purge job runs; default 1 day, between 1 minute and 7 days.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// File holding the secret key for the keyed hash of evidence document numbers (at least 32 characters; the set-up
    /// scripts generate one under <c>.data/&lt;profile&gt;/secrets/</c>). Required.
    /// </summary>
    public string EvidenceKeyFile { get; set; } = "";

    /// <summary>
    /// PEM files with the JPKI root certificates (J-LIS) that applicants' My Number card signing certificates must chain to;
    /// empty disables the online route's signature check (409 <c>proofing.jpki-not-configured</c>).
    /// </summary>
    public IReadOnlyList<string> JpkiRootPemFiles { get; set; } = [];

    /// <summary>
    /// CRL files (DER or PEM) of the JPKI signing CAs, refreshed by the operator from J-LIS. When set, a JPKI signing certificate
    /// must be covered by a current CRL and not listed on it; unset, revocation is left to the operator's own check.
    /// </summary>
    public IReadOnlyList<string> JpkiCrlFiles { get; set; } = [];

    /// <summary>The configured minimum as a level.</summary>
    public IdentityAssuranceLevel Minimum => (IdentityAssuranceLevel)MinimumIal;
}

internal sealed class ProofingOptionsValidator : IValidateOptions<ProofingOptions>
{
    public ValidateOptionsResult Validate(string? name, ProofingOptions options)
    {
        var errors = new List<string>();
        if (options.MinimumIal is < 1 or > 3)
        {
            errors.Add("Proofing:MinimumIal must be 1, 2 or 3.");
        }

        if (options.EnrollmentCodeLifetime < TimeSpan.FromHours(1) || options.EnrollmentCodeLifetime > TimeSpan.FromDays(90))
        {
            errors.Add("Proofing:EnrollmentCodeLifetime must be between 01:00:00 and 90.00:00:00.");
        }

        if (options.BindingAttestationWindow < TimeSpan.FromMinutes(1) || options.BindingAttestationWindow > TimeSpan.FromDays(1))
        {
            errors.Add("Proofing:BindingAttestationWindow must be between 00:01:00 and 1.00:00:00.");
        }

        if (options.RetentionPeriod < TimeSpan.FromDays(1))
        {
            errors.Add("Proofing:RetentionPeriod must be at least 1.00:00:00.");
        }

        if (options.PurgeInterval < TimeSpan.FromMinutes(1) || options.PurgeInterval > TimeSpan.FromDays(7))
        {
            errors.Add("Proofing:PurgeInterval must be between 00:01:00 and 7.00:00:00.");
        }

        if (string.IsNullOrWhiteSpace(options.EvidenceKeyFile) || !File.Exists(options.EvidenceKeyFile))
        {
            errors.Add("Proofing:EvidenceKeyFile must name an existing file with the evidence hashing key (scripts/run.sh generates one).");
        }
        else if (EvidenceNumberHasher.ReadKey(options.EvidenceKeyFile).Length < 32)
        {
            errors.Add("Proofing:EvidenceKeyFile must hold at least 32 characters of key material.");
        }

        foreach (var file in options.JpkiRootPemFiles)
        {
            if (!File.Exists(file))
            {
                errors.Add($"Proofing:JpkiRootPemFiles names a missing file: {file}");
            }
        }

        foreach (var file in options.JpkiCrlFiles)
        {
            if (!File.Exists(file))
            {
                errors.Add($"Proofing:JpkiCrlFiles names a missing file: {file}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>
/// The keyed hash of evidence document numbers: HMAC-SHA-256 over <c>kind:NUMBER</c> (upper case, no spaces or hyphens)
/// under the deployment's secret key, so a number can be matched again without being readable from the database.
/// </summary>
public sealed class EvidenceNumberHasher(IOptions<ProofingOptions> options)
{
    private readonly Lazy<byte[]> _key = new(() => ReadKey(options.Value.EvidenceKeyFile));

    /// <summary>The 32-byte hash.</summary>
    public byte[] Hash(string kind, string number)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(number);
        var compact = number.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();
        return HMACSHA256.HashData(_key.Value, Encoding.UTF8.GetBytes($"{kind}:{compact}"));
    }

    internal static byte[] ReadKey(string path) => Encoding.UTF8.GetBytes(File.ReadAllText(path).Trim());
}
