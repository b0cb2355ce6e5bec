using System.Security.Cryptography;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.ClientData;

/// <summary>The clientDataJSON checks shared by §7.1 (registration) and §7.2 (authentication) of W3C WebAuthn L3.</summary>
internal static class ClientDataChecks
{
    public const string RegistrationType = "webauthn.create";
    public const string AuthenticationType = "webauthn.get";

    public static CollectedClientData ParseAndVerify(ReadOnlySpan<byte> clientDataJson, string expectedType, ReadOnlySpan<byte> expectedChallenge, WebAuthnOptions options)
    {
        // §7.1 steps 5-6 / §7.2 steps 9-10: UTF-8 decode and parse JSON.
        var clientData = CollectedClientData.Parse(clientDataJson);

        // §7.1 step 7 / §7.2 step 11: C.type.
        if (!string.Equals(clientData.Type, expectedType, StringComparison.Ordinal))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.TypeMismatch, "clientDataJSON.type is not " + expectedType + ".");
        }

        // §7.1 step 8 / §7.2 step 12: C.challenge equals the issued challenge (compared in constant time).
        if (expectedChallenge.IsEmpty || !CryptographicOperations.FixedTimeEquals(clientData.Challenge.Span, expectedChallenge))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.ChallengeMismatch, "Challenge mismatch.");
        }

        // §7.1 step 9 / §7.2 step 13: C.origin is an expected origin (configured allow-list, exact match).
        if (!options.AllowedOrigins.Contains(clientData.Origin, StringComparer.Ordinal))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.OriginNotAllowed, "Origin not allowed.");
        }

        // §7.1 step 10 / §7.2 step 14: crossOrigin / topOrigin only where the RP expects to be embedded.
        if ((clientData.CrossOrigin || clientData.TopOrigin is not null) && !options.AllowCrossOrigin)
        {
            throw new WebAuthnException(WebAuthnErrorCodes.CrossOriginNotAllowed, "Cross-origin ceremony not allowed.");
        }

        if (clientData.TopOrigin is not null && !options.AllowedTopOrigins.Contains(clientData.TopOrigin, StringComparer.Ordinal))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.CrossOriginNotAllowed, "Top origin not allowed.");
        }

        return clientData;
    }
}
