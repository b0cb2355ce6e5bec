using System.Security.Cryptography;
using System.Text;
using SignatureService.WebAuthn.Attestation;
using SignatureService.WebAuthn.Authenticator;
using SignatureService.WebAuthn.ClientData;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Parsing;
using SignatureService.WebAuthn.Trust;

namespace SignatureService.WebAuthn.Registration;

/// <summary>
/// Verifies a registration ceremony after W3C WebAuthn Level 3 §7.1 "Registering a New Credential". Stateless and
/// thread-safe: the caller supplies the stored challenge and keeps credential records. Every failure is a
/// <see cref="WebAuthnException"/> with a <see cref="WebAuthnErrorCodes"/> code.
/// </summary>
/// <param name="options">RP ID, origins and flag policy.</param>
/// <param name="trustOptions">Attestation trust policy (allow-list and/or MDS BLOB).</param>
/// <param name="timeProvider">The clock for certificate and metadata validity.</param>
public sealed class RegistrationVerifier(WebAuthnOptions options, AttestationTrustOptions trustOptions, TimeProvider timeProvider)
{
    private readonly WebAuthnOptions _options = (options ?? throw new ArgumentNullException(nameof(options))).EnsureValid();
    private readonly AttestationTrustOptions _trustOptions = trustOptions ?? throw new ArgumentNullException(nameof(trustOptions));
    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    private readonly AttestationTrustEvaluator _trust = new(trustOptions!);

    /// <summary>Runs every RP step of §7.1 on one response.</summary>
    /// <param name="request">The browser's response and the RP's ceremony state.</param>
    /// <returns>The credential record to store.</returns>
    /// <exception cref="WebAuthnException">With a catalogue code, for any failed step or malformed input.</exception>
    public RegistrationResult Verify(RegistrationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Steps 1-4 (create options, navigator.credentials.create, response type) happen in the browser and the endpoint.
        // Steps 5-10: parse clientDataJSON; type "webauthn.create"; challenge; origin; crossOrigin/topOrigin.
        ClientDataChecks.ParseAndVerify(request.ClientDataJson.Span, ClientDataChecks.RegistrationType, request.ExpectedChallenge.Span, _options);

        // Step 11: hash = SHA-256(clientDataJSON).
        var clientDataHash = SHA256.HashData(request.ClientDataJson.Span);

        // Step 12: CBOR-decode attestationObject into fmt, authData and attStmt.
        var (format, authData, statement) = DecodeAttestationObject(request.AttestationObject);

        // Step 13: rpIdHash is SHA-256 of the expected RP ID.
        var expectedRpIdHash = SHA256.HashData(Encoding.UTF8.GetBytes(_options.RelyingPartyId));
        if (!CryptographicOperations.FixedTimeEquals(authData.RpIdHash.Span, expectedRpIdHash))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.RpIdHashMismatch, "rpIdHash mismatch.");
        }

        // Steps 14-18: flags.
        FlagChecks.Verify(authData.Flags, _options);

        // Step 19: the credential algorithm is one of pubKeyCredParams.
        var credential = authData.AttestedCredential
            ?? throw WebAuthnException.Malformed("Registration authenticator data lacks attested credential data.");
        var offered = request.OfferedAlgorithms ?? _options.AllowedAlgorithms.ToList();
        if (!offered.Contains(credential.CredentialPublicKey.Algorithm) || !_options.AllowedAlgorithms.Contains(credential.CredentialPublicKey.Algorithm))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.AlgorithmNotAllowed, "Credential algorithm not offered.");
        }

        if (!credential.CredentialPublicKey.IsSupported)
        {
            throw new WebAuthnException(WebAuthnErrorCodes.AlgorithmUnsupported, "Credential algorithm not implemented.");
        }

        // Step 20: client extension outputs - we request none, so authenticator extensions are carried, not interpreted.
        // Steps 21-22: determine the format (exact, case-sensitive match) and run its verification procedure.
        var context = new AttestationContext(statement, authData, credential, clientDataHash, _trustOptions.AndroidKeyCheck);
        using var attestation = AttestationStatementVerifier.Verify(format, context);

        // Steps 23-24: trust anchors for the type and AAGUID; assess the attestation under the policy.
        var trust = _trust.Evaluate(attestation, credential.Aaguid, _timeProvider.GetUtcNow());

        // Step 25: credentialId at most 1023 bytes (already enforced while parsing; repeated for the record).
        if (credential.CredentialId.Length > WebAuthnLimits.MaxCredentialIdLength)
        {
            throw new WebAuthnException(WebAuthnErrorCodes.CredentialIdTooLong, "Credential ID longer than 1023 bytes.");
        }

        // Steps 26-27 (credential ID unused, store the record) belong to the caller's store.
        return new RegistrationResult(
            credential.CredentialId.ToArray(),
            credential.CredentialPublicKey.Encoded.ToArray(),
            credential.CredentialPublicKey.Algorithm,
            authData.SignCount,
            credential.Aaguid,
            authData.Flags,
            format,
            attestation.Type,
            attestation.TrustPath.Select(c => (ReadOnlyMemory<byte>)c.RawData).ToList(),
            trust);
    }

    private static (string Format, AuthenticatorData AuthData, CborMap Statement) DecodeAttestationObject(ReadOnlyMemory<byte> attestationObject)
    {
        if (attestationObject.Length > WebAuthnLimits.MaxAttestationObjectLength)
        {
            throw WebAuthnException.Malformed("Attestation object too long.");
        }

        var map = CborDecoder.DecodeSingle(attestationObject) as CborMap
            ?? throw WebAuthnException.Malformed("Attestation object is not a map.");
        var format = map.Get<string>("fmt", WebAuthnErrorCodes.Malformed);
        var statement = map.Get<CborMap>("attStmt", WebAuthnErrorCodes.Malformed);
        var authData = AuthenticatorData.Parse(map.Get<byte[]>("authData", WebAuthnErrorCodes.Malformed));
        return (format, authData, statement);
    }
}
