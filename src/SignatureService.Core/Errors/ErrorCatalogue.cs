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

    /// <summary>The enrollment id and code do not match an open enrollment (wrong code, unknown id, expired or used).</summary>
    public static readonly ErrorDescriptor EnrollmentInvalid = new("identity.enrollment-invalid", 400, "The enrollment id or code is not valid.");

    /// <summary>The enrollment locked after too many wrong codes; ask for a new one.</summary>
    public static readonly ErrorDescriptor EnrollmentLocked = new("identity.enrollment-locked", 409, "The enrollment is locked after too many wrong codes.");

    /// <summary>The ceremony's challenge is not one the service issued for this purpose and user.</summary>
    public static readonly ErrorDescriptor ChallengeUnknown = new("identity.challenge-unknown", 400, "The challenge was not issued for this ceremony.");

    /// <summary>The ceremony's challenge was already used.</summary>
    public static readonly ErrorDescriptor ChallengeConsumed = new("identity.challenge-consumed", 409, "The challenge was already used.");

    /// <summary>The ceremony's challenge expired (5 minutes).</summary>
    public static readonly ErrorDescriptor ChallengeExpired = new("identity.challenge-expired", 409, "The challenge has expired.");

    /// <summary>The credential id is already registered (to anyone).</summary>
    public static readonly ErrorDescriptor CredentialAlreadyRegistered = new("identity.credential-already-registered", 409, "The security key is already registered.");

    /// <summary>The key is not registered, or not active, or its user is not active.</summary>
    public static readonly ErrorDescriptor CredentialNotUsable = new("identity.credential-not-usable", 401, "The security key cannot be used to log in.");

    /// <summary>Revoking this key would leave the user without an active key.</summary>
    public static readonly ErrorDescriptor LastActiveCredential = new("identity.last-active-credential", 409, "A user must keep at least one active security key.");

    /// <summary>Adding a key needs a login made within the last 5 minutes.</summary>
    public static readonly ErrorDescriptor FreshLoginRequired = new("identity.fresh-login-required", 403, "Log in again with your security key to do this.");

    /// <summary>A cookie-authenticated state change without the session's anti-forgery token in <c>X-CSRF-Token</c>.</summary>
    public static readonly ErrorDescriptor CsrfTokenInvalid = new("identity.csrf-token-invalid", 403, "The anti-forgery token is missing or wrong.");

    /// <summary>The WebAuthn response is malformed (CBOR, JSON, base64url, truncated authenticator data, limits).</summary>
    public static readonly ErrorDescriptor WebAuthnMalformed = new("webauthn.malformed", 400, "The WebAuthn response is malformed.");

    /// <summary>clientDataJSON.type is not the one of this ceremony.</summary>
    public static readonly ErrorDescriptor WebAuthnTypeMismatch = new("webauthn.type-mismatch", 400, "The WebAuthn response has the wrong type.");

    /// <summary>clientDataJSON.challenge is not the issued challenge.</summary>
    public static readonly ErrorDescriptor WebAuthnChallengeMismatch = new("webauthn.challenge-mismatch", 400, "The WebAuthn challenge does not match.");

    /// <summary>clientDataJSON.origin is not an allowed origin.</summary>
    public static readonly ErrorDescriptor WebAuthnOriginNotAllowed = new("webauthn.origin-not-allowed", 400, "The origin is not allowed.");

    /// <summary>A cross-origin or top-origin ceremony that the configuration does not allow.</summary>
    public static readonly ErrorDescriptor WebAuthnCrossOriginNotAllowed = new("webauthn.cross-origin-not-allowed", 400, "Cross-origin ceremonies are not allowed.");

    /// <summary>The authenticator data is for another relying party id.</summary>
    public static readonly ErrorDescriptor WebAuthnRpIdHashMismatch = new("webauthn.rp-id-hash-mismatch", 400, "The relying party id does not match.");

    /// <summary>UP=0.</summary>
    public static readonly ErrorDescriptor WebAuthnUserNotPresent = new("webauthn.user-not-present", 400, "User presence was not confirmed.");

    /// <summary>UV=0.</summary>
    public static readonly ErrorDescriptor WebAuthnUserNotVerified = new("webauthn.user-not-verified", 400, "User verification was not performed.");

    /// <summary>BE=1: a synced (backup-eligible) credential does not meet AAL3.</summary>
    public static readonly ErrorDescriptor WebAuthnBackupEligible = new("webauthn.backup-eligible", 400, "Backup-eligible (synced) credentials are not accepted.");

    /// <summary>BS=1 with BE=0, or BE changed since registration.</summary>
    public static readonly ErrorDescriptor WebAuthnInvalidBackupState = new("webauthn.invalid-backup-state", 400, "The backup flags are inconsistent.");

    /// <summary>The credential's algorithm was not offered.</summary>
    public static readonly ErrorDescriptor WebAuthnAlgorithmNotAllowed = new("webauthn.algorithm-not-allowed", 400, "The credential algorithm is not allowed.");

    /// <summary>The credential's algorithm is recognised but not implemented.</summary>
    public static readonly ErrorDescriptor WebAuthnAlgorithmUnsupported = new("webauthn.algorithm-unsupported", 400, "The credential algorithm is not supported.");

    /// <summary>The credential id exceeds 1023 bytes.</summary>
    public static readonly ErrorDescriptor WebAuthnCredentialIdTooLong = new("webauthn.credential-id-too-long", 400, "The credential id is too long.");

    /// <summary>The attestation statement does not verify.</summary>
    public static readonly ErrorDescriptor WebAuthnAttestationInvalid = new("webauthn.attestation-invalid", 400, "The attestation statement is invalid.");

    /// <summary>The attestation format is not supported.</summary>
    public static readonly ErrorDescriptor WebAuthnAttestationFormatUnsupported = new("webauthn.attestation-format-unsupported", 400, "The attestation format is not supported.");

    /// <summary>The attestation does not chain to a trusted root.</summary>
    public static readonly ErrorDescriptor WebAuthnAttestationUntrusted = new("webauthn.attestation-untrusted", 400, "The attestation is not trusted.");

    /// <summary>Attestation <c>none</c> is refused by the AAL3 policy.</summary>
    public static readonly ErrorDescriptor WebAuthnAttestationNoneRefused = new("webauthn.attestation-none-refused", 400, "Attestation is required.");

    /// <summary>Self attestation is refused by the AAL3 policy.</summary>
    public static readonly ErrorDescriptor WebAuthnSelfAttestationRefused = new("webauthn.self-attestation-refused", 400, "Self attestation is not accepted.");

    /// <summary>The authenticator model (AAGUID) is not trusted.</summary>
    public static readonly ErrorDescriptor WebAuthnUnknownAaguid = new("webauthn.unknown-aaguid", 400, "The authenticator model is not trusted.");

    /// <summary>The FIDO metadata reports the authenticator model revoked or compromised.</summary>
    public static readonly ErrorDescriptor WebAuthnAuthenticatorRevoked = new("webauthn.authenticator-revoked", 400, "The authenticator model is revoked.");

    /// <summary>The authenticator model is not known to be hardware-bound.</summary>
    public static readonly ErrorDescriptor WebAuthnAuthenticatorNotHardwareBound = new("webauthn.authenticator-not-hardware-bound", 400, "The authenticator is not hardware-bound.");

    /// <summary>The FIDO metadata BLOB is past its nextUpdate: an operational fault until a fresh one is loaded.</summary>
    public static readonly ErrorDescriptor WebAuthnMetadataStale = new("webauthn.metadata-stale", 503, "Authenticator metadata is out of date.");

    /// <summary>The FIDO metadata BLOB did not verify.</summary>
    public static readonly ErrorDescriptor WebAuthnMetadataInvalid = new("webauthn.metadata-invalid", 503, "Authenticator metadata is invalid.");

    /// <summary>The signature counter did not increase: the key is suspended (possible clone).</summary>
    public static readonly ErrorDescriptor WebAuthnSignCountRegressed = new("webauthn.sign-count-regressed", 409, "The security key's counter went backwards; the key is suspended.");

    /// <summary>The assertion signature does not verify.</summary>
    public static readonly ErrorDescriptor WebAuthnSignatureInvalid = new("webauthn.signature-invalid", 400, "The assertion signature is invalid.");

    /// <summary>The assertion is for another credential.</summary>
    public static readonly ErrorDescriptor WebAuthnCredentialMismatch = new("webauthn.credential-mismatch", 400, "The assertion is for another credential.");

    /// <summary>The user handle does not match the credential's user.</summary>
    public static readonly ErrorDescriptor WebAuthnUserHandleMismatch = new("webauthn.user-handle-mismatch", 400, "The user handle does not match.");
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

    /// <summary>An approval batch names no request, more than 100 requests, or more than 100 documents in all.</summary>
    public static readonly ErrorDescriptor ApprovalBatchTooLarge = new("approval.batch-too-large", 400, "An approval covers 1 to 100 documents.");

    /// <summary>A request in the batch does not exist or belongs to another signer (the two are not told apart).</summary>
    public static readonly ErrorDescriptor ApprovalRequestUnknown = new("approval.request-unknown", 404, "A request is not one of yours.");

    /// <summary>A request in the batch is not pending approval (already approved, rejected, cancelled, expired or signed).</summary>
    public static readonly ErrorDescriptor ApprovalRequestNotPending = new("approval.request-not-pending", 409, "A request is not pending approval.");

    /// <summary>The approval transaction was already used (a replayed or second assertion).</summary>
    public static readonly ErrorDescriptor ApprovalConsumed = new("approval.consumed", 409, "The approval was already used.");

    /// <summary>The approval transaction expired before the assertion arrived.</summary>
    public static readonly ErrorDescriptor ApprovalExpired = new("approval.expired", 409, "The approval has expired.");

    /// <summary>A document changed after the approval options were issued: its SHA-256 differs from the approved one.</summary>
    public static readonly ErrorDescriptor ApprovalDocumentChanged = new("approval.document-changed", 409, "A document changed after the approval was issued.");

    /// <summary>The assertion was made with a credential that is not one of the signer's active keys listed in the transaction.</summary>
    public static readonly ErrorDescriptor ApprovalCredentialNotAllowed = new("approval.credential-not-allowed", 403, "This security key may not approve this transaction.");

    /// <summary>The signed document cannot be upgraded (a CAdES attachment, or not a XAdES signature of ours).</summary>
    public static readonly ErrorDescriptor SignatureLevelNotUpgradable = new("signing.level-not-upgradable", 409, "The signed document cannot be upgraded.");

    /// <summary>Proofing: no registry entry holds this license number for this profession.</summary>
    public static readonly ErrorDescriptor ProofingLicenseUnknown = new("proofing.license-unknown", 409, "The license number is not in the registry for this profession.");

    /// <summary>Proofing: the registry entry's name, date of birth or registration date differs from the application.</summary>
    public static readonly ErrorDescriptor ProofingLicenseMismatch = new("proofing.license-mismatch", 409, "The registry entry does not match the applicant.");

    /// <summary>Proofing: the license is revoked in the registry.</summary>
    public static readonly ErrorDescriptor ProofingLicenseRevoked = new("proofing.license-revoked", 409, "The license is revoked in the registry.");

    /// <summary>Proofing: the evidence and session do not meet the application's profile; <c>errors</c> lists what is missing.</summary>
    public static readonly ErrorDescriptor ProofingEvidenceInsufficient = new("proofing.evidence-insufficient", 409, "The evidence does not meet the proofing profile.");

    /// <summary>Proofing: the achieved identity assurance level is below the configured minimum.</summary>
    public static readonly ErrorDescriptor ProofingAssuranceTooLow = new("proofing.assurance-below-minimum", 409, "The achieved assurance level is below the minimum for enrollment.");

    /// <summary>Proofing: the operator who verified an application may not decide it (dual control).</summary>
    public static readonly ErrorDescriptor ProofingDualControl = new("proofing.dual-control", 403, "A second RA operator must decide this application.");

    /// <summary>Proofing: the application was already approved, rejected or enrolled.</summary>
    public static readonly ErrorDescriptor ProofingApplicationDecided = new("proofing.application-decided", 409, "The application has already been decided.");

    /// <summary>Proofing: the application must be verified before it can be approved.</summary>
    public static readonly ErrorDescriptor ProofingNotVerified = new("proofing.application-not-verified", 409, "The application has not been verified.");

    /// <summary>Proofing: the signer is already suspended.</summary>
    public static readonly ErrorDescriptor ProofingSignerSuspended = new("proofing.signer-already-suspended", 409, "The signer is already suspended.");

    /// <summary>Proofing: only a suspended signer can be reinstated.</summary>
    public static readonly ErrorDescriptor ProofingSignerNotSuspended = new("proofing.signer-not-suspended", 409, "The signer is not suspended.");

    /// <summary>Proofing: the JPKI signature over the application does not verify or does not chain to a configured JPKI root.</summary>
    public static readonly ErrorDescriptor ProofingJpkiSignatureInvalid = new("proofing.jpki-signature-invalid", 400, "The JPKI signature could not be verified.");

    /// <summary>Proofing: no JPKI roots are configured, so the online My Number card route is unavailable.</summary>
    public static readonly ErrorDescriptor ProofingJpkiNotConfigured = new("proofing.jpki-not-configured", 409, "No JPKI roots are configured.");

    /// <summary>JPKI CRL files are configured but none current covers the signing certificate (refresh them from J-LIS).</summary>
    public static readonly ErrorDescriptor ProofingJpkiRevocationUnknown = new("proofing.jpki-revocation-unknown", 409, "No current JPKI CRL covers the signing certificate.");

    /// <summary>
    /// An IAL3 (<c>nist-800-63a-4-ial3</c>) application binds its first key only in the attended session or after a biometric
    /// re-match: no RA operator attested either within the binding window.
    /// </summary>
    public static readonly ErrorDescriptor ProofingBindingNotAttested = new("proofing.binding-not-attested", 409, "An RA operator must attest the binding (attended session or biometric re-match) first.");

    /// <summary>Every descriptor declared on this class (for convention tests and the published API description).</summary>
    public static IReadOnlyList<ErrorDescriptor> All { get; } = typeof(ErrorCatalogue)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(ErrorDescriptor))
        .Select(f => (ErrorDescriptor)f.GetValue(null)!)
        .ToArray();
}
