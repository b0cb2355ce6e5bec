using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using SignatureService.WebAuthn;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Trust;

namespace SignatureService.Api.Features.Identity;

/// <summary>Configuration section <c>WebAuthn</c>: the relying party and the attestation trust it accepts.</summary>
public sealed class WebAuthnSettings
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "WebAuthn";

    /// <summary>The relying party id (a registrable domain, lower case, no scheme): never taken from the Host header.</summary>
    public string RpId { get; set; } = "";

    /// <summary>Name shown by the browser during registration.</summary>
    public string RpName { get; set; } = "SignatureService";

    /// <summary>Origins (<c>scheme://host[:port]</c>) whose ceremonies are accepted; at least one.</summary>
    public List<string> Origins { get; } = [];

    /// <summary>Authenticator models trusted by AAGUID, each with the PEM file of its attestation root(s).</summary>
    public List<TrustedAuthenticatorSettings> AllowList { get; } = [];

    /// <summary>Optional FIDO Metadata Service v3 BLOB file (compact JWS); needs <see cref="MetadataRootPemFile"/>.</summary>
    public string? MetadataBlobFile { get; set; }

    /// <summary>PEM file of the FIDO MDS root the BLOB's signature must chain to.</summary>
    public string? MetadataRootPemFile { get; set; }

    /// <summary>
    /// Development only: also trust the browser's built-in WebAuthn emulation (Chromium DevTools virtual authenticator), see
    /// <see cref="BrowserEmulatorTrust"/>. The service refuses to start with it in any environment other than Development.
    /// </summary>
    public bool DevelopmentBrowserEmulator { get; set; }
}

/// <summary>One allow-listed authenticator model.</summary>
public sealed class TrustedAuthenticatorSettings
{
    /// <summary>The model's AAGUID.</summary>
    public Guid Aaguid { get; set; }

    /// <summary>A human description (for logs and audit).</summary>
    public string Description { get; set; } = "";

    /// <summary>PEM file with the model's attestation root certificate(s).</summary>
    public string RootPemFile { get; set; } = "";
}

/// <summary>Configuration section <c>Sessions</c>: lifetimes may only be lowered from the AAL3 maxima.</summary>
public sealed class SessionSettings
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Sessions";

    /// <summary>AAL3 maximum absolute lifetime (NIST SP 800-63B §4.3.3): 12 hours.</summary>
    public static readonly TimeSpan MaxAbsoluteLifetime = TimeSpan.FromHours(12);

    /// <summary>AAL3 maximum inactivity: 15 minutes.</summary>
    public static readonly TimeSpan MaxIdleTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Absolute lifetime of a session from login; at most 12 h.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = MaxAbsoluteLifetime;

    /// <summary>Inactivity after which a session ends; at most 15 min.</summary>
    public TimeSpan IdleTimeout { get; set; } = MaxIdleTimeout;

    /// <summary>How recent a login must be to add a key to one's account (5 min).</summary>
    public TimeSpan FreshLoginWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Failed ceremonies per client address within <see cref="FailureWindow"/> before 429.</summary>
    public int FailuresPerAddress { get; set; } = 20;

    /// <summary>Failed ceremonies per user (or enrollment) within <see cref="FailureWindow"/> before 429.</summary>
    public int FailuresPerUser { get; set; } = 10;

    /// <summary>The sliding window for failure counting.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>The configured relying party: options and trust for the WebAuthn verifiers, loaded once at start.</summary>
public sealed class RelyingParty
{
    /// <summary>Ceremony challenges expire after 5 minutes.</summary>
    public static readonly TimeSpan CeremonyTimeout = TimeSpan.FromMinutes(5);

    internal RelyingParty(WebAuthnOptions options, AttestationTrustOptions trust, string name, bool secureCookies)
    {
        Options = options;
        Trust = trust;
        Name = name;
        SecureCookies = secureCookies;
    }

    /// <summary>RP id, origins, algorithms, flag policy.</summary>
    public WebAuthnOptions Options { get; }

    /// <summary>Attestation trust options.</summary>
    public AttestationTrustOptions Trust { get; }

    /// <summary>RP display name.</summary>
    public string Name { get; }

    /// <summary>Whether session cookies carry <c>Secure</c> (false only when every origin is http on localhost).</summary>
    public bool SecureCookies { get; }

    /// <summary>Builds the relying party from settings; throws with a readable message when they are unusable.</summary>
    internal static RelyingParty Load(WebAuthnSettings settings, DateTimeOffset now, bool development = false)
    {
        var errors = new List<string>();
        var options = new WebAuthnOptions { RelyingPartyId = settings.RpId };
        foreach (var origin in settings.Origins)
        {
            options.AllowedOrigins.Add(origin);
        }

        errors.AddRange(options.Validate().Select(e => "WebAuthn: " + e));
        var trust = new AttestationTrustOptions();
        foreach (var entry in settings.AllowList)
        {
            if (entry.Aaguid == Guid.Empty)
            {
                errors.Add("WebAuthn:AllowList: every entry needs an Aaguid.");
                continue;
            }

            var roots = LoadPem(entry.RootPemFile, $"WebAuthn:AllowList[{entry.Aaguid}]:RootPemFile", errors);
            if (roots.Count > 0)
            {
                trust.AllowList.Add(new TrustedAuthenticator(entry.Aaguid, entry.Description, roots));
            }
        }

        if (!string.IsNullOrEmpty(settings.MetadataBlobFile))
        {
            var roots = LoadPem(settings.MetadataRootPemFile ?? "", "WebAuthn:MetadataRootPemFile", errors);
            if (roots.Count == 1)
            {
                try
                {
                    trust.Metadata = FidoMetadataBlob.Verify(File.ReadAllText(settings.MetadataBlobFile), roots[0], now);
                    if (trust.Metadata.IsStale(now))
                    {
                        errors.Add("WebAuthn:MetadataBlobFile is past its nextUpdate; load a fresh BLOB.");
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or WebAuthnException)
                {
                    errors.Add($"WebAuthn:MetadataBlobFile could not be used: {ex.Message}");
                }
            }
            else if (roots.Count > 1)
            {
                errors.Add("WebAuthn:MetadataRootPemFile must hold exactly one certificate.");
            }
        }

        if (settings.DevelopmentBrowserEmulator)
        {
            // Note: the emulator's attestation key is public (see BrowserEmulatorTrust): a hard refusal outside Development.
            if (development)
            {
                trust.AllowList.Add(BrowserEmulatorTrust.Create());
            }
            else
            {
                errors.Add("WebAuthn:DevelopmentBrowserEmulator is only allowed when ASPNETCORE_ENVIRONMENT=Development: it trusts a public attestation key.");
            }
        }

        if (trust.AllowList.Count == 0 && trust.Metadata is null && errors.Count == 0)
        {
            errors.Add("WebAuthn: configure AllowList entries and/or a MetadataBlobFile: the AAL3 policy trusts no authenticator otherwise.");
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(WebAuthnSettings.Section, typeof(WebAuthnSettings), errors);
        }

        var secure = !settings.Origins.All(o => Uri.TryCreate(o, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback);
        return new RelyingParty(options, trust, settings.RpName, secure);
    }

    private static List<X509Certificate2> LoadPem(string path, string key, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"{key} is required.");
            return [];
        }

        try
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(path);
            if (collection.Count == 0)
            {
                errors.Add($"{key}: no certificate in {path}.");
            }

            return [.. collection];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            errors.Add($"{key}: {ex.Message}");
            return [];
        }
    }
}

/// <summary>Validates <see cref="WebAuthnSettings"/> at start by loading them (files, BLOB signature).</summary>
internal sealed class WebAuthnSettingsValidator(TimeProvider time, IHostEnvironment environment) : IValidateOptions<WebAuthnSettings>
{
    public ValidateOptionsResult Validate(string? name, WebAuthnSettings options)
    {
        try
        {
            _ = RelyingParty.Load(options, time.GetUtcNow(), environment.IsDevelopment());
            return ValidateOptionsResult.Success;
        }
        catch (OptionsValidationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Failures);
        }
    }
}

/// <summary>Session lifetimes may only be lowered (NIST SP 800-63B AAL3 maxima).</summary>
internal sealed class SessionSettingsValidator : IValidateOptions<SessionSettings>
{
    public ValidateOptionsResult Validate(string? name, SessionSettings options)
    {
        var errors = new List<string>();
        if (options.AbsoluteLifetime <= TimeSpan.Zero || options.AbsoluteLifetime > SessionSettings.MaxAbsoluteLifetime)
        {
            errors.Add("Sessions:AbsoluteLifetime must be > 0 and at most 12:00:00 (AAL3).");
        }

        if (options.IdleTimeout <= TimeSpan.Zero || options.IdleTimeout > SessionSettings.MaxIdleTimeout)
        {
            errors.Add("Sessions:IdleTimeout must be > 0 and at most 00:15:00 (AAL3).");
        }

        if (options.FreshLoginWindow <= TimeSpan.Zero || options.FreshLoginWindow > TimeSpan.FromMinutes(5))
        {
            errors.Add("Sessions:FreshLoginWindow must be > 0 and at most 00:05:00.");
        }

        if (options.FailuresPerAddress < 1 || options.FailuresPerUser < 1 || options.FailureWindow <= TimeSpan.Zero)
        {
            errors.Add("Sessions:FailuresPerAddress, FailuresPerUser and FailureWindow must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
