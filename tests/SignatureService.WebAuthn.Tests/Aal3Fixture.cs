using System.Security.Cryptography;
using SignatureService.WebAuthn.Authentication;
using SignatureService.WebAuthn.Registration;
using SignatureService.WebAuthn.Testing;
using SignatureService.WebAuthn.Trust;

namespace SignatureService.WebAuthn.Tests;

/// <summary>The AAL3 default policy with one allow-listed software authenticator; each test gets its own instance.</summary>
internal sealed class Aal3Fixture : IDisposable
{
    public const string RpId = "sign.example.jp";
    public const string Origin = "https://sign.example.jp";

    public Aal3Fixture(SoftwareAuthenticatorSettings? settings = null, DateTimeOffset? now = null)
    {
        Authenticator = new SoftwareAuthenticator(settings);
        Options = new WebAuthnOptions { RelyingPartyId = RpId };
        Options.AllowedOrigins.Add(Origin);
        Trust = new AttestationTrustOptions();
        Trust.AllowList.Add(new TrustedAuthenticator(Authenticator.Aaguid, "Software authenticator", [Authenticator.AttestationRoot]));
        Clock = new FixedTimeProvider(now ?? FixedTimeProvider.Default);
    }

    public SoftwareAuthenticator Authenticator { get; }

    public WebAuthnOptions Options { get; }

    public AttestationTrustOptions Trust { get; }

    public TimeProvider Clock { get; set; }

    public byte[] Challenge { get; } = RandomNumberGenerator.GetBytes(32);

    public MakeCredentialRequest CreateRequest() => new(RpId, Origin, Challenge);

    public GetAssertionRequest GetRequest() => new(RpId, Origin, Challenge);

    public RegistrationResult Verify(SoftwareRegistration registration, byte[]? expectedChallenge = null)
        => new RegistrationVerifier(Options, Trust, Clock).Verify(new RegistrationRequest(registration.ClientDataJson, registration.AttestationObject, expectedChallenge ?? Challenge));

    public AssertionResult Verify(SoftwareAssertion assertion, StoredCredential stored, byte[]? expectedChallenge = null)
        => new AssertionVerifier(Options).Verify(
            new AssertionRequest(assertion.CredentialId, assertion.ClientDataJson, assertion.AuthenticatorData, assertion.Signature, assertion.UserHandle, expectedChallenge ?? Challenge),
            stored);

    public (SoftwareCredential Credential, StoredCredential Stored) Enroll(uint signCount = 0)
    {
        var registration = Authenticator.MakeCredential(CreateRequest() with { SignCount = signCount });
        var result = Verify(registration);
        return (registration.Credential, new StoredCredential(result.CredentialId, result.PublicKey, result.SignCount, registration.Credential.UserHandle, result.BackupEligible));
    }

    public void Dispose() => Authenticator.Dispose();
}
