using System.Formats.Asn1;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using SignatureService.Pki.Certificates;
using SignatureService.Pki.Errors;
using SignatureService.Pki.Tests.Support;
using SignatureService.Pki.Timestamping;

namespace SignatureService.Pki.Tests.Timestamping;

public sealed class TimestampAuthorityTests(TestPki pki) : IClassFixture<TestPki>
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 3, 4, 5, TimeSpan.Zero);
    private static readonly string AtTime = Now.AddMinutes(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private sealed class CountingSerials : ITimestampSerialNumberGenerator
    {
        private long _next = 1000;

        public BigInteger NextSerialNumber() => Interlocked.Increment(ref _next);
    }

    private TimestampAuthority Tsa(TimestampAuthorityOptions? options = null) =>
        new(pki.TsaCertificate, pki.TsaKey, new CountingSerials(), new FakeTimeProvider(Now), options);

    private static string Query(TempDir dir, byte[] data, params string[] options)
    {
        var dataPath = dir.Write("data.bin", data);
        var result = OpenSsl.Run(dir.Path, ["ts", "-query", "-data", dataPath, .. options, "-out", dir.File("req.tsq")]);
        Assert.True(result.ExitCode == 0, result.All);
        return dir.File("req.tsq");
    }

    private OpenSsl.Result Verify(TempDir dir, string responsePath, bool withTsaCertificate = false)
    {
        var untrusted = dir.File("untrusted.pem");
        File.WriteAllText(untrusted, pki.SigningCaCertificate.ExportCertificatePem() + "\n" +
            (withTsaCertificate ? pki.TsaCertificate.ExportCertificatePem() + "\n" : string.Empty));
        return OpenSsl.Run(dir.Path, "ts", "-verify", "-in", responsePath, "-data", dir.File("data.bin"),
            "-CAfile", dir.WritePem("root.pem", pki.RootCertificate), "-untrusted", untrusted, "-attime", AtTime);
    }

    [Theory]
    [InlineData("-sha256")]
    [InlineData("-sha384")]
    [InlineData("-sha512")]
    public void Respond_OpenSslQueryWithCertReq_OpenSslTsVerifyPasses(string digest)
    {
        using var dir = new TempDir();
        var request = Query(dir, "prescription bytes"u8.ToArray(), digest, "-cert");

        var response = Tsa().Respond(File.ReadAllBytes(request));
        var responsePath = dir.Write("resp.tsr", response.Encoded);
        var verify = Verify(dir, responsePath);
        var text = OpenSsl.Run(dir.Path, "ts", "-reply", "-in", responsePath, "-text").All;

        Assert.Equal(PkiStatus.Granted, response.Status);
        Assert.True(verify.ExitCode == 0, verify.All);
        Assert.Contains("Verification: OK", verify.All, StringComparison.Ordinal);
        Assert.Contains("Status: Granted.", text, StringComparison.Ordinal);
        Assert.Contains("Policy OID: " + HpkiPolicyOids.TimestampPolicy, text, StringComparison.Ordinal);
        Assert.Contains("Serial number: 0x03E9", text, StringComparison.Ordinal);
        Assert.Contains("Time stamp: May  1 03:04:05 2026 GMT", text, StringComparison.Ordinal);
        Assert.Contains("Accuracy: 0x01 seconds, unspecified millis, unspecified micros", text, StringComparison.Ordinal);
        Assert.Matches(@"Nonce: 0x[0-9A-F]+", text);
    }

    [Fact]
    public void Respond_OpenSslQueryWithoutCertReq_TokenOmitsCertificateAndVerifiesWithUntrustedTsaCert()
    {
        using var dir = new TempDir();
        var request = Query(dir, "death certificate"u8.ToArray(), "-sha256", "-no_nonce");

        var response = Tsa().Respond(File.ReadAllBytes(request));
        var responsePath = dir.Write("resp.tsr", response.Encoded);
        var withoutCert = Verify(dir, responsePath);
        var withCert = Verify(dir, responsePath, withTsaCertificate: true);

        Assert.Equal(PkiStatus.Granted, response.Status);
        Assert.NotEqual(0, withoutCert.ExitCode);
        Assert.True(withCert.ExitCode == 0, withCert.All);
    }

    [Fact]
    public void Respond_TamperedData_OpenSslTsVerifyFails()
    {
        using var dir = new TempDir();
        var request = Query(dir, "original"u8.ToArray(), "-sha256", "-cert");
        var response = Tsa().Respond(File.ReadAllBytes(request));
        var responsePath = dir.Write("resp.tsr", response.Encoded);
        dir.Write("data.bin", "tampered"u8.ToArray());

        var verify = Verify(dir, responsePath);

        Assert.NotEqual(0, verify.ExitCode);
    }

    [Fact]
    public void Respond_Token_HasTstInfoContentTypeAndSigningCertificateV2()
    {
        using var dir = new TempDir();
        var request = Query(dir, "x"u8.ToArray(), "-sha256", "-cert");

        var response = Tsa().Respond(File.ReadAllBytes(request));
        var tokenPath = dir.Write("resp.tsr", response.Encoded);
        var cms = OpenSsl.Run(dir.Path, "ts", "-reply", "-in", tokenPath, "-token_out", "-out", dir.File("token.der"));
        var printed = OpenSsl.Run(dir.Path, "cms", "-cmsout", "-print", "-inform", "DER", "-in", dir.File("token.der")).All;

        Assert.True(cms.ExitCode == 0, cms.All);
        Assert.Contains("eContentType: id-smime-ct-TSTInfo", printed, StringComparison.Ordinal);
        Assert.Contains("id-smime-aa-signingCertificateV2", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void Respond_UnofferedPolicy_RejectsWithUnacceptedPolicy()
    {
        using var dir = new TempDir();
        var request = Query(dir, "x"u8.ToArray(), "-sha256", "-tspolicy", "1.2.3.4.5");

        var response = Tsa().Respond(File.ReadAllBytes(request));
        var text = OpenSsl.Run(dir.Path, "ts", "-reply", "-in", dir.Write("resp.tsr", response.Encoded), "-text").All;

        Assert.Equal(PkiStatus.Rejection, response.Status);
        Assert.Equal(PkiFailureInfo.UnacceptedPolicy, response.FailureInfo);
        Assert.Contains("Status: Rejected.", text, StringComparison.Ordinal);
        Assert.Contains("Failure info: the requested TSA policy is not supported", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Respond_AdditionalPolicyRequested_IsGrantedUnderThatPolicy()
    {
        using var dir = new TempDir();
        var request = Query(dir, "x"u8.ToArray(), "-sha256", "-tspolicy", "1.2.3.4.5");

        var response = Tsa(new TimestampAuthorityOptions { AdditionalPolicies = ["1.2.3.4.5"] }).Respond(File.ReadAllBytes(request));
        var text = OpenSsl.Run(dir.Path, "ts", "-reply", "-in", dir.Write("resp.tsr", response.Encoded), "-text").All;

        Assert.Equal(PkiStatus.Granted, response.Status);
        Assert.Contains("Policy OID: 1.2.3.4.5", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Respond_MillisecondAccuracyAndTsaName_OpenSslShowsThem()
    {
        using var dir = new TempDir();
        var request = Query(dir, "x"u8.ToArray(), "-sha256", "-cert");

        var response = Tsa(new TimestampAuthorityOptions { Accuracy = TimeSpan.FromMilliseconds(1500), IncludeTsaName = true })
            .Respond(File.ReadAllBytes(request));
        var text = OpenSsl.Run(dir.Path, "ts", "-reply", "-in", dir.Write("resp.tsr", response.Encoded), "-text").All;

        Assert.Contains("Accuracy: 0x01 seconds, 0x01F4 millis, unspecified micros", text, StringComparison.Ordinal);
        Assert.Contains("TSA: DirName:", text, StringComparison.Ordinal);
        Assert.Contains("Test TSA", text, StringComparison.Ordinal);
        Assert.Equal(0, Verify(dir, dir.File("resp.tsr")).ExitCode);
    }

    [Fact]
    public void Respond_Sha1Imprint_RejectsWithBadAlg()
    {
        using var dir = new TempDir();
        var request = Query(dir, "x"u8.ToArray(), "-sha1");

        var response = Tsa().Respond(File.ReadAllBytes(request));
        var text = OpenSsl.Run(dir.Path, "ts", "-reply", "-in", dir.Write("resp.tsr", response.Encoded), "-text").All;

        Assert.Equal(PkiFailureInfo.BadAlg, response.FailureInfo);
        Assert.Contains("Failure info: unrecognized or unsupported algorithm identifier", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Respond_Version2_RejectsWithBadRequest()
    {
        var response = Tsa().Respond(EncodeRequest(version: 2));

        Assert.Equal(PkiStatus.Rejection, response.Status);
        Assert.Equal(PkiFailureInfo.BadRequest, response.FailureInfo);
    }

    [Fact]
    public void Respond_RequestExtensions_RejectsWithUnacceptedExtension()
    {
        var response = Tsa().Respond(EncodeRequest(withExtension: true));

        Assert.Equal(PkiFailureInfo.UnacceptedExtension, response.FailureInfo);
    }

    [Fact]
    public void Respond_WrongImprintLength_RejectsWithBadDataFormat()
    {
        var response = Tsa().Respond(EncodeRequest(imprintLength: 31));

        Assert.Equal(PkiFailureInfo.BadDataFormat, response.FailureInfo);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("3000")]
    [InlineData("3084FFFFFFFF020101")]
    [InlineData("3080020101300D06096086480165030402010500040000000000")]
    public void Respond_Garbage_RejectsWithBadDataFormatReadableByOpenSsl(string hex)
    {
        using var dir = new TempDir();

        var response = Tsa().Respond(Convert.FromHexString(hex));
        var text = OpenSsl.Run(dir.Path, "ts", "-reply", "-in", dir.Write("resp.tsr", response.Encoded), "-text").All;

        Assert.Equal(PkiStatus.Rejection, response.Status);
        Assert.Equal(PkiFailureInfo.BadDataFormat, response.FailureInfo);
        Assert.Contains("Failure info: the data submitted has the wrong format", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Respond_TruncatedAndMutatedRequests_AlwaysAnswerWithoutException()
    {
        var valid = EncodeRequest();
        var tsa = Tsa();
        for (var length = 0; length < valid.Length; length++)
        {
            Assert.Equal(PkiStatus.Rejection, tsa.Respond(valid.AsMemory(0, length)).Status);
        }

        var random = new Random(3161);
        for (var i = 0; i < 300; i++)
        {
            var mutated = (byte[])valid.Clone();
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            var response = tsa.Respond(mutated);
            Assert.NotEmpty(response.Encoded);
        }

        Assert.Equal(PkiStatus.Rejection, tsa.Respond(new byte[TimeStampRequestParser.MaxRequestLength + 1]).Status);
    }

    [Fact]
    public void Respond_TwoRequests_UseDistinctSerialNumbers()
    {
        var tsa = Tsa();
        var data = "same"u8.ToArray();
        var first = TimestampClient.CreateRequest(data, HashAlgorithmName.SHA256);
        var second = TimestampClient.CreateRequest(data, HashAlgorithmName.SHA256);

        var (_, a) = TimestampClient.ValidateResponse(first, tsa.Respond(first.Encode()).Encoded, data);
        var (_, b) = TimestampClient.ValidateResponse(second, tsa.Respond(second.Encode()).Encoded, data);

        Assert.NotEqual(a.TokenInfo.GetSerialNumber().ToArray(), b.TokenInfo.GetSerialNumber().ToArray());
    }

    [Fact]
    public async Task LocalTimestampAuthority_TimestampAsync_ReturnsTokenOpenSslVerifies()
    {
        var data = "<ds:SignatureValue>...</ds:SignatureValue>"u8.ToArray();
        var authority = new LocalTimestampAuthority(Tsa(new TimestampAuthorityOptions { IncludeTsaName = true }));

        var token = await authority.TimestampAsync(data, HashAlgorithmName.SHA256, CancellationToken.None);
        using var dir = new TempDir();
        dir.Write("data.bin", data);
        var untrusted = dir.File("untrusted.pem");
        File.WriteAllText(untrusted, pki.SigningCaCertificate.ExportCertificatePem() + "\n");
        var verify = OpenSsl.Run(dir.Path, "ts", "-verify", "-token_in", "-in", dir.Write("token.der", token), "-data", dir.File("data.bin"),
            "-CAfile", dir.WritePem("root.pem", pki.RootCertificate), "-untrusted", untrusted, "-attime", AtTime);

        Assert.True(verify.ExitCode == 0, verify.All);
        Assert.True(Rfc3161TimestampToken.TryDecode(token, out var decoded, out var consumed));
        Assert.Equal(token.Length, consumed);
        Assert.Equal(Now, decoded.TokenInfo.Timestamp);
        Assert.Equal(HpkiPolicyOids.TimestampPolicy, decoded.TokenInfo.PolicyId.Value);
        Assert.NotNull(decoded.TokenInfo.GetTimestampAuthorityName());
    }

    [Fact]
    public async Task LocalTimestampAuthority_Sha1_ThrowsUnsupportedAlgorithm()
    {
        var authority = new LocalTimestampAuthority(Tsa());

        var ex = await Assert.ThrowsAsync<PkiException>(() => authority.TimestampAsync(new byte[] { 1 }, HashAlgorithmName.SHA1, CancellationToken.None));

        Assert.Equal(PkiErrorCodes.UnsupportedAlgorithm, ex.Code);
    }

    [Fact]
    public void ValidateResponse_ResponseForOtherData_ThrowsTimestampRejected()
    {
        var tsa = Tsa();
        var request = TimestampClient.CreateRequest("a"u8, HashAlgorithmName.SHA256);
        var otherRequest = TimestampClient.CreateRequest("b"u8, HashAlgorithmName.SHA256);
        var otherResponse = tsa.Respond(otherRequest.Encode()).Encoded;

        var ex = Assert.Throws<PkiException>(() => TimestampClient.ValidateResponse(request, otherResponse, "a"u8));

        Assert.Equal(PkiErrorCodes.TimestampRejected, ex.Code);
    }

    [Fact]
    public void ValidateResponse_Rejection_ThrowsTimestampRejected()
    {
        var request = TimestampClient.CreateRequest("a"u8, HashAlgorithmName.SHA256);

        var ex = Assert.Throws<PkiException>(() =>
            TimestampClient.ValidateResponse(request, TimestampAuthority.Reject(PkiFailureInfo.SystemFailure).Encoded, "a"u8));

        Assert.Equal(PkiErrorCodes.TimestampRejected, ex.Code);
    }

    [Fact]
    public async Task LocalTimestampAuthority_KeyNotMatchingCertificate_ThrowsTimestampRejected()
    {
        // The in-process client skips re-verifying the token because the TSA verifies each signature as it makes it.
        using var otherKey = RSA.Create(2048);
        var tsa = new TimestampAuthority(pki.TsaCertificate, otherKey, new CountingSerials(), new FakeTimeProvider(Now));

        var response = tsa.Respond(TimestampClient.CreateRequest("a"u8, HashAlgorithmName.SHA256).Encode());
        var ex = await Assert.ThrowsAsync<PkiException>(() => new LocalTimestampAuthority(tsa).TimestampAsync("a"u8.ToArray(), HashAlgorithmName.SHA256, CancellationToken.None));

        Assert.True(tsa.VerifiesOwnSignatures);
        Assert.Equal(PkiStatus.Rejection, response.Status);
        Assert.Equal(PkiFailureInfo.SystemFailure, response.FailureInfo);
        Assert.Equal(PkiErrorCodes.TimestampRejected, ex.Code);
    }

    [Fact]
    public void TimestampTokenContent_TokenAndTrailingBytes_DecodesOnlyTheExactToken()
    {
        var request = TimestampClient.CreateRequest("a"u8, HashAlgorithmName.SHA256);
        var (token, _) = TimestampClient.ValidateResponse(request, Tsa().Respond(request.Encode()).Encoded, "a"u8);

        Assert.True(TimestampTokenContent.TryDecodeInfo(token, out var info));
        Assert.Equal(SHA256.HashData("a"u8), info!.GetMessageHash().ToArray());
        Assert.False(TimestampTokenContent.TryDecodeInfo(token.Append((byte)0).ToArray(), out _));
        Assert.False(TimestampTokenContent.TryDecodeInfo(token.AsMemory(0, token.Length - 1), out _));
        Assert.False(TimestampTokenContent.TryDecodeInfo(pki.TsaCertificate.RawData, out _));
    }

    [Fact]
    public void Constructor_CertificateWithoutTimestampingEku_ThrowsInvalidProfile()
    {
        var ex = Assert.Throws<PkiException>(() =>
            new TimestampAuthority(pki.OcspCertificate, pki.OcspKey, new CountingSerials(), TimeProvider.System));

        Assert.Equal(PkiErrorCodes.InvalidProfile, ex.Code);
    }

    private static byte[] EncodeRequest(int version = 1, bool withExtension = false, int imprintLength = 32)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(version);
            using (writer.PushSequence())
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("2.16.840.1.101.3.4.2.1");
                    writer.WriteNull();
                }

                writer.WriteOctetString(new byte[imprintLength]);
            }

            writer.WriteInteger(12345);
            writer.WriteBoolean(true);
            if (withExtension)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("1.2.3.4");
                    writer.WriteOctetString([0x05, 0x00]);
                }
            }
        }

        return writer.Encode();
    }
}
