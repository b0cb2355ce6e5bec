// A software WebAuthn authenticator for tests. Self-contained (no test-framework dependency): other test projects
// may link this file with <Compile Include="..\SignatureService.WebAuthn.Tests\SoftwareAuthenticator.cs" Link="..." />.
// It needs only the .NET base library plus System.Formats.Cbor (ASP.NET Core shared framework).
// It produces exactly the bytes a browser sends: clientDataJSON (type, challenge base64url, origin, crossOrigin
// [, topOrigin]), a CTAP2-canonical attestationObject with `packed` full attestation (or self / none), and for
// assertions authenticatorData and an ASN.1 DER ECDSA signature over authenticatorData || SHA-256(clientDataJSON).
// Never use it outside tests: it holds credential private keys in memory.
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Formats.Asn1;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace SignatureService.WebAuthn.Testing;

/// <summary>How the software authenticator attests a new credential.</summary>
public enum SoftwareAttestationMode
{
    /// <summary><c>packed</c> with an x5c chain (attestation certificate issued by <see cref="SoftwareAuthenticator.AttestationRoot"/>).</summary>
    PackedFull = 0,

    /// <summary><c>packed</c> self attestation (signed with the credential key).</summary>
    PackedSelf,

    /// <summary>Format <c>none</c>.</summary>
    None,
}

/// <summary>Settings fixed when the authenticator (its attestation CA and certificate) is created.</summary>
public sealed record SoftwareAuthenticatorSettings
{
    /// <summary>The model's AAGUID; a random one when <c>null</c>.</summary>
    public Guid? Aaguid { get; init; }

    /// <summary>Validity start of the attestation root and certificate.</summary>
    public DateTimeOffset NotBefore { get; init; } = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Validity end of the attestation root and certificate.</summary>
    public DateTimeOffset NotAfter { get; init; } = new(2040, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Issue the attestation certificate with Basic Constraints CA=true (invalid for packed).</summary>
    public bool AttestationCertificateIsCa { get; init; }

    /// <summary>The AAGUID to put into the certificate's 1.3.6.1.4.1.45724.1.1.4 extension; <c>null</c> uses <see cref="Aaguid"/>.</summary>
    public Guid? CertificateAaguid { get; init; }

    /// <summary>Leave the AAGUID extension out of the attestation certificate.</summary>
    public bool OmitAaguidExtension { get; init; }

    /// <summary>Make the attestation certificate self-issued (issuer = subject, signed by the attestation key, CA=false),
    /// as Chromium's virtual authenticator does.</summary>
    public bool SelfIssuedAttestationCertificate { get; init; }
}

/// <summary>A registration request as the client passes it to the authenticator, plus test knobs.</summary>
public sealed record MakeCredentialRequest(string RpId, string Origin, byte[] Challenge)
{
    /// <summary>The user handle (user.id) to bind; 16 random bytes when <c>null</c>.</summary>
    public byte[]? UserHandle { get; init; }

    /// <summary>UP flag.</summary>
    public bool UserPresent { get; init; } = true;

    /// <summary>UV flag.</summary>
    public bool UserVerified { get; init; } = true;

    /// <summary>BE flag.</summary>
    public bool BackupEligible { get; init; }

    /// <summary>BS flag.</summary>
    public bool BackupState { get; init; }

    /// <summary>Initial signature counter.</summary>
    public uint SignCount { get; init; }

    /// <summary>Credential ID length in bytes (random content).</summary>
    public int CredentialIdLength { get; init; } = 32;

    /// <summary>A fixed credential ID (e.g. to present one already registered); random of <see cref="CredentialIdLength"/> when <c>null</c>.</summary>
    public byte[]? CredentialId { get; init; }

    /// <summary>clientDataJSON.type.</summary>
    public string Type { get; init; } = "webauthn.create";

    /// <summary>clientDataJSON.crossOrigin.</summary>
    public bool CrossOrigin { get; init; }

    /// <summary>clientDataJSON.topOrigin (only written when not <c>null</c>).</summary>
    public string? TopOrigin { get; init; }

    /// <summary>Attestation mode.</summary>
    public SoftwareAttestationMode Attestation { get; init; } = SoftwareAttestationMode.PackedFull;
}

/// <summary>An assertion request as the client passes it to the authenticator, plus test knobs.</summary>
public sealed record GetAssertionRequest(string RpId, string Origin, byte[] Challenge)
{
    /// <summary>UP flag.</summary>
    public bool UserPresent { get; init; } = true;

    /// <summary>UV flag.</summary>
    public bool UserVerified { get; init; } = true;

    /// <summary>BE flag; <c>null</c> repeats the credential's registration value.</summary>
    public bool? BackupEligible { get; init; }

    /// <summary>BS flag.</summary>
    public bool BackupState { get; init; }

    /// <summary>The counter to report; <c>null</c> increments the credential's counter by one.</summary>
    public uint? SignCount { get; init; }

    /// <summary>clientDataJSON.type.</summary>
    public string Type { get; init; } = "webauthn.get";

    /// <summary>clientDataJSON.crossOrigin.</summary>
    public bool CrossOrigin { get; init; }

    /// <summary>clientDataJSON.topOrigin (only written when not <c>null</c>).</summary>
    public string? TopOrigin { get; init; }

    /// <summary>Return the user handle (as a discoverable credential does).</summary>
    public bool IncludeUserHandle { get; init; } = true;
}

/// <summary>A credential held by the software authenticator (ES256, P-256).</summary>
public sealed class SoftwareCredential : IDisposable
{
    internal SoftwareCredential(byte[] id, byte[] userHandle, ECDsa key, bool backupEligible, uint counter)
    {
        Id = id;
        UserHandle = userHandle;
        Key = key;
        BackupEligible = backupEligible;
        Counter = counter;
    }

    /// <summary>The credential ID.</summary>
    public byte[] Id { get; }

    /// <summary>The user handle it was created for.</summary>
    public byte[] UserHandle { get; }

    /// <summary>The BE flag it was created with.</summary>
    public bool BackupEligible { get; }

    /// <summary>The current signature counter.</summary>
    public uint Counter { get; internal set; }

    internal ECDsa Key { get; }

    /// <inheritdoc />
    public void Dispose() => Key.Dispose();
}

/// <summary>What the browser returns from navigator.credentials.create().</summary>
public sealed record SoftwareRegistration(SoftwareCredential Credential, byte[] ClientDataJson, byte[] AttestationObject, byte[] AuthenticatorData);

/// <summary>What the browser returns from navigator.credentials.get().</summary>
public sealed record SoftwareAssertion(byte[] CredentialId, byte[] ClientDataJson, byte[] AuthenticatorData, byte[] Signature, byte[] UserHandle);

/// <summary>
/// A software FIDO2 authenticator with its own attestation CA: root (self-signed, CA) → attestation certificate
/// (CA=false, OU "Authenticator Attestation", AAGUID extension). Credential keys are ES256.
/// </summary>
public sealed class SoftwareAuthenticator : IDisposable
{
    private const string AaguidExtensionOid = "1.3.6.1.4.1.45724.1.1.4";
    private readonly ECDsa _rootKey;
    private readonly ECDsa _attestationKey;

    /// <summary>Creates the authenticator, its attestation root and attestation certificate.</summary>
    public SoftwareAuthenticator(SoftwareAuthenticatorSettings? settings = null)
    {
        settings ??= new SoftwareAuthenticatorSettings();
        Aaguid = settings.Aaguid ?? Guid.NewGuid();
        _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _attestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var rootName = new X500DistinguishedNameBuilder();
        rootName.AddCountryOrRegion("JP");
        rootName.AddOrganizationName("SignatureService Tests");
        rootName.AddCommonName("Software Authenticator Attestation Root");
        var rootRequest = new CertificateRequest(rootName.Build(), _rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        using (var rootWithKey = rootRequest.CreateSelfSigned(settings.NotBefore, settings.NotAfter))
        {
            AttestationRoot = X509CertificateLoader.LoadCertificate(rootWithKey.RawData);
        }

        var leafName = new X500DistinguishedNameBuilder();
        leafName.AddCountryOrRegion("JP");
        leafName.AddOrganizationName("SignatureService Tests");
        leafName.AddOrganizationalUnitName("Authenticator Attestation");
        leafName.AddCommonName("Software Authenticator");
        var leafRequest = new CertificateRequest(leafName.Build(), _attestationKey, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(settings.AttestationCertificateIsCa, false, 0, true));
        if (!settings.SelfIssuedAttestationCertificate)
        {
            // Note: a self-issued certificate carries neither, like Chromium's virtual authenticator's.
            leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(AttestationRoot, true, false));
        }
        if (!settings.OmitAaguidExtension)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            writer.WriteOctetString((settings.CertificateAaguid ?? Aaguid).ToByteArray(bigEndian: true));
            leafRequest.CertificateExtensions.Add(new X509Extension(AaguidExtensionOid, writer.Encode(), false));
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        AttestationCertificate = settings.SelfIssuedAttestationCertificate
            ? leafRequest.Create(leafRequest.SubjectName, X509SignatureGenerator.CreateForECDsa(_attestationKey), settings.NotBefore, settings.NotAfter, serial)
            : leafRequest.Create(AttestationRoot.SubjectName, X509SignatureGenerator.CreateForECDsa(_rootKey), settings.NotBefore, settings.NotAfter, serial);
    }

    /// <summary>The model's AAGUID.</summary>
    public Guid Aaguid { get; }

    /// <summary>The attestation root (public certificate only): configure it as the trust anchor for <see cref="Aaguid"/>.</summary>
    public X509Certificate2 AttestationRoot { get; }

    /// <summary>The attestation certificate (public only), sent as x5c[0].</summary>
    public X509Certificate2 AttestationCertificate { get; }

    /// <summary>A self-signed certificate for the attestation key with the attestation certificate's subject (a CA when
    /// <paramref name="certificateAuthority"/>): what a relying party pins for a self-issued attestation certificate.</summary>
    public X509Certificate2 CreateCertificateForAttestationKey(bool certificateAuthority)
    {
        var request = new CertificateRequest(AttestationCertificate.SubjectName, _attestationKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority, false, 0, true));
        using var withKey = request.CreateSelfSigned(AttestationCertificate.NotBefore.AddDays(-1), AttestationCertificate.NotAfter.AddDays(1));
        return X509CertificateLoader.LoadCertificate(withKey.RawData);
    }

    /// <summary>authenticatorMakeCredential + the client's wrapping: returns what navigator.credentials.create() yields.</summary>
    public SoftwareRegistration MakeCredential(MakeCredentialRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var credentialId = request.CredentialId ?? RandomNumberGenerator.GetBytes(request.CredentialIdLength);
        var userHandle = request.UserHandle ?? RandomNumberGenerator.GetBytes(16);
        var credential = new SoftwareCredential(credentialId, userHandle, key, request.BackupEligible, request.SignCount);

        var clientDataJson = ClientDataJson(request.Type, request.Challenge, request.Origin, request.CrossOrigin, request.TopOrigin);
        var flags = Flags(request.UserPresent, request.UserVerified, request.BackupEligible, request.BackupState) | 0x40;

        // Attested credential data: aaguid || L (2 bytes) || credentialId || COSE_Key.
        var attested = new List<byte>();
        attested.AddRange(Aaguid.ToByteArray(bigEndian: true));
        attested.Add((byte)(credentialId.Length >> 8));
        attested.Add((byte)credentialId.Length);
        attested.AddRange(credentialId);
        attested.AddRange(CoseEs256(key));
        var authData = AuthenticatorData(request.RpId, (byte)flags, request.SignCount, [.. attested]);

        var clientDataHash = SHA256.HashData(clientDataJson);
        byte[] toSign = [.. authData, .. clientDataHash];
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(3);
        writer.WriteTextString("fmt");
        writer.WriteTextString(request.Attestation == SoftwareAttestationMode.None ? "none" : "packed");
        writer.WriteTextString("attStmt");
        switch (request.Attestation)
        {
            case SoftwareAttestationMode.PackedFull:
                writer.WriteStartMap(3);
                writer.WriteTextString("alg");
                writer.WriteInt32(-7);
                writer.WriteTextString("sig");
                writer.WriteByteString(_attestationKey.SignData(toSign, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
                writer.WriteTextString("x5c");
                writer.WriteStartArray(1);
                writer.WriteByteString(AttestationCertificate.RawData);
                writer.WriteEndArray();
                writer.WriteEndMap();
                break;
            case SoftwareAttestationMode.PackedSelf:
                writer.WriteStartMap(2);
                writer.WriteTextString("alg");
                writer.WriteInt32(-7);
                writer.WriteTextString("sig");
                writer.WriteByteString(key.SignData(toSign, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
                writer.WriteEndMap();
                break;
            default:
                writer.WriteStartMap(0);
                writer.WriteEndMap();
                break;
        }

        writer.WriteTextString("authData");
        writer.WriteByteString(authData);
        writer.WriteEndMap();
        return new SoftwareRegistration(credential, clientDataJson, writer.Encode(), authData);
    }

    /// <summary>authenticatorGetAssertion + the client's wrapping: returns what navigator.credentials.get() yields.</summary>
    public static SoftwareAssertion GetAssertion(SoftwareCredential credential, GetAssertionRequest request)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(request);
        var counter = request.SignCount ?? credential.Counter + 1;
        credential.Counter = counter;
        var clientDataJson = ClientDataJson(request.Type, request.Challenge, request.Origin, request.CrossOrigin, request.TopOrigin);
        var flags = Flags(request.UserPresent, request.UserVerified, request.BackupEligible ?? credential.BackupEligible, request.BackupState);
        var authData = AuthenticatorData(request.RpId, (byte)flags, counter, []);
        byte[] toSign = [.. authData, .. SHA256.HashData(clientDataJson)];
        var signature = credential.Key.SignData(toSign, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new SoftwareAssertion(credential.Id, clientDataJson, authData, signature, request.IncludeUserHandle ? credential.UserHandle : []);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _rootKey.Dispose();
        _attestationKey.Dispose();
        AttestationRoot.Dispose();
        AttestationCertificate.Dispose();
    }

    // WebAuthn L3 §5.8.1.1: the serialization browsers use (type, challenge, origin, crossOrigin, then topOrigin).
    private static byte[] ClientDataJson(string type, byte[] challenge, string origin, bool crossOrigin, string? topOrigin)
    {
        var json = new StringBuilder();
        json.Append("{\"type\":").Append(JsonSerializer.Serialize(type))
            .Append(",\"challenge\":").Append(JsonSerializer.Serialize(Base64Url.EncodeToString(challenge)))
            .Append(",\"origin\":").Append(JsonSerializer.Serialize(origin))
            .Append(",\"crossOrigin\":").Append(crossOrigin ? "true" : "false");
        if (topOrigin is not null)
        {
            json.Append(",\"topOrigin\":").Append(JsonSerializer.Serialize(topOrigin));
        }

        return Encoding.UTF8.GetBytes(json.Append('}').ToString());
    }

    private static int Flags(bool up, bool uv, bool be, bool bs)
        => (up ? 0x01 : 0) | (uv ? 0x04 : 0) | (be ? 0x08 : 0) | (bs ? 0x10 : 0);

    private static byte[] AuthenticatorData(string rpId, byte flags, uint signCount, byte[] attested)
    {
        var data = new byte[37 + attested.Length];
        SHA256.HashData(Encoding.UTF8.GetBytes(rpId)).CopyTo(data, 0);
        data[32] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(33), signCount);
        attested.CopyTo(data, 37);
        return data;
    }

    // COSE_Key for ES256 in CTAP2 canonical order: 1 (kty EC2), 3 (alg -7), -1 (crv P-256), -2 (x), -3 (y).
    private static byte[] CoseEs256(ECDsa key)
    {
        var parameters = key.ExportParameters(false);
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(5);
        writer.WriteInt32(1);
        writer.WriteInt32(2);
        writer.WriteInt32(3);
        writer.WriteInt32(-7);
        writer.WriteInt32(-1);
        writer.WriteInt32(1);
        writer.WriteInt32(-2);
        writer.WriteByteString(parameters.Q.X!);
        writer.WriteInt32(-3);
        writer.WriteByteString(parameters.Q.Y!);
        writer.WriteEndMap();
        return writer.Encode();
    }
}
