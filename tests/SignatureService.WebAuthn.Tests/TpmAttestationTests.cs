using System.Buffers.Binary;
using System.Buffers.Text;
using System.Formats.Asn1;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SignatureService.WebAuthn.Attestation;
using SignatureService.WebAuthn.Cose;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Registration;
using SignatureService.WebAuthn.Trust;

namespace SignatureService.WebAuthn.Tests;

/// <summary>
/// <c>tpm</c> with an RSA credential (the W3C vector is ECC), built after TPM 2.0 Part 2 (TPMT_PUBLIC, TPMS_ATTEST),
/// so the RSA pubArea path and the AIK certificate requirements of §8.3.1 are exercised both ways.
/// </summary>
public sealed class TpmAttestationTests
{
    private const string RpId = "sign.example.jp";
    private const string Origin = "https://sign.example.jp";

    // Note: RSA key generation is slow on the shared machine, so the tests share two keys (public material only is compared).
    private static readonly Lazy<RSA> CredentialKey = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> OtherKey = new(() => RSA.Create(2048));

    [Fact]
    public void Verify_RsaCredentialWithValidAik_IsTrustedAttCa()
    {
        var result = Verify(new TpmCase());
        Assert.Equal("tpm", result.AttestationFormat);
        Assert.Equal(AttestationType.AttCA, result.AttestationType);
        Assert.Equal(CoseAlgorithm.RS256, result.Algorithm);
        Assert.True(result.Trust.IsTrusted);
    }

    [Fact]
    public void Verify_AikWithSubject_ReturnsAttestationInvalid()
        => AssertInvalid(new TpmCase { AikSubject = "CN=Not Empty" });

    [Fact]
    public void Verify_AikWithoutAikEku_ReturnsAttestationInvalid()
        => AssertInvalid(new TpmCase { AikEku = false });

    [Fact]
    public void Verify_AikWithoutTpmSan_ReturnsAttestationInvalid()
        => AssertInvalid(new TpmCase { AikSan = false });

    [Fact]
    public void Verify_AikIsCa_ReturnsAttestationInvalid()
        => AssertInvalid(new TpmCase { AikIsCa = true });

    [Fact]
    public void Verify_PubAreaOfAnotherKey_ReturnsAttestationInvalid()
        => AssertInvalid(new TpmCase { PubAreaOtherKey = true });

    [Fact]
    public void Verify_NameOverOtherPubArea_ReturnsAttestationInvalid()
        => AssertInvalid(new TpmCase { WrongName = true });

    [Fact]
    public void Verify_WrongMagic_ReturnsAttestationInvalid()
        => AssertInvalid(new TpmCase { Magic = 0xFF544348 });

    private static void AssertInvalid(TpmCase c)
    {
        var ex = Assert.Throws<WebAuthnException>(() => Verify(c));
        Assert.Equal(WebAuthnErrorCodes.AttestationInvalid, ex.Code);
    }

    private static RegistrationResult Verify(TpmCase c)
    {
        var challenge = RandomNumberGenerator.GetBytes(32);
        var aaguid = Guid.NewGuid();
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var aikKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var credentialKey = CredentialKey.Value;
        var otherKey = OtherKey.Value;
        var notBefore = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var notAfter = new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var rootRequest = new CertificateRequest("CN=Test TPM Privacy CA", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var rootWithKey = rootRequest.CreateSelfSigned(notBefore, notAfter);
        using var root = X509CertificateLoader.LoadCertificate(rootWithKey.RawData);

        var aikRequest = new CertificateRequest(new X500DistinguishedName(c.AikSubject), aikKey, HashAlgorithmName.SHA256);
        aikRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(c.AikIsCa, false, 0, true));
        if (c.AikEku)
        {
            aikRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("2.23.133.8.3")], false));
        }

        if (c.AikSan)
        {
            aikRequest.CertificateExtensions.Add(new X509Extension("2.5.29.17", TpmSubjectAltName(), true));
        }

        using var aik = aikRequest.Create(root.SubjectName, X509SignatureGenerator.CreateForECDsa(rootKey), notBefore, notAfter, [9, 9, 9]);

        var clientDataJson = Encoding.UTF8.GetBytes("{\"type\":\"webauthn.create\",\"challenge\":\"" + Base64Url.EncodeToString(challenge) + "\",\"origin\":\"" + Origin + "\",\"crossOrigin\":false}");
        var rsa = credentialKey.ExportParameters(false);
        var credentialId = RandomNumberGenerator.GetBytes(20);
        var authData = new List<byte>();
        authData.AddRange(SHA256.HashData(Encoding.UTF8.GetBytes(RpId)));
        authData.Add(0x45);
        authData.AddRange(new byte[4]);
        authData.AddRange(aaguid.ToByteArray(bigEndian: true));
        authData.Add(0);
        authData.Add((byte)credentialId.Length);
        authData.AddRange(credentialId);
        authData.AddRange(CoseKeyTests.RsaCose(CoseAlgorithm.RS256, rsa.Modulus!, rsa.Exponent!));
        var authDataBytes = authData.ToArray();

        var pubArea = PubArea(c.PubAreaOtherKey ? otherKey.ExportParameters(false).Modulus! : rsa.Modulus!);
        var namedArea = c.WrongName ? PubArea(otherKey.ExportParameters(false).Modulus!) : pubArea;
        var certInfo = CertInfo(c.Magic, SHA256.HashData([.. authDataBytes, .. SHA256.HashData(clientDataJson)]), [0x00, 0x0B, .. SHA256.HashData(namedArea)]);
        var signature = aikKey.SignData(certInfo, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(3);
        writer.WriteTextString("fmt");
        writer.WriteTextString("tpm");
        writer.WriteTextString("attStmt");
        writer.WriteStartMap(6);
        writer.WriteTextString("alg");
        writer.WriteInt32(-7);
        writer.WriteTextString("sig");
        writer.WriteByteString(signature);
        writer.WriteTextString("ver");
        writer.WriteTextString("2.0");
        writer.WriteTextString("x5c");
        writer.WriteStartArray(1);
        writer.WriteByteString(aik.RawData);
        writer.WriteEndArray();
        writer.WriteTextString("pubArea");
        writer.WriteByteString(pubArea);
        writer.WriteTextString("certInfo");
        writer.WriteByteString(certInfo);
        writer.WriteEndMap();
        writer.WriteTextString("authData");
        writer.WriteByteString(authDataBytes);
        writer.WriteEndMap();

        var options = new WebAuthnOptions { RelyingPartyId = RpId };
        options.AllowedOrigins.Add(Origin);
        var trust = new AttestationTrustOptions();
        trust.AllowList.Add(new TrustedAuthenticator(aaguid, "TPM test", [root]));
        return new RegistrationVerifier(options, trust, new FixedTimeProvider(FixedTimeProvider.Default))
            .Verify(new RegistrationRequest(clientDataJson, writer.Encode(), challenge));
    }

    // TPMT_PUBLIC for an RSA signing key: type, nameAlg SHA-256, objectAttributes, empty authPolicy,
    // TPMS_RSA_PARMS (symmetric NULL, scheme NULL, keyBits 2048, exponent 0 = 65537), unique = modulus.
    private static byte[] PubArea(byte[] modulus)
    {
        var data = new List<byte>();
        Add16(data, 0x0001);
        Add16(data, 0x000B);
        data.AddRange(new byte[] { 0x00, 0x06, 0x04, 0x72 });
        Add16(data, 0);
        Add16(data, 0x0010);
        Add16(data, 0x0010);
        Add16(data, 2048);
        data.AddRange(new byte[4]);
        Add16(data, (ushort)modulus.Length);
        data.AddRange(modulus);
        return [.. data];
    }

    // TPMS_ATTEST: magic, TPM_ST_ATTEST_CERTIFY, qualifiedSigner, extraData, clockInfo (17), firmwareVersion (8), name, qualifiedName.
    private static byte[] CertInfo(uint magic, byte[] extraData, byte[] name)
    {
        var data = new List<byte>();
        var magicBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(magicBytes, magic);
        data.AddRange(magicBytes);
        Add16(data, 0x8017);
        Add16(data, 0);
        Add16(data, (ushort)extraData.Length);
        data.AddRange(extraData);
        data.AddRange(new byte[17 + 8]);
        Add16(data, (ushort)name.Length);
        data.AddRange(name);
        Add16(data, 0);
        return [.. data];
    }

    private static void Add16(List<byte> data, ushort value)
    {
        data.Add((byte)(value >> 8));
        data.Add((byte)value);
    }

    // subjectAltName: directoryName with tcg-at-tpmManufacturer, tcg-at-tpmModel, tcg-at-tpmVersion (TCG EK credential profile).
    private static byte[] TpmSubjectAltName()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, true)))
        using (writer.PushSequence())
        {
            foreach (var (oid, value) in new[] { ("2.23.133.2.1", "id:FFFFF1D0"), ("2.23.133.2.2", "Test TPM"), ("2.23.133.2.3", "id:00010002") })
            {
                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(oid);
                    writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
                }
            }
        }

        return writer.Encode();
    }

    private sealed record TpmCase
    {
        public string AikSubject { get; init; } = string.Empty;

        public bool AikEku { get; init; } = true;

        public bool AikSan { get; init; } = true;

        public bool AikIsCa { get; init; }

        public bool PubAreaOtherKey { get; init; }

        public bool WrongName { get; init; }

        public uint Magic { get; init; } = 0xFF544347;
    }
}
