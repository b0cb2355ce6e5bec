using System.Buffers.Binary;
using System.Buffers.Text;
using System.Formats.Asn1;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SignatureService.WebAuthn.Attestation;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Registration;
using SignatureService.WebAuthn.Trust;

namespace SignatureService.WebAuthn.Tests;

/// <summary>
/// <c>android-key</c> with real authorization lists (the W3C vector's are empty): built here after the Android
/// KeyDescription schema, so the TEE-enforced checks of §8.4 step 4 are exercised both ways.
/// </summary>
public sealed class AndroidKeyAttestationTests
{
    private const string RpId = "sign.example.jp";
    private const string Origin = "https://sign.example.jp";

    [Fact]
    public void Verify_TeeEnforcedGeneratedSigningKey_IsTrusted()
    {
        var result = Verify(new AndroidCase(), AndroidKeyAuthorizationCheck.TeeEnforced);
        Assert.Equal("android-key", result.AttestationFormat);
        Assert.Equal(AttestationType.Basic, result.AttestationType);
        Assert.True(result.Trust.IsTrusted);
    }

    [Fact]
    public void Verify_SoftwareEnforcedOnlyUnderTeePolicy_ReturnsAttestationInvalid()
        => AssertCode(new AndroidCase { InTee = false }, AndroidKeyAuthorizationCheck.TeeEnforced, WebAuthnErrorCodes.AttestationInvalid);

    [Fact]
    public void Verify_SoftwareEnforcedOnlyUnderUnionPolicy_IsAccepted()
        => Assert.True(Verify(new AndroidCase { InTee = false }, AndroidKeyAuthorizationCheck.TeeOrSoftwareEnforced).Trust.IsTrusted);

    [Fact]
    public void Verify_ImportedKey_ReturnsAttestationInvalid()
        => AssertCode(new AndroidCase { Origin = 2 }, AndroidKeyAuthorizationCheck.TeeEnforced, WebAuthnErrorCodes.AttestationInvalid);

    [Fact]
    public void Verify_EncryptOnlyKey_ReturnsAttestationInvalid()
        => AssertCode(new AndroidCase { Purpose = 0 }, AndroidKeyAuthorizationCheck.TeeEnforced, WebAuthnErrorCodes.AttestationInvalid);

    [Fact]
    public void Verify_AllApplications_ReturnsAttestationInvalid()
        => AssertCode(new AndroidCase { AllApplications = true }, AndroidKeyAuthorizationCheck.ChallengeAndKeyOnly, WebAuthnErrorCodes.AttestationInvalid);

    [Fact]
    public void Verify_ChallengeIsNotClientDataHash_ReturnsAttestationInvalid()
        => AssertCode(new AndroidCase { WrongChallenge = true }, AndroidKeyAuthorizationCheck.ChallengeAndKeyOnly, WebAuthnErrorCodes.AttestationInvalid);

    [Fact]
    public void Verify_CertificateForAnotherKey_ReturnsAttestationInvalid()
        => AssertCode(new AndroidCase { CertifyOtherKey = true }, AndroidKeyAuthorizationCheck.ChallengeAndKeyOnly, WebAuthnErrorCodes.AttestationInvalid);

    private static void AssertCode(AndroidCase c, AndroidKeyAuthorizationCheck check, string code)
    {
        var ex = Assert.Throws<WebAuthnException>(() => Verify(c, check));
        Assert.Equal(code, ex.Code);
    }

    private static RegistrationResult Verify(AndroidCase c, AndroidKeyAuthorizationCheck check)
    {
        var challenge = RandomNumberGenerator.GetBytes(32);
        var aaguid = Guid.NewGuid();
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var credentialKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var notBefore = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var notAfter = new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var rootRequest = new CertificateRequest("CN=Test Android Attestation Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var rootWithKey = rootRequest.CreateSelfSigned(notBefore, notAfter);
        using var root = X509CertificateLoader.LoadCertificate(rootWithKey.RawData);

        var clientDataJson = Encoding.UTF8.GetBytes("{\"type\":\"webauthn.create\",\"challenge\":\"" + Base64Url.EncodeToString(challenge) + "\",\"origin\":\"" + Origin + "\",\"crossOrigin\":false}");
        var clientDataHash = SHA256.HashData(clientDataJson);

        var leafRequest = new CertificateRequest("CN=Android Keystore Key", c.CertifyOtherKey ? otherKey : credentialKey, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.11129.2.1.17", KeyDescription(c, c.WrongChallenge ? new byte[32] : clientDataHash), false));
        using var leaf = leafRequest.Create(root.SubjectName, X509SignatureGenerator.CreateForECDsa(rootKey), notBefore, notAfter, [7, 7, 7]);

        var q = credentialKey.ExportParameters(false).Q;
        var credentialId = RandomNumberGenerator.GetBytes(16);
        var authData = new List<byte>();
        authData.AddRange(SHA256.HashData(Encoding.UTF8.GetBytes(RpId)));
        authData.Add(0x45);
        authData.AddRange(new byte[4]);
        authData.AddRange(aaguid.ToByteArray(bigEndian: true));
        authData.Add(0);
        authData.Add((byte)credentialId.Length);
        authData.AddRange(credentialId);
        authData.AddRange(CoseKeyTests.Ec2Cose(Cose.CoseAlgorithm.ES256, 1, q.X!, q.Y!));
        var authDataBytes = authData.ToArray();
        var signature = (c.CertifyOtherKey ? otherKey : credentialKey).SignData([.. authDataBytes, .. clientDataHash], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(3);
        writer.WriteTextString("fmt");
        writer.WriteTextString("android-key");
        writer.WriteTextString("attStmt");
        writer.WriteStartMap(3);
        writer.WriteTextString("alg");
        writer.WriteInt32(-7);
        writer.WriteTextString("sig");
        writer.WriteByteString(signature);
        writer.WriteTextString("x5c");
        writer.WriteStartArray(1);
        writer.WriteByteString(leaf.RawData);
        writer.WriteEndArray();
        writer.WriteEndMap();
        writer.WriteTextString("authData");
        writer.WriteByteString(authDataBytes);
        writer.WriteEndMap();

        var options = new WebAuthnOptions { RelyingPartyId = RpId };
        options.AllowedOrigins.Add(Origin);
        var trust = new AttestationTrustOptions { AndroidKeyCheck = check };
        trust.AllowList.Add(new TrustedAuthenticator(aaguid, "Android test", [root]));
        var verifier = new RegistrationVerifier(options, trust, new FixedTimeProvider(FixedTimeProvider.Default));
        return verifier.Verify(new RegistrationRequest(clientDataJson, writer.Encode(), challenge));
    }

    // KeyDescription (Android key attestation schema): versions, security levels, challenge, uniqueId, softwareEnforced, teeEnforced.
    private static byte[] KeyDescription(AndroidCase c, byte[] challenge)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(200);
            writer.WriteEnumeratedValue(SecurityLevel.TrustedEnvironment);
            writer.WriteInteger(200);
            writer.WriteEnumeratedValue(SecurityLevel.TrustedEnvironment);
            writer.WriteOctetString(challenge);
            writer.WriteOctetString([]);
            WriteAuthorizationList(writer, c.InTee ? null : c);
            WriteAuthorizationList(writer, c.InTee ? c : null);
        }

        return writer.Encode();
    }

    private static void WriteAuthorizationList(AsnWriter writer, AndroidCase? c)
    {
        using (writer.PushSequence())
        {
            if (c is null)
            {
                return;
            }

            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, true)))
            {
                using (writer.PushSetOf())
                {
                    writer.WriteInteger(c.Purpose);
                }
            }

            if (c.AllApplications)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 600, true)))
                {
                    writer.WriteNull();
                }
            }

            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 702, true)))
            {
                writer.WriteInteger(c.Origin);
            }
        }
    }

    private enum SecurityLevel
    {
        Software = 0,
        TrustedEnvironment = 1,
    }

    private sealed record AndroidCase
    {
        public bool InTee { get; init; } = true;

        public int Origin { get; init; }

        public int Purpose { get; init; } = 2;

        public bool AllApplications { get; init; }

        public bool WrongChallenge { get; init; }

        public bool CertifyOtherKey { get; init; }
    }
}
