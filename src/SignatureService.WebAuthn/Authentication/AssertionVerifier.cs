using System.Security.Cryptography;
using System.Text;
using SignatureService.WebAuthn.Authenticator;
using SignatureService.WebAuthn.ClientData;
using SignatureService.WebAuthn.Cose;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Authentication;

/// <summary>
/// Verifies an authentication ceremony after W3C WebAuthn Level 3 §7.2 "Verifying an Authentication Assertion".
/// Stateless and thread-safe. The caller loads the credential record, consumes the challenge (single use) and, on
/// <see cref="WebAuthnErrorCodes.SignCountRegressed"/>, suspends and audits the credential.
/// </summary>
/// <param name="options">RP ID, origins and flag policy.</param>
public sealed class AssertionVerifier(WebAuthnOptions options)
{
    private readonly WebAuthnOptions _options = (options ?? throw new ArgumentNullException(nameof(options))).EnsureValid();

    /// <summary>Runs every RP step of §7.2 on one response.</summary>
    /// <param name="request">The browser's response and the RP's ceremony state.</param>
    /// <param name="credential">The stored credential record for <see cref="AssertionRequest.CredentialId"/>.</param>
    /// <returns>The values to update in the credential record.</returns>
    /// <exception cref="WebAuthnException">With a catalogue code, for any failed step or malformed input.</exception>
    public AssertionResult Verify(AssertionRequest request, StoredCredential credential)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credential);
        if (request.Signature.Length > WebAuthnLimits.MaxSignatureLength || request.UserHandle.Length > WebAuthnLimits.MaxUserHandleLength)
        {
            throw WebAuthnException.Malformed("Signature or user handle too long.");
        }

        // Steps 5-7: the credential is the one the caller looked up (allowCredentials / discoverable lookup).
        if (!request.CredentialId.Span.SequenceEqual(credential.CredentialId.Span))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.CredentialMismatch, "Assertion is for another credential.");
        }

        // Step 6: when response.userHandle is present it must be the credential's user handle; it must be present
        // when the user was not identified before the ceremony.
        if (request.UserHandle.IsEmpty && !request.UserIdentifiedBeforehand)
        {
            throw new WebAuthnException(WebAuthnErrorCodes.UserHandleMismatch, "User handle required for a discoverable-credential login.");
        }

        if (!request.UserHandle.IsEmpty && !CryptographicOperations.FixedTimeEquals(request.UserHandle.Span, credential.UserHandle.Span))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.UserHandleMismatch, "User handle mismatch.");
        }

        // Step 8: cData, authData and sig. Steps 9-14: parse clientDataJSON; type "webauthn.get"; challenge; origin; topOrigin.
        ClientDataChecks.ParseAndVerify(request.ClientDataJson.Span, ClientDataChecks.AuthenticationType, request.ExpectedChallenge.Span, _options);
        var authData = AuthenticatorData.Parse(request.AuthenticatorData);
        if (authData.AttestedCredential is not null)
        {
            throw WebAuthnException.Malformed("Assertion authenticator data must not carry attested credential data.");
        }

        // Step 15: rpIdHash is SHA-256 of the expected RP ID.
        var expectedRpIdHash = SHA256.HashData(Encoding.UTF8.GetBytes(_options.RelyingPartyId));
        if (!CryptographicOperations.FixedTimeEquals(authData.RpIdHash.Span, expectedRpIdHash))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.RpIdHashMismatch, "rpIdHash mismatch.");
        }

        // Steps 16-18: UP; UV (required by policy); BS only with BE; BE refused by policy.
        FlagChecks.Verify(authData.Flags, _options);

        // Step 19: backup eligibility never changes for a credential.
        if (authData.Flags.HasFlag(AuthenticatorFlags.BackupEligible) != credential.BackupEligible)
        {
            throw new WebAuthnException(WebAuthnErrorCodes.InvalidBackupState, "Backup eligibility changed since registration.");
        }

        // Step 20: extensions - none requested. Step 21: hash = SHA-256(cData).
        var clientDataHash = SHA256.HashData(request.ClientDataJson.Span);

        // Step 22: sig is a valid signature over authData || hash with the stored credential public key.
        var key = CoseKey.Decode(credential.PublicKey);
        byte[] signed = [.. request.AuthenticatorData.Span, .. clientDataHash];
        if (!key.VerifySignature(signed, request.Signature.Span))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.SignatureInvalid, "Assertion signature invalid.");
        }

        // Step 23: signature counter. Checked only after the signature, so a forged assertion cannot trigger a suspension.
        if ((authData.SignCount != 0 || credential.SignCount != 0) && authData.SignCount <= credential.SignCount)
        {
            throw new WebAuthnException(WebAuthnErrorCodes.SignCountRegressed, "Signature counter did not increase: possible cloned authenticator.");
        }

        // Steps 24-25 (attestation on assertion, updating the record) belong to the caller.
        return new AssertionResult(credential.CredentialId, authData.SignCount, authData.Flags);
    }
}
