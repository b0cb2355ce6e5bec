namespace SignatureService.Core.Errors;

/// <summary>
/// The single catalogue of errors the service answers with. A convention test checks every code is unique and well formed.
/// Feature areas add their entries here so that one error always has one status everywhere.
/// </summary>
public static class ErrorCatalogue
{
    /// <summary>The request body or parameters failed validation; <c>errors</c> names the fields.</summary>
    public static readonly ErrorDescriptor ValidationFailed = new("request.validation-failed", 400, "The request is not valid.");

    /// <summary>The body is not well-formed JSON or has the wrong shape.</summary>
    public static readonly ErrorDescriptor MalformedBody = new("request.malformed-body", 400, "The request body could not be read.");

    /// <summary>The HTTP method is not supported at this address.</summary>
    public static readonly ErrorDescriptor MethodNotAllowed = new("request.method-not-allowed", 405, "The method is not allowed here.");

    /// <summary>The body's media type is not one this endpoint reads.</summary>
    public static readonly ErrorDescriptor UnsupportedMediaType = new("request.unsupported-media-type", 415, "The media type is not supported.");

    /// <summary>The body exceeds the endpoint's size limit.</summary>
    public static readonly ErrorDescriptor PayloadTooLarge = new("request.payload-too-large", 413, "The request body is too large.");

    /// <summary>No credentials, or credentials that could not be verified.</summary>
    public static readonly ErrorDescriptor Unauthenticated = new("auth.unauthenticated", 401, "Authentication is required.");

    /// <summary>The bearer token is not a compact JWS with the required header and claims.</summary>
    public static readonly ErrorDescriptor TokenMalformed = new("auth.token-malformed", 401, "The access token is malformed.");

    /// <summary>The token's <c>alg</c> is not allowed (none, HMAC, or not the algorithm the key is registered for).</summary>
    public static readonly ErrorDescriptor TokenAlgorithmNotAllowed = new("auth.token-algorithm-not-allowed", 401, "The token's algorithm is not allowed.");

    /// <summary>No active key with this <c>kid</c> for the issuing client, or an unknown or disabled client.</summary>
    public static readonly ErrorDescriptor TokenUnknownKey = new("auth.token-unknown-key", 401, "The token's key is not known.");

    /// <summary>The token's signature does not verify with the registered key.</summary>
    public static readonly ErrorDescriptor TokenSignatureInvalid = new("auth.token-signature-invalid", 401, "The token's signature is invalid.");

    /// <summary><c>iss</c> and <c>sub</c> must both be the client id.</summary>
    public static readonly ErrorDescriptor TokenIssuerMismatch = new("auth.token-issuer-mismatch", 401, "The token's issuer or subject is wrong.");

    /// <summary>The token is not addressed to this service.</summary>
    public static readonly ErrorDescriptor TokenAudienceMismatch = new("auth.token-audience-mismatch", 401, "The token is for another audience.");

    /// <summary>The token has expired.</summary>
    public static readonly ErrorDescriptor TokenExpired = new("auth.token-expired", 401, "The token has expired.");

    /// <summary>The token's <c>iat</c> or <c>nbf</c> lies in the future beyond the allowed clock skew.</summary>
    public static readonly ErrorDescriptor TokenNotYetValid = new("auth.token-not-yet-valid", 401, "The token is not valid yet.");

    /// <summary>The token lives longer than the service allows (<c>exp</c> − <c>iat</c> over 5 minutes).</summary>
    public static readonly ErrorDescriptor TokenLifetimeTooLong = new("auth.token-lifetime-too-long", 401, "The token's lifetime is too long.");

    /// <summary>The token's <c>jti</c> was already used.</summary>
    public static readonly ErrorDescriptor TokenReplayed = new("auth.token-replayed", 401, "The token was already used.");

    /// <summary>Authenticated, but this actor may not do this.</summary>
    public static readonly ErrorDescriptor Forbidden = new("auth.forbidden", 403, "You are not allowed to do this.");

    /// <summary>No resource at this address (or not one this actor may know of).</summary>
    public static readonly ErrorDescriptor NotFound = new("resource.not-found", 404, "The resource was not found.");

    /// <summary>The resource is not in a state that allows this (already done, revoked, consumed, expired, decided).</summary>
    public static readonly ErrorDescriptor StateConflict = new("resource.state-conflict", 409, "The resource is not in a state that allows this.");

    /// <summary>A client with this client id is already registered.</summary>
    public static readonly ErrorDescriptor ClientAlreadyExists = new("client.already-exists", 409, "The client id is already registered.");

    /// <summary>The client already has a key with this kid.</summary>
    public static readonly ErrorDescriptor ClientKeyAlreadyExists = new("client.key-already-exists", 409, "The key id is already registered for this client.");

    /// <summary>Retiring this key would leave the client with no active key.</summary>
    public static readonly ErrorDescriptor ClientLastActiveKey = new("client.last-active-key", 409, "A client must keep at least one active key.");

    /// <summary>The Idempotency-Key was already used with a different request body.</summary>
    public static readonly ErrorDescriptor IdempotencyKeyReused = new("request.idempotency-key-reused", 409, "The Idempotency-Key was used with another request.");

    /// <summary>No active signer matches the request's signer reference.</summary>
    public static readonly ErrorDescriptor SignerNotFound = new("signing.signer-not-found", 400, "The signer is not known.");

    /// <summary>The signer is suspended or holds no valid signing certificate (in date, not revoked or suspended).</summary>
    public static readonly ErrorDescriptor SignerWithoutValidCertificate = new("signing.signer-without-valid-certificate", 409, "The signer cannot sign now.");

    /// <summary>The signer's hcRole does not permit one of the document types (e.g. a pharmacist and a death certificate).</summary>
    public static readonly ErrorDescriptor SignerRoleNotPermitted = new("signing.signer-not-qualified", 403, "The signer is not qualified for this document type.");

    /// <summary>The callback URL is not https on one of the client's registered origins.</summary>
    public static readonly ErrorDescriptor CallbackNotAllowed = new("signing.callback-not-allowed", 400, "The callback URL is not allowed.");

    /// <summary>Too many requests from this client or user; <c>Retry-After</c> says when to try again.</summary>
    public static readonly ErrorDescriptor RateLimited = new("request.rate-limited", 429, "Too many requests.");

    /// <summary>The HSM cannot be reached or refused the session; <c>Retry-After</c> is set.</summary>
    public static readonly ErrorDescriptor HsmUnavailable = new("dependency.hsm-unavailable", 503, "The HSM is unavailable.");

    /// <summary>The database cannot be reached; <c>Retry-After</c> is set.</summary>
    public static readonly ErrorDescriptor DatabaseUnavailable = new("dependency.database-unavailable", 503, "The database is unavailable.");

    /// <summary>An unexpected failure; the <c>traceId</c> finds it in the logs.</summary>
    public static readonly ErrorDescriptor Internal = new("server.internal-error", 500, "An unexpected error occurred.");

    /// <summary>The CA hierarchy has not been set up yet (<c>ca init</c>).</summary>
    public static readonly ErrorDescriptor CaNotInitialized = new("pki.ca-not-initialized", 409, "The certificate authority is not initialised.");

    /// <summary>No certificate with this serial number was issued by the service's CAs.</summary>
    public static readonly ErrorDescriptor CertificateNotFound = new("certificate.not-found", 404, "The certificate was not found.");

    /// <summary>The certificate is already permanently revoked.</summary>
    public static readonly ErrorDescriptor CertificateAlreadyRevoked = new("certificate.already-revoked", 409, "The certificate is already revoked.");

    /// <summary>The certificate is already suspended (certificateHold).</summary>
    public static readonly ErrorDescriptor CertificateAlreadySuspended = new("certificate.already-suspended", 409, "The certificate is already suspended.");

    /// <summary>Only a suspended (on-hold) certificate can be resumed.</summary>
    public static readonly ErrorDescriptor CertificateNotOnHold = new("certificate.not-on-hold", 409, "The certificate is not on hold.");

    /// <summary>The signer has no verified license with an active registry entry, so no hcRole can be certified.</summary>
    public static readonly ErrorDescriptor SignerNotQualified = new("certificate.signer-not-qualified", 409, "The signer has no verified qualification.");

    /// <summary>A license registry import had invalid rows; <c>errors</c> lists them by row number and nothing was imported.</summary>
    public static readonly ErrorDescriptor LicenseImportInvalid = new("license.import-invalid", 400, "The license registry file has invalid rows.");

    /// <summary>The license does not match an active registry entry (number, name and date of birth).</summary>
    public static readonly ErrorDescriptor LicenseNotVerified = new("license.not-verified", 409, "The license could not be verified against the registry.");

    /// <summary>Every descriptor declared on this class (for convention tests and the published API description).</summary>
    public static IReadOnlyList<ErrorDescriptor> All { get; } = typeof(ErrorCatalogue)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(ErrorDescriptor))
        .Select(f => (ErrorDescriptor)f.GetValue(null)!)
        .ToArray();
}
