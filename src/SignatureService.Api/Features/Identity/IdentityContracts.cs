using System.Text.Json.Serialization;
using SignatureService.WebAuthn.Authentication;
using SignatureService.WebAuthn.Registration;

namespace SignatureService.Api.Features.Identity;

/// <summary>An enrollment id and its one-time code (groups and lower case accepted).</summary>
public sealed record EnrollmentProof(Guid? EnrollmentId, string? Code);

/// <summary>The browser's <c>PublicKeyCredential.toJSON()</c> for a registration (base64url fields).</summary>
public sealed record RegistrationCredentialJson(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("rawId")] string? RawId,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("response")] AttestationResponseJson? Response);

/// <summary>The attestation response of a registration.</summary>
public sealed record AttestationResponseJson(
    [property: JsonPropertyName("clientDataJSON")] string? ClientDataJson,
    [property: JsonPropertyName("attestationObject")] string? AttestationObject);

/// <summary>The browser's <c>PublicKeyCredential.toJSON()</c> for an authentication (base64url fields).</summary>
public sealed record AssertionCredentialJson(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("rawId")] string? RawId,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("response")] AssertionResponseJson? Response);

/// <summary>The assertion response of an authentication.</summary>
public sealed record AssertionResponseJson(
    [property: JsonPropertyName("clientDataJSON")] string? ClientDataJson,
    [property: JsonPropertyName("authenticatorData")] string? AuthenticatorData,
    [property: JsonPropertyName("signature")] string? Signature,
    [property: JsonPropertyName("userHandle")] string? UserHandle);

/// <summary>Completes a registration started with an enrollment code.</summary>
public sealed record RegisterKeyRequest(Guid? EnrollmentId, string? Code, string? Nickname, RegistrationCredentialJson? Credential);

/// <summary>Adds a (backup) key to the logged-in user's account.</summary>
public sealed record AddKeyRequest(string? Nickname, RegistrationCredentialJson? Credential);

/// <summary>Completes a login.</summary>
public sealed record LoginRequest(AssertionCredentialJson? Credential);

/// <summary>Options for <c>navigator.credentials.create({ publicKey })</c>.</summary>
public sealed record CreationOptionsResponse(PublicKeyCredentialCreationOptionsJson PublicKey);

/// <summary>Options for <c>navigator.credentials.get({ publicKey })</c>.</summary>
public sealed record RequestOptionsResponse(PublicKeyCredentialRequestOptionsJson PublicKey);

/// <summary>A registered security key as its owner sees it.</summary>
public sealed record SecurityKeyView(
    Guid Id, string Nickname, Guid Aaguid, string AttestationFormat, string Status, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>The current session: who, which roles, assurance level, and the anti-forgery token for state changes.</summary>
public sealed record SessionView(
    Guid UserId, string DisplayName, IReadOnlyList<string> Roles, string Acr, DateTimeOffset AuthTime, DateTimeOffset ExpiresAt, string CsrfToken);
