using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using SignatureService.Pki.Errors;
using SignatureService.Pki.Revocation;

namespace SignatureService.Api.Features.Verification;

/// <summary>
/// What <c>POST /v1/verifications</c> trusts beyond this service's own CA (section <c>Verification</c>): other trust anchors,
/// e.g. the MHLW HPKI root for signatures made elsewhere, and CRL files of other issuers, refreshed by the operator (closed
/// hospital networks cannot fetch them at verification time).
/// </summary>
public sealed class VerificationOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Verification";

    /// <summary>PEM files of certificates: self-signed ones are trust anchors, the others intermediate CA certificates for path building.</summary>
    public IReadOnlyList<string> TrustAnchorPemFiles { get; set; } = [];

    /// <summary>CRL files (DER or PEM) of other issuers, read again when a file changes.</summary>
    public IReadOnlyList<string> CrlFiles { get; set; } = [];
}

/// <summary>Refuses to start with a named file missing, a PEM file without certificates, or a file that is not a CRL.</summary>
internal sealed class VerificationOptionsValidator : IValidateOptions<VerificationOptions>
{
    public ValidateOptionsResult Validate(string? name, VerificationOptions options)
    {
        var errors = new List<string>();
        foreach (var file in options.TrustAnchorPemFiles)
        {
            if (!File.Exists(file))
            {
                errors.Add($"Verification:TrustAnchorPemFiles names a missing file: {file}");
                continue;
            }

            var certificates = new X509Certificate2Collection();
            try
            {
                certificates.ImportFromPemFile(file);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // Counted below.
            }

            if (certificates.Count == 0)
            {
                errors.Add($"Verification:TrustAnchorPemFiles: {file} holds no PEM certificate.");
            }
        }

        foreach (var file in options.CrlFiles)
        {
            if (!File.Exists(file))
            {
                errors.Add($"Verification:CrlFiles names a missing file: {file}");
                continue;
            }

            try
            {
                _ = CertificateRevocationList.Parse(File.ReadAllBytes(file));
            }
            catch (PkiException ex)
            {
                errors.Add($"Verification:CrlFiles: {file} is not a usable CRL ({ex.Message})");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>
/// The configured anchors (read once) and CRL files (read again when their modification time changes), shared by all
/// verifications. Thread-safe.
/// </summary>
public sealed class VerificationMaterial(IOptions<VerificationOptions> options)
{
    private readonly Lazy<(IReadOnlyList<X509Certificate2> Roots, IReadOnlyList<X509Certificate2> Intermediates)> _anchors = new(() =>
    {
        var all = new X509Certificate2Collection();
        foreach (var file in options.Value.TrustAnchorPemFiles)
        {
            all.ImportFromPemFile(file);
        }

        var roots = all.Where(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData)).ToList();
        return (roots, all.Except(roots).ToList());
    });

    private readonly CrlFiles _crls = new(options.Value.CrlFiles);

    /// <summary>Configured self-signed trust anchors.</summary>
    public IReadOnlyList<X509Certificate2> Roots => _anchors.Value.Roots;

    /// <summary>Configured intermediate CA certificates.</summary>
    public IReadOnlyList<X509Certificate2> Intermediates => _anchors.Value.Intermediates;

    /// <summary>The configured CRLs as they are on disk now; a file that became unreadable is left out (the check says unknown).</summary>
    public IReadOnlyList<CertificateRevocationList> Crls() => _crls.Current();
}

/// <summary>A set of CRL files, parsed again when a file's modification time changes. Thread-safe.</summary>
public sealed class CrlFiles(IReadOnlyList<string> files)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DateTime Modified, CertificateRevocationList? Crl)> _cache = new(StringComparer.Ordinal);

    /// <summary>Whether any file is configured.</summary>
    public bool IsConfigured => files.Count > 0;

    /// <summary>The CRLs as they are on disk now; a file that is missing or unreadable is left out.</summary>
    public IReadOnlyList<CertificateRevocationList> Current()
    {
        var result = new List<CertificateRevocationList>();
        lock (_gate)
        {
            foreach (var file in files)
            {
                var modified = File.Exists(file) ? File.GetLastWriteTimeUtc(file) : DateTime.MinValue;
                if (!_cache.TryGetValue(file, out var cached) || cached.Modified != modified)
                {
                    cached = (modified, Load(file));
                    _cache[file] = cached;
                }

                if (cached.Crl is not null)
                {
                    result.Add(cached.Crl);
                }
            }
        }

        return result;
    }

    private static CertificateRevocationList? Load(string file)
    {
        try
        {
            return CertificateRevocationList.Parse(File.ReadAllBytes(file));
        }
        catch (Exception ex) when (ex is PkiException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
