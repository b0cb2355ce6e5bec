using SignatureService.WebAuthn.Cose;

namespace SignatureService.WebAuthn;

/// <summary>
/// Relying-party settings shared by registration and authentication. Defaults are the AAL3 policy: UV required,
/// backup-eligible (synced) credentials refused, no cross-origin embedding, algorithms ES256, RS256, PS256, EdDSA.
/// Bind from configuration (never from request headers) and call <see cref="Validate"/> at start-up.
/// </summary>
public sealed class WebAuthnOptions
{
    /// <summary>The RP ID (a registrable domain, e.g. <c>sign.example.jp</c>), lower case, no scheme or port.</summary>
    public string RelyingPartyId { get; set; } = string.Empty;

    /// <summary>Exact origins (scheme://host[:port]) allowed in clientDataJSON, compared ordinally.</summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>Whether ceremonies from a cross-origin iframe (<c>crossOrigin: true</c>) are accepted (default <c>false</c>).</summary>
    public bool AllowCrossOrigin { get; set; }

    /// <summary>Top-level origins accepted in <c>topOrigin</c> when <see cref="AllowCrossOrigin"/> is set; exact, ordinal.</summary>
    public IList<string> AllowedTopOrigins { get; } = [];

    /// <summary>Credential algorithms accepted at registration (the <c>pubKeyCredParams</c> to offer).</summary>
    public IList<CoseAlgorithm> AllowedAlgorithms { get; } = [CoseAlgorithm.ES256, CoseAlgorithm.RS256, CoseAlgorithm.PS256, CoseAlgorithm.EdDSA];

    /// <summary>Whether UV=1 is required (default <c>true</c>; AAL3 requires it).</summary>
    public bool RequireUserVerification { get; set; } = true;

    /// <summary>Whether backup-eligible credentials (BE=1, synced passkeys) are refused (default <c>true</c>; they are not AAL3).</summary>
    public bool RefuseBackupEligible { get; set; } = true;

    /// <summary>Returns the configuration errors; an empty list means the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(RelyingPartyId) || RelyingPartyId.Contains("://", StringComparison.Ordinal)
            || !string.Equals(RelyingPartyId, RelyingPartyId.ToLowerInvariant(), StringComparison.Ordinal))
        {
            errors.Add("RelyingPartyId must be a lower-case domain without scheme.");
        }

        if (AllowedOrigins.Count == 0)
        {
            errors.Add("AllowedOrigins must list at least one origin.");
        }

        foreach (var origin in AllowedOrigins.Concat(AllowedTopOrigins))
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || origin.EndsWith('/'))
            {
                errors.Add("Origin '" + origin + "' must be scheme://host[:port] without a path.");
            }
        }

        if (AllowedAlgorithms.Count == 0)
        {
            errors.Add("AllowedAlgorithms must not be empty.");
        }

        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every configuration error, else returns this instance.</summary>
    internal WebAuthnOptions EnsureValid()
    {
        var errors = Validate();
        return errors.Count == 0 ? this : throw new ArgumentException("Invalid WebAuthn options: " + string.Join(" ", errors));
    }
}
