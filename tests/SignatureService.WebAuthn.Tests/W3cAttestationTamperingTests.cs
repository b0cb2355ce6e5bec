using System.Formats.Cbor;
using System.Text;
using SignatureService.WebAuthn.Attestation;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Registration;
using SignatureService.WebAuthn.Trust;

namespace SignatureService.WebAuthn.Tests;

/// <summary>Targeted changes to the W3C vectors: each binding a format's verification procedure checks must fail.</summary>
public sealed class W3cAttestationTamperingTests
{
    public static TheoryData<string> AttestedVectors => new()
    {
        "packed-self-es256", "packed-es256", "packed-es384", "packed-es512", "packed-rs256", "packed-eddsa",
        "tpm-es256", "android-key-es256", "apple-es256", "fido-u2f-es256",
    };

    [Theory]
    [MemberData(nameof(AttestedVectors))]
    public void Verify_ClientDataChangedAfterAttestation_ReturnsAttestationInvalid(string id)
    {
        // Same challenge and origin, one extra member: only the clientDataHash bound into the statement changes.
        var values = W3cTestVectors.Get(id).Registration;
        var json = Encoding.UTF8.GetString(values["clientDataJSON"]);
        var altered = Encoding.UTF8.GetBytes(json[..^1] + ",\"x\":1}");
        var ex = Assert.Throws<WebAuthnException>(() => Verifier().Verify(new RegistrationRequest(altered, values["attestationObject"], values["challenge"])));
        Assert.Equal(WebAuthnErrorCodes.AttestationInvalid, ex.Code);
    }

    [Theory]
    [InlineData("tpm-es256", "ver", "1.0")]
    [InlineData("tpm-es256", "alg", -257)]
    [InlineData("packed-es256", "alg", -35)]
    [InlineData("android-key-es256", "alg", -36)]
    public void Verify_StatementEntryChanged_ReturnsAttestationInvalid(string id, string key, object value)
    {
        var values = W3cTestVectors.Get(id).Registration;
        var attestationObject = RewriteStatement(values["attestationObject"], key, value);
        var ex = Assert.Throws<WebAuthnException>(() => Verifier().Verify(new RegistrationRequest(values["clientDataJSON"], attestationObject, values["challenge"])));
        Assert.Equal(WebAuthnErrorCodes.AttestationInvalid, ex.Code);
    }

    [Theory]
    [InlineData("pubArea", 2)]
    [InlineData("pubArea", 80)]
    [InlineData("certInfo", 0)]
    [InlineData("certInfo", 40)]
    [InlineData("certInfo", 100)]
    public void Verify_TpmStructureByteFlipped_ReturnsAttestationInvalid(string key, int offset)
    {
        var values = W3cTestVectors.Get("tpm-es256").Registration;
        var statement = ReadStatement(values["attestationObject"]);
        var bytes = ((byte[])statement[key]).ToArray();
        bytes[offset] ^= 0x01;
        var attestationObject = RewriteStatement(values["attestationObject"], key, bytes);
        var ex = Assert.Throws<WebAuthnException>(() => Verifier().Verify(new RegistrationRequest(values["clientDataJSON"], attestationObject, values["challenge"])));
        Assert.Equal(WebAuthnErrorCodes.AttestationInvalid, ex.Code);
    }

    [Fact]
    public void Verify_AppleCertificateSwappedForPackedOne_ReturnsAttestationInvalid()
    {
        var apple = W3cTestVectors.Get("apple-es256").Registration;
        var packedCertificate = (List<object>)ReadStatement(W3cTestVectors.Get("packed-es256").Registration["attestationObject"])["x5c"];
        var attestationObject = RewriteStatement(apple["attestationObject"], "x5c", packedCertificate);
        var ex = Assert.Throws<WebAuthnException>(() => Verifier().Verify(new RegistrationRequest(apple["clientDataJSON"], attestationObject, apple["challenge"])));
        Assert.Equal(WebAuthnErrorCodes.AttestationInvalid, ex.Code);
    }

    private static RegistrationVerifier Verifier()
    {
        var trust = new AttestationTrustOptions { RequireTrustedAttestation = false, AndroidKeyCheck = AndroidKeyAuthorizationCheck.ChallengeAndKeyOnly };
        return new RegistrationVerifier(W3cTestVectorTests.RelaxedOptions(), trust, new FixedTimeProvider(FixedTimeProvider.Default));
    }

    private static Dictionary<string, object> ReadStatement(byte[] attestationObject)
    {
        var reader = new CborReader(attestationObject);
        reader.ReadStartMap();
        reader.ReadTextString();
        reader.ReadTextString();
        reader.ReadTextString();
        var count = reader.ReadStartMap()!.Value;
        var statement = new Dictionary<string, object>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadTextString();
            statement[key] = reader.PeekState() switch
            {
                CborReaderState.TextString => reader.ReadTextString(),
                CborReaderState.ByteString => reader.ReadByteString(),
                CborReaderState.NegativeInteger or CborReaderState.UnsignedInteger => reader.ReadInt64(),
                _ => ReadArray(reader),
            };
        }

        return statement;
    }

    private static List<object> ReadArray(CborReader reader)
    {
        var list = new List<object>();
        var count = reader.ReadStartArray()!.Value;
        for (var i = 0; i < count; i++)
        {
            list.Add(reader.ReadByteString());
        }

        reader.ReadEndArray();
        return list;
    }

    private static byte[] RewriteStatement(byte[] attestationObject, string key, object value)
    {
        var reader = new CborReader(attestationObject);
        reader.ReadStartMap();
        reader.ReadTextString();
        var format = reader.ReadTextString();
        reader.ReadTextString();
        reader.SkipValue();
        reader.ReadTextString();
        var authData = reader.ReadByteString();
        var statement = ReadStatement(attestationObject);
        statement[key] = value;

        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartMap(3);
        writer.WriteTextString("fmt");
        writer.WriteTextString(format);
        writer.WriteTextString("attStmt");
        writer.WriteStartMap(statement.Count);
        foreach (var (name, item) in statement)
        {
            writer.WriteTextString(name);
            switch (item)
            {
                case string text:
                    writer.WriteTextString(text);
                    break;
                case byte[] bytes:
                    writer.WriteByteString(bytes);
                    break;
                case long or int:
                    writer.WriteInt64(Convert.ToInt64(item, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case List<object> array:
                    writer.WriteStartArray(array.Count);
                    foreach (var element in array)
                    {
                        writer.WriteByteString((byte[])element);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    throw new ArgumentException("Unsupported statement value.", nameof(value));
            }
        }

        writer.WriteEndMap();
        writer.WriteTextString("authData");
        writer.WriteByteString(authData);
        writer.WriteEndMap();
        return writer.Encode();
    }
}
