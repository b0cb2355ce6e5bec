using System.Buffers.Text;
using System.Text.Json.Serialization;
using SignatureService.WebAuthn.Trust;

namespace SignatureService.WebAuthn.Registration;

/// <summary>
/// <c>PublicKeyCredentialCreationOptionsJSON</c> (W3C WebAuthn L3 §5.1.8): serialize with System.Text.Json and pass to
/// <c>PublicKeyCredential.parseCreationOptionsFromJSON()</c> in the browser. Binary values are base64url.
/// </summary>
public sealed record PublicKeyCredentialCreationOptionsJson(
    [property: JsonPropertyName("rp")] RelyingPartyEntityJson Rp,
    [property: JsonPropertyName("user")] UserEntityJson User,
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("pubKeyCredParams")] IReadOnlyList<CredentialParameterJson> PubKeyCredParams,
    [property: JsonPropertyName("timeout")] long Timeout,
    [property: JsonPropertyName("excludeCredentials")] IReadOnlyList<CredentialDescriptorJson> ExcludeCredentials,
    [property: JsonPropertyName("authenticatorSelection")] AuthenticatorSelectionJson AuthenticatorSelection,
    [property: JsonPropertyName("hints")] IReadOnlyList<string> Hints,
    [property: JsonPropertyName("attestation")] string Attestation)
{
    /// <summary>
    /// Builds creation options that match the verifier's policy: the configured algorithms, UV required, a
    /// security-key hint, and <c>attestation: "direct"</c> whenever trusted attestation is required.
    /// </summary>
    /// <param name="options">The RP options (RP ID, algorithms, UV policy).</param>
    /// <param name="trust">The trust policy (decides the attestation conveyance).</param>
    /// <param name="relyingPartyName">The RP's display name.</param>
    /// <param name="userHandle">The user handle (1 to 64 random bytes, no personal data).</param>
    /// <param name="userName">The account name shown by the authenticator.</param>
    /// <param name="userDisplayName">The display name shown by the authenticator.</param>
    /// <param name="challenge">The fresh random challenge (at least 16 bytes) the caller stored for this ceremony.</param>
    /// <param name="timeout">The ceremony timeout (positive).</param>
    /// <param name="excludeCredentialIds">The user's existing credential IDs, so one authenticator is not registered twice.</param>
    public static PublicKeyCredentialCreationOptionsJson Create(
        WebAuthnOptions options,
        AttestationTrustOptions trust,
        string relyingPartyName,
        ReadOnlySpan<byte> userHandle,
        string userName,
        string userDisplayName,
        ReadOnlySpan<byte> challenge,
        TimeSpan timeout,
        IEnumerable<ReadOnlyMemory<byte>> excludeCredentialIds)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(excludeCredentialIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(challenge.Length, 16);
        ArgumentOutOfRangeException.ThrowIfZero(userHandle.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(userHandle.Length, WebAuthnLimits.MaxUserHandleLength);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var userVerification = options.RequireUserVerification ? "required" : "preferred";
        return new PublicKeyCredentialCreationOptionsJson(
            new RelyingPartyEntityJson(options.RelyingPartyId, relyingPartyName),
            new UserEntityJson(Base64Url.EncodeToString(userHandle), userName, userDisplayName),
            Base64Url.EncodeToString(challenge),
            options.AllowedAlgorithms.Select(a => new CredentialParameterJson("public-key", (int)a)).ToList(),
            (long)timeout.TotalMilliseconds,
            excludeCredentialIds.Select(id => new CredentialDescriptorJson("public-key", Base64Url.EncodeToString(id.Span))).ToList(),
            new AuthenticatorSelectionJson("cross-platform", "discouraged", false, userVerification),
            ["security-key"],
            trust.RequireTrustedAttestation ? AttestationTrustOptions.RequiredAttestationConveyance : "none");
    }
}

/// <summary><c>PublicKeyCredentialRpEntity</c>.</summary>
public sealed record RelyingPartyEntityJson([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("name")] string Name);

/// <summary><c>PublicKeyCredentialUserEntityJSON</c> (id base64url).</summary>
public sealed record UserEntityJson(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("displayName")] string DisplayName);

/// <summary><c>PublicKeyCredentialParameters</c>.</summary>
public sealed record CredentialParameterJson([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("alg")] int Alg);

/// <summary><c>PublicKeyCredentialDescriptorJSON</c> (id base64url).</summary>
public sealed record CredentialDescriptorJson([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("id")] string Id);

/// <summary><c>AuthenticatorSelectionCriteria</c>.</summary>
public sealed record AuthenticatorSelectionJson(
    [property: JsonPropertyName("authenticatorAttachment")] string AuthenticatorAttachment,
    [property: JsonPropertyName("residentKey")] string ResidentKey,
    [property: JsonPropertyName("requireResidentKey")] bool RequireResidentKey,
    [property: JsonPropertyName("userVerification")] string UserVerification);
