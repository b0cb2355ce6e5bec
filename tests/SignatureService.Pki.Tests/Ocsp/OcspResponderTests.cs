using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Core.Qualification;
using SignatureService.Pki.Certificates;
using SignatureService.Pki.Errors;
using SignatureService.Pki.Ocsp;
using SignatureService.Pki.Revocation;
using SignatureService.Pki.Tests.Support;

// RFC 6960 CertIDs and responder key hashes are SHA-1 by definition.
#pragma warning disable CA5350

namespace SignatureService.Pki.Tests.Ocsp;

public sealed class OcspResponderTests(TestPki pki) : IClassFixture<TestPki>
{
    private static readonly DateTimeOffset Now = TestPki.Epoch.AddDays(20);
    private static readonly string AtTime = Now.AddMinutes(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private sealed class DictionaryLookup : ICertificateStatusLookup
    {
        public Dictionary<string, CertificateStatus> Statuses { get; } = new(StringComparer.Ordinal);

        public Exception? Failure { get; init; }

        public ValueTask<CertificateStatus> GetStatusAsync(X509Certificate2 issuer, ReadOnlyMemory<byte> serialNumber, CancellationToken cancellationToken)
        {
            if (Failure is not null)
            {
                throw Failure;
            }

            return ValueTask.FromResult(Statuses.GetValueOrDefault(Convert.ToHexString(serialNumber.Span), CertificateStatus.Unknown));
        }
    }

    private OcspResponder Responder(DictionaryLookup lookup) =>
        new([new OcspAuthority(pki.SigningCaCertificate, IssuerCredential.FromRsa(pki.OcspCertificate, pki.OcspKey))],
            lookup, new FakeTimeProvider(Now));

    private static string OpenSslRequest(TempDir dir, string issuerPem, string digest, bool nonce, params string[] certPems)
    {
        var args = new List<string> { "ocsp", "-issuer", issuerPem, "-reqout", dir.File("req.der"), "-" + digest, nonce ? "-nonce" : "-no_nonce" };
        foreach (var cert in certPems)
        {
            args.Add("-cert");
            args.Add(cert);
        }

        var result = OpenSsl.Run(dir.Path, [.. args]);
        Assert.True(result.ExitCode == 0, result.All);
        return dir.File("req.der");
    }

    private OpenSsl.Result OpenSslReadResponse(TempDir dir, string requestPath, byte[] response) =>
        OpenSsl.Run(dir.Path, "ocsp", "-reqin", requestPath, "-respin", dir.Write("resp.der", response),
            "-CAfile", dir.WritePem("root.pem", pki.RootCertificate), "-verify_other", dir.WritePem("ca.pem", pki.SigningCaCertificate),
            "-attime", AtTime, "-resp_text");

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task RespondAsync_OpenSslRequestForGoodRevokedUnknown_OpenSslVerifiesStatusesAndNonce(string digest)
    {
        using var key = RSA.Create(2048);
        using var good = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        using var revoked = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        using var unknown = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        var lookup = new DictionaryLookup();
        lookup.Statuses[good.SerialNumber] = CertificateStatus.Good;
        lookup.Statuses[revoked.SerialNumber] = CertificateStatus.Revoked(Now.AddDays(-2), RevocationReason.KeyCompromise);
        using var dir = new TempDir();
        var request = OpenSslRequest(dir, dir.WritePem("issuer.pem", pki.SigningCaCertificate), digest, nonce: true,
            dir.WritePem("good.pem", good), dir.WritePem("revoked.pem", revoked), dir.WritePem("unknown.pem", unknown));

        var response = await Responder(lookup).RespondAsync(File.ReadAllBytes(request), CancellationToken.None);
        var text = OpenSslReadResponse(dir, request, response.Encoded);

        Assert.Equal(OcspResponseStatus.Successful, response.Status);
        Assert.True(text.ExitCode == 0, text.All);
        Assert.Contains("Response verify OK", text.All, StringComparison.Ordinal);
        Assert.Contains("OCSP Response Status: successful (0x0)", text.All, StringComparison.Ordinal);
        Assert.Contains("Responder Id: " + Convert.ToHexString(SHA1.HashData(pki.OcspCertificate.PublicKey.EncodedKeyValue.RawData)), text.All, StringComparison.Ordinal);
        Assert.Contains("OCSP Nonce", text.All, StringComparison.Ordinal);
        Assert.DoesNotContain("Nonce Verify error", text.All, StringComparison.Ordinal);
        Assert.DoesNotContain("WARNING", text.All, StringComparison.Ordinal);
        var statuses = System.Text.RegularExpressions.Regex.Matches(text.All, @"Cert Status: (\w+)").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(["good", "revoked", "unknown"], statuses);
        Assert.Contains("Revocation Reason: keyCompromise (0x1)", text.All, StringComparison.Ordinal);
        Assert.Contains("Hash Algorithm: " + digest, text.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RespondAsync_OpenSslRequest_OpenSslSummaryReportsStatusByCertificate()
    {
        using var key = RSA.Create(2048);
        using var revoked = pki.IssueSigningCertificate(HcRole.Pharmacist, key);
        var lookup = new DictionaryLookup();
        lookup.Statuses[revoked.SerialNumber] = CertificateStatus.Revoked(Now.AddHours(-3), RevocationReason.CertificateHold);
        using var dir = new TempDir();
        var issuer = dir.WritePem("issuer.pem", pki.SigningCaCertificate);
        var certPath = dir.WritePem("revoked.pem", revoked);
        var request = OpenSslRequest(dir, issuer, "sha256", nonce: true, certPath);

        var response = await Responder(lookup).RespondAsync(File.ReadAllBytes(request), CancellationToken.None);
        var summary = OpenSsl.Run(dir.Path, "ocsp", "-respin", dir.Write("resp.der", response.Encoded), "-sha256", "-issuer", issuer, "-cert", certPath,
            "-VAfile", dir.WritePem("ocsp.pem", pki.OcspCertificate), "-attime", AtTime, "-no_nonce",
            // Note: openssl checks thisUpdate/nextUpdate against the real clock, not -attime; the test PKI lives in 2026.
            "-validity_period", "999999999");

        Assert.Contains("Response verify OK", summary.All, StringComparison.Ordinal);
        Assert.Contains(certPath + ": revoked", summary.All, StringComparison.Ordinal);
        Assert.Contains("Reason: certificateHold", summary.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RespondAsync_RequestWithNonce_EchoesNonceBytes()
    {
        using var key = RSA.Create(2048);
        using var good = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        using var dir = new TempDir();
        var request = File.ReadAllBytes(OpenSslRequest(dir, dir.WritePem("issuer.pem", pki.SigningCaCertificate), "sha1", nonce: true, dir.WritePem("c.pem", good)));
        var requestNonce = OcspRequestParser.Parse(request).Nonce;

        var response = await Responder(new DictionaryLookup()).RespondAsync(request, CancellationToken.None);

        Assert.NotNull(requestNonce);
        Assert.Equal(18, requestNonce.Value.Length);
        Assert.True(response.Encoded.AsSpan().IndexOf(requestNonce.Value.Span) > 0);
    }

    [Fact]
    public void Parse_OpenSslRequestWithTwoCertificates_ReadsBothCertIds()
    {
        using var key = RSA.Create(2048);
        using var first = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        using var second = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        using var dir = new TempDir();
        var request = OpenSslRequest(dir, dir.WritePem("issuer.pem", pki.SigningCaCertificate), "sha256", nonce: false,
            dir.WritePem("a.pem", first), dir.WritePem("b.pem", second));

        var parsed = OcspRequestParser.Parse(File.ReadAllBytes(request));

        Assert.Null(parsed.Nonce);
        Assert.Equal([first.SerialNumber, second.SerialNumber], parsed.CertIds.Select(c => Convert.ToHexString(c.SerialNumber.Span)));
        Assert.All(parsed.CertIds, c => Assert.Equal(HashAlgorithmName.SHA256, c.HashAlgorithm));
        Assert.Equal(SHA256.HashData(pki.SigningCaCertificate.SubjectName.RawData), parsed.CertIds[0].IssuerNameHash.ToArray());
    }

    [Fact]
    public async Task RespondAsync_IssuerNotOurs_ReturnsUnauthorizedReadableByOpenSsl()
    {
        using var key = RSA.Create(2048);
        using var authCert = pki.Builder.CreateAuthenticationCertificate(
            new AuthenticationCertificateProfile(TestPki.Doctor(), new RevocationEndpoints(TestPki.CrlUrl)), new PublicKey(key), pki.AuthCa);
        using var dir = new TempDir();
        var request = OpenSslRequest(dir, dir.WritePem("issuer.pem", pki.AuthCaCertificate), "sha1", nonce: true, dir.WritePem("a.pem", authCert));

        var response = await Responder(new DictionaryLookup()).RespondAsync(File.ReadAllBytes(request), CancellationToken.None);
        var text = OpenSsl.Run(dir.Path, "ocsp", "-respin", dir.Write("resp.der", response.Encoded), "-resp_text", "-noverify");

        Assert.Equal(OcspResponseStatus.Unauthorized, response.Status);
        Assert.Contains("Responder Error: unauthorized (6)", text.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RespondAsync_MixedIssuers_ReturnsUnauthorized()
    {
        using var key = RSA.Create(2048);
        using var ours = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        using var dir = new TempDir();
        var ourRequest = OcspRequestParser.Parse(File.ReadAllBytes(
            OpenSslRequest(dir, dir.WritePem("issuer.pem", pki.SigningCaCertificate), "sha1", nonce: false, dir.WritePem("a.pem", ours))));
        var foreignCertId = ForgeCertId(pki.AuthCaCertificate, ours.SerialNumberBytes.ToArray());
        var mixed = EncodeRequest([ourRequest.CertIds[0].Encoded.ToArray(), foreignCertId]);

        var response = await Responder(new DictionaryLookup()).RespondAsync(mixed, CancellationToken.None);

        Assert.Equal(OcspResponseStatus.Unauthorized, response.Status);
    }

    [Fact]
    public async Task RespondAsync_LookupFails_ReturnsInternalError()
    {
        var request = EncodeRequest([ForgeCertId(pki.SigningCaCertificate, [0x42])]);
        var responder = Responder(new DictionaryLookup { Failure = new InvalidOperationException("database down") });

        var response = await responder.RespondAsync(request, CancellationToken.None);

        Assert.Equal(OcspResponseStatus.InternalError, response.Status);
        Assert.Equal(Convert.FromHexString("30030A0102"), response.Encoded);
    }

    [Fact]
    public async Task RespondAsync_OwnEncodedRequest_ReadByOpenSslReqText()
    {
        var request = EncodeRequest([ForgeCertId(pki.SigningCaCertificate, [0x42, 0x01])]);
        using var dir = new TempDir();

        var text = OpenSsl.Run(dir.Path, "ocsp", "-reqin", dir.Write("req.der", request), "-req_text");
        var response = await Responder(new DictionaryLookup()).RespondAsync(request, CancellationToken.None);

        Assert.Contains("Serial Number: 4201", text.All, StringComparison.Ordinal);
        Assert.Equal(OcspResponseStatus.Successful, response.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("3000")]
    [InlineData("30023000")] // empty requestList
    [InlineData("3084FFFFFFFF3000")] // huge length
    [InlineData("3080300030000000")] // indefinite length (BER)
    [InlineData("308201")] // truncated
    public async Task RespondAsync_Garbage_ReturnsMalformedRequest(string hex)
    {
        var response = await Responder(new DictionaryLookup()).RespondAsync(Convert.FromHexString(hex), CancellationToken.None);

        Assert.Equal(OcspResponseStatus.MalformedRequest, response.Status);
        Assert.Equal(Convert.FromHexString("30030A0101"), response.Encoded);
    }

    [Fact]
    public async Task RespondAsync_TruncatedAndRandomInputs_AlwaysAnswerWithoutException()
    {
        var valid = EncodeRequest([ForgeCertId(pki.SigningCaCertificate, [0x42])], nonce: [0x04, 0x02, 0xAB, 0xCD]);
        var responder = Responder(new DictionaryLookup());
        var random = new Random(6960);
        for (var length = 0; length < valid.Length; length++)
        {
            var response = await responder.RespondAsync(valid.AsMemory(0, length), CancellationToken.None);
            Assert.Equal(OcspResponseStatus.MalformedRequest, response.Status);
        }

        for (var i = 0; i < 500; i++)
        {
            var mutated = (byte[])valid.Clone();
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            var response = await responder.RespondAsync(mutated, CancellationToken.None);
            Assert.True(Enum.IsDefined(response.Status));
            Assert.NotEmpty(response.Encoded);
        }
    }

    [Fact]
    public async Task RespondAsync_OverSizeLimit_ReturnsMalformedRequest()
    {
        var response = await Responder(new DictionaryLookup()).RespondAsync(new byte[OcspRequestParser.MaxRequestLength + 1], CancellationToken.None);

        Assert.Equal(OcspResponseStatus.MalformedRequest, response.Status);
    }

    [Fact]
    public void Parse_UnsupportedHash_ThrowsUnsupportedAlgorithm()
    {
        var certId = ForgeCertId(pki.SigningCaCertificate, [1], hashOid: "1.2.840.113549.2.5", hashLength: 16); // MD5

        var ex = Assert.Throws<PkiException>(() => OcspRequestParser.Parse(EncodeRequest([certId])));

        Assert.Equal(PkiErrorCodes.UnsupportedAlgorithm, ex.Code);
    }

    [Fact]
    public void Parse_TooLongNonce_ThrowsMalformedRequest()
    {
        var nonce = Der(w => w.WriteOctetString(new byte[33]));

        var ex = Assert.Throws<PkiException>(() => OcspRequestParser.Parse(EncodeRequest([ForgeCertId(pki.SigningCaCertificate, [1])], nonce)));

        Assert.Equal(PkiErrorCodes.MalformedRequest, ex.Code);
    }

    private static byte[] Der(Action<AsnWriter> write)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        write(writer);
        return writer.Encode();
    }

    private static byte[] ForgeCertId(X509Certificate2 issuer, byte[] serial, string hashOid = "1.3.14.3.2.26", int hashLength = 20) =>
        Der(w =>
        {
            using (w.PushSequence())
            {
                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier(hashOid);
                    w.WriteNull();
                }

                var sha1 = hashOid == "1.3.14.3.2.26";
                w.WriteOctetString(sha1 ? SHA1.HashData(issuer.SubjectName.RawData) : new byte[hashLength]);
                w.WriteOctetString(sha1 ? SHA1.HashData(issuer.PublicKey.EncodedKeyValue.RawData) : new byte[hashLength]);
                w.WriteInteger(serial);
            }
        });

    private static byte[] EncodeRequest(IEnumerable<byte[]> certIds, byte[]? nonce = null) =>
        Der(w =>
        {
            using (w.PushSequence())
            using (w.PushSequence())
            {
                using (w.PushSequence())
                {
                    foreach (var id in certIds)
                    {
                        using (w.PushSequence())
                        {
                            w.WriteEncodedValue(id);
                        }
                    }
                }

                if (nonce is not null)
                {
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2, isConstructed: true)))
                    using (w.PushSequence())
                    using (w.PushSequence())
                    {
                        w.WriteObjectIdentifier("1.3.6.1.5.5.7.48.1.2");
                        w.WriteOctetString(nonce);
                    }
                }
            }
        });
}

public sealed class OcspResponderConfigurationTests(TestPki pki) : IClassFixture<TestPki>
{
    private sealed class NoLookup : ICertificateStatusLookup
    {
        public ValueTask<CertificateStatus> GetStatusAsync(X509Certificate2 issuer, ReadOnlyMemory<byte> serialNumber, CancellationToken cancellationToken) =>
            throw new InvalidOperationException();
    }

    [Fact]
    public void Constructor_ResponderOfAnotherCa_ThrowsInvalidIssuer()
    {
        var ex = Assert.Throws<PkiException>(() => new OcspResponder(
            [new OcspAuthority(pki.AuthCaCertificate, IssuerCredential.FromRsa(pki.OcspCertificate, pki.OcspKey))], new NoLookup(), TimeProvider.System));

        Assert.Equal(PkiErrorCodes.InvalidIssuer, ex.Code);
    }

    [Fact]
    public void Constructor_CertificateWithoutOcspSigning_ThrowsInvalidIssuer()
    {
        var ex = Assert.Throws<PkiException>(() => new OcspResponder(
            [new OcspAuthority(pki.SigningCaCertificate, IssuerCredential.FromRsa(pki.TsaCertificate, pki.TsaKey))], new NoLookup(), TimeProvider.System));

        Assert.Equal(PkiErrorCodes.InvalidIssuer, ex.Code);
    }

    [Fact]
    public async Task RespondAsync_CaSignsItsOwnResponses_OpenSslVerifies()
    {
        using var key = RSA.Create(2048);
        using var certificate = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        var now = TestPki.Epoch.AddDays(3);
        var responder = new OcspResponder([new OcspAuthority(pki.RootCertificate, pki.Root), new OcspAuthority(pki.SigningCaCertificate, pki.SigningCa)],
            new GoodLookup(), new FakeTimeProvider(now), new OcspResponderOptions { ResponseValidity = null });
        using var dir = new TempDir();
        var issuer = dir.WritePem("issuer.pem", pki.SigningCaCertificate);
        var certPath = dir.WritePem("c.pem", certificate);
        Assert.Equal(0, OpenSsl.Run(dir.Path, "ocsp", "-issuer", issuer, "-cert", certPath, "-reqout", dir.File("req.der")).ExitCode);

        var response = await responder.RespondAsync(File.ReadAllBytes(dir.File("req.der")), CancellationToken.None);
        var result = OpenSsl.Run(dir.Path, "ocsp", "-respin", dir.Write("resp.der", response.Encoded),
            "-issuer", issuer, "-cert", certPath, "-no_nonce", "-CAfile", dir.WritePem("root.pem", pki.RootCertificate), "-verify_other", issuer,
            "-attime", now.AddMinutes(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), "-validity_period", "999999999", "-resp_text");

        Assert.Contains("Response verify OK", result.All, StringComparison.Ordinal);
        Assert.Contains(certPath + ": good", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("Next Update", result.All, StringComparison.Ordinal);
    }

    private sealed class GoodLookup : ICertificateStatusLookup
    {
        public ValueTask<CertificateStatus> GetStatusAsync(X509Certificate2 issuer, ReadOnlyMemory<byte> serialNumber, CancellationToken cancellationToken) =>
            ValueTask.FromResult(CertificateStatus.Good);
    }
}
