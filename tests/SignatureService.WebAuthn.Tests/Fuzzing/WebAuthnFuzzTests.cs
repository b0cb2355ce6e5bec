using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using SignatureService.WebAuthn.Attestation;
using SignatureService.WebAuthn.Authentication;
using SignatureService.WebAuthn.Authenticator;
using SignatureService.WebAuthn.ClientData;
using SignatureService.WebAuthn.Cose;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Registration;
using SignatureService.WebAuthn.Testing;
using SignatureService.WebAuthn.Trust;
using SignatureService.Testing.Fuzzing;
using Xunit.Abstractions;

namespace SignatureService.WebAuthn.Tests.Fuzzing;

/// <summary>
/// Hostile WebAuthn input: CBOR attestation objects of every format (the W3C vectors and the software authenticator),
/// authenticator data, client data JSON, signatures and COSE keys, mutated thousands of times. Only a
/// <see cref="WebAuthnException"/> with a code of <see cref="WebAuthnErrorCodes"/> may escape, each input within the bound,
/// and the unmutated seeds still verify.
/// </summary>
public sealed class WebAuthnFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly HashSet<string> Codes = [.. typeof(WebAuthnErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)];

    private static readonly string[] CborTokens = ["\u00a0", "\u00bf", "\u009f", "\u00ff", "fmt", "attStmt", "authData", "x5c", "alg", "sig", "ver", "certInfo", "pubArea"];

    private readonly X509Certificate2 _root = X509CertificateLoader.LoadCertificate(W3cTestVectors.AttestationRootCertificate);

    public void Dispose() => _root.Dispose();

    public static TheoryData<string> VectorIds => [.. W3cTestVectors.Ids.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(VectorIds))]
    public void VerifyRegistration_MutatedW3cAttestationObject_ThrowsOnlyWebAuthnErrors(string id)
    {
        var values = W3cTestVectors.Get(id).Registration;
        var verifier = new RegistrationVerifier(W3cTestVectorTests.RelaxedOptions(), TrustOptions(), new FixedTimeProvider(FixedTimeProvider.Default));
        var mutator = new Mutator(Fuzz.Seed ^ id.Length, CborTokens);
        var seeds = new[] { values["attestationObject"] };

        var report = Run($"attestation object {id}", mutator.Corpus(seeds, Fuzz.Iterations(250), truncateUpTo: 0), data =>
            verifier.Verify(new RegistrationRequest(values["clientDataJSON"], data, values["challenge"])));

        // Every vector but Ed448 (recognised, unsupported on purpose) verifies unmutated.
        Assert.Equal(id == "packed-ed448" ? 0 : 1, report["accepted"] > 0 ? 1 : 0);
    }

    [Fact]
    public void VerifyRegistration_MutatedSoftwareAttestation_ThrowsOnlyWebAuthnErrors()
    {
        using var fixture = new Aal3Fixture();
        var registrations = new[] { SoftwareAttestationMode.PackedFull, SoftwareAttestationMode.PackedSelf, SoftwareAttestationMode.None }
            .Select(mode => fixture.Authenticator.MakeCredential(fixture.CreateRequest() with { Attestation = mode })).ToList();
        var clientData = registrations[0].ClientDataJson;
        var verifier = new RegistrationVerifier(fixture.Options, fixture.Trust, fixture.Clock);
        var mutator = new Mutator(Fuzz.Seed, CborTokens);

        var attestation = Run("software attestation object", mutator.Corpus([.. registrations.Select(r => r.AttestationObject)], Fuzz.Iterations(1500), truncateUpTo: 4096),
            data => verifier.Verify(new RegistrationRequest(clientData, data, fixture.Challenge)));
        var json = new Mutator(Fuzz.Seed + 1, HostileCorpus.JsonTokens) { MostlyValidUtf8 = true };
        var client = Run("registration client data", json.Corpus([clientData], Fuzz.Iterations(1000), truncateUpTo: 0),
            data => verifier.Verify(new RegistrationRequest(data, registrations[0].AttestationObject, fixture.Challenge)));

        Assert.True(attestation["accepted"] >= 1, attestation.ToString());
        Assert.True(attestation[WebAuthnErrorCodes.Malformed] > 0, attestation.ToString());
        Assert.True(client["accepted"] >= 1, client.ToString());
    }

    [Fact]
    public void VerifyAssertion_MutatedParts_ThrowOnlyWebAuthnErrors()
    {
        using var fixture = new Aal3Fixture();
        var (credential, stored) = fixture.Enroll();
        var assertion = SoftwareAuthenticator.GetAssertion(credential, fixture.GetRequest());
        var verifier = new AssertionVerifier(fixture.Options);
        AssertionRequest Request(byte[]? clientData = null, byte[]? authData = null, byte[]? signature = null) => new(
            assertion.CredentialId, clientData ?? assertion.ClientDataJson, authData ?? assertion.AuthenticatorData, signature ?? assertion.Signature,
            assertion.UserHandle, fixture.Challenge);

        // Note: every verification of the unmutated seed succeeds (the stored counter is not advanced here).
        var authData = Run("assertion authenticator data", new Mutator(Fuzz.Seed + 2, CborTokens).Corpus([assertion.AuthenticatorData], Fuzz.Iterations(1000)),
            data => verifier.Verify(Request(authData: data), stored));
        var clientData = Run("assertion client data", new Mutator(Fuzz.Seed + 3, HostileCorpus.JsonTokens) { MostlyValidUtf8 = true }.Corpus([assertion.ClientDataJson], Fuzz.Iterations(1000), truncateUpTo: 0),
            data => verifier.Verify(Request(clientData: data), stored));
        var signature = Run("assertion signature", new Mutator(Fuzz.Seed + 4, []).Corpus([assertion.Signature], Fuzz.Iterations(500)),
            data => verifier.Verify(Request(signature: data), stored));
        var publicKey = Run("stored COSE key", new Mutator(Fuzz.Seed + 5, CborTokens).Corpus([stored.PublicKey.ToArray()], Fuzz.Iterations(1000)),
            data => verifier.Verify(Request(), stored with { PublicKey = data }));

        foreach (var report in new[] { authData, clientData, signature, publicKey })
        {
            Assert.True(report["accepted"] >= 1, report.ToString());
        }

        Assert.True(signature[WebAuthnErrorCodes.SignatureInvalid] > 0, signature.ToString());
    }

    [Fact]
    public void Parsers_MutatedAndHostileInput_ThrowOnlyWebAuthnErrors()
    {
        using var fixture = new Aal3Fixture();
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());
        var (_, stored) = fixture.Enroll();
        var hostile = HostileCorpus.HugeDeclaredSizes()
            .Append(HostileCorpus.CborDepthBomb(9)).Append(HostileCorpus.CborDepthBomb(100_000))
            .Append([.. registration.AuthenticatorData[..37], 0x41, .. HostileCorpus.CborDepthBomb(50_000)])
            .Append([.. registration.AuthenticatorData, .. HostileCorpus.CborDepthBomb(20)])
            .Append(HostileCorpus.JsonDepthBomb(100_000)).Append(HostileCorpus.JsonObjectDepthBomb(10_000))
            .Select((d, i) => new FuzzInput(i, "hostile", d)).ToList();

        var authData = Run("AuthenticatorData.Parse", new Mutator(Fuzz.Seed + 6, CborTokens).Corpus([registration.AuthenticatorData], Fuzz.Iterations(1500)).Concat(hostile),
            data => AuthenticatorData.Parse(data));
        var cose = Run("CoseKey.Decode", new Mutator(Fuzz.Seed + 7, CborTokens).Corpus([stored.PublicKey.ToArray()], Fuzz.Iterations(1500)).Concat(hostile),
            data => CoseKey.Decode(data));
        var clientData = Run("CollectedClientData.Parse", new Mutator(Fuzz.Seed + 8, HostileCorpus.JsonTokens) { MostlyValidUtf8 = true }.Corpus([registration.ClientDataJson], Fuzz.Iterations(1500), truncateUpTo: 0).Concat(hostile),
            data => CollectedClientData.Parse(data));

        Assert.True(authData["accepted"] >= 1, authData.ToString());
        Assert.True(cose["accepted"] >= 1, cose.ToString());
        Assert.True(clientData["accepted"] >= 1, clientData.ToString());
    }

    private FuzzReport Run(string target, IEnumerable<FuzzInput> inputs, Action<byte[]> parse)
    {
        var report = Fuzz.Run(target, Fuzz.Seed, inputs, data =>
        {
            parse(data);
            return "accepted";
        }, ex => ex is WebAuthnException { Code: var code } && Codes.Contains(code) ? code : null);
        output.WriteLine(report.ToString());
        return report;
    }

    private AttestationTrustOptions TrustOptions()
    {
        var trust = new AttestationTrustOptions { RequireTrustedAttestation = false, AndroidKeyCheck = AndroidKeyAuthorizationCheck.ChallengeAndKeyOnly };
        foreach (var id in W3cTestVectors.Ids)
        {
            trust.AllowList.Add(new TrustedAuthenticator(new Guid(W3cTestVectors.Get(id).Registration["aaguid"], bigEndian: true), "W3C " + id, [_root]));
        }

        return trust;
    }
}
