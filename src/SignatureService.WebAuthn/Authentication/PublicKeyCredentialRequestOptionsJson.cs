using System.Buffers.Text;
using System.Text.Json.Serialization;
using SignatureService.WebAuthn.Registration;

namespace SignatureService.WebAuthn.Authentication;

/// <summary>
/// <c>PublicKeyCredentialRequestOptionsJSON</c> (W3C WebAuthn L3 §5.1.8): serialize with System.Text.Json and pass to
/// <c>PublicKeyCredential.parseRequestOptionsFromJSON()</c>. Binary values are base64url.
/// </summary>
public sealed record PublicKeyCredentialRequestOptionsJson(
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("timeout")] long Timeout,
    [property: JsonPropertyName("rpId")] string RpId,
    [property: JsonPropertyName("allowCredentials")] IReadOnlyList<CredentialDescriptorJson> AllowCredentials,
    [property: JsonPropertyName("userVerification")] string UserVerification,
    [property: JsonPropertyName("hints")] IReadOnlyList<string> Hints)
{
    /// <summary>Builds request options that match the verifier's policy (UV required by default).</summary>
    /// <param name="options">The RP options.</param>
    /// <param name="challenge">The fresh challenge the caller stored (at least 16 bytes); for signing, the SAD hash.</param>
    /// <param name="timeout">The ceremony timeout (positive).</param>
    /// <param name="allowCredentialIds">The signer's own credential IDs (never another user's).</param>
    public static PublicKeyCredentialRequestOptionsJson Create(WebAuthnOptions options, ReadOnlySpan<byte> challenge, TimeSpan timeout, IEnumerable<ReadOnlyMemory<byte>> allowCredentialIds)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(allowCredentialIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(challenge.Length, 16);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return new PublicKeyCredentialRequestOptionsJson(
            Base64Url.EncodeToString(challenge),
            (long)timeout.TotalMilliseconds,
            options.RelyingPartyId,
            allowCredentialIds.Select(id => new CredentialDescriptorJson("public-key", Base64Url.EncodeToString(id.Span))).ToList(),
            options.RequireUserVerification ? "required" : "preferred",
            ["security-key"]);
    }
}
