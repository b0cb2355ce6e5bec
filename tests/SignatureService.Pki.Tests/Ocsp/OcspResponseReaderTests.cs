using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Core.Qualification;
using SignatureService.Pki.Certificates;
using SignatureService.Pki.Errors;
using SignatureService.Pki.Ocsp;
using SignatureService.Pki.Revocation;
using SignatureService.Pki.Tests.Support;
using SignatureService.Testing.Fuzzing;
using Xunit.Abstractions;

namespace SignatureService.Pki.Tests.Ocsp;

/// <summary>
/// Reading OCSP responses for verification: responses from our responder (delegated responder certificate) are read back with
/// their status, cross-checked with <c>openssl ocsp -respin</c>, their signatures checked, and they decide revocation at a time
/// as the revocation check requires; mutated responses fail only with PKI errors.
/// </summary>
public sealed class OcspResponseReaderTests(TestPki pki, ITestOutputHelper output) : IClassFixture<TestPki>
{
    private static readonly DateTimeOffset Now = TestPki.Epoch.AddDays(20);

    private sealed class FixedLookup(CertificateStatus status) : ICertificateStatusLookup
    {
        public ValueTask<CertificateStatus> GetStatusAsync(X509Certificate2 issuer, ReadOnlyMemory<byte> serialNumber, CancellationToken cancellationToken) =>
            ValueTask.FromResult(status);
    }

    private byte[] Respond(X509Certificate2 leaf, CertificateStatus status, DateTimeOffset at)
    {
        var responder = new OcspResponder(
            [new OcspAuthority(pki.SigningCaCertificate, IssuerCredential.FromRsa(pki.OcspCertificate, pki.OcspKey))],
            new FixedLookup(status), new FakeTimeProvider(at));
        var response = responder.RespondAsync(Request(leaf), CancellationToken.None).GetAwaiter().GetResult();
        Assert.Equal(OcspResponseStatus.Successful, response.Status);
        return response.Encoded;
    }

    private byte[] Request(X509Certificate2 leaf)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        using (w.PushSequence())
        using (w.PushSequence())
        using (w.PushSequence())
        using (w.PushSequence())
        {
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier("2.16.840.1.101.3.4.2.1");
                w.WriteNull();
            }

            w.WriteOctetString(SHA256.HashData(pki.SigningCaCertificate.SubjectName.RawData));
            w.WriteOctetString(SHA256.HashData(pki.SigningCaCertificate.PublicKey.EncodedKeyValue.RawData));
            w.WriteInteger(leaf.SerialNumberBytes.Span);
        }

        return w.Encode();
    }

    [Fact]
    public void Parse_OurResponse_ReadsStatusAndTimesAsOpenSslDoes()
    {
        using var key = RSA.Create(2048);
        using var leaf = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        var der = Respond(leaf, CertificateStatus.Revoked(Now.AddHours(-2), RevocationReason.KeyCompromise), Now);
        using var dir = new TempDir();
        var text = OpenSsl.Run(dir.Path, "ocsp", "-respin", dir.Write("r.der", der), "-resp_text", "-noverify");

        var response = OcspResponseReader.Parse(der);

        Assert.True(text.ExitCode == 0, text.All);
        var single = Assert.Single(response.Responses);
        Assert.Equal(OcspCertStatus.Revoked, single.Status);
        Assert.Equal(RevocationReason.KeyCompromise, single.Reason);
        Assert.Contains("Cert Status: revoked", text.StdOut, StringComparison.Ordinal);
        Assert.Contains("Revocation Reason: keyCompromise", text.StdOut, StringComparison.Ordinal);
        Assert.Contains(Der(Now.AddHours(-2)), text.StdOut, StringComparison.Ordinal);
        Assert.Equal(Now, response.ProducedAt);
        Assert.Equal(Now, single.ThisUpdate);
        Assert.Equal(Now.AddHours(1), single.NextUpdate);
        Assert.True(single.IsFor(leaf, pki.SigningCaCertificate));
        Assert.False(single.IsFor(leaf, pki.RootCertificate));
    }

    private static string Der(DateTimeOffset t) =>
        t.UtcDateTime.ToString("MMM ", System.Globalization.CultureInfo.InvariantCulture) +
        t.UtcDateTime.Day.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(2) +
        t.UtcDateTime.ToString(" HH:mm:ss yyyy 'GMT'", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void IsSignedFor_DelegatedResponderOfTheCa_OnlyForThatCaAndNotWhenTampered()
    {
        using var key = RSA.Create(2048);
        using var leaf = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        var der = Respond(leaf, CertificateStatus.Good, Now);

        Assert.True(OcspResponseReader.Parse(der).IsSignedFor(pki.SigningCaCertificate));
        Assert.False(OcspResponseReader.Parse(der).IsSignedFor(pki.AuthCaCertificate));
        der[^300] ^= 0x01; // inside the signature value, before the responder certificate
        var tampered = OcspResponseReader.Parse(der);
        Assert.False(tampered.IsSignedFor(pki.SigningCaCertificate));
    }

    [Theory]
    [InlineData("good", 0, RevocationOutcome.Good)]
    [InlineData("good", 90, RevocationOutcome.Good)]
    [InlineData("good", -90, RevocationOutcome.Unknown)]
    [InlineData("revoked-before", 0, RevocationOutcome.Revoked)]
    [InlineData("revoked-after", 0, RevocationOutcome.Good)]
    public void Evaluate_OcspOnly_DecidesByTheResponseTimes(string status, int responseMinutesFromSigning, RevocationOutcome expected)
    {
        using var key = RSA.Create(2048);
        using var leaf = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        var signedAt = Now.AddMinutes(-30);
        var answer = status switch
        {
            "good" => CertificateStatus.Good,
            "revoked-before" => CertificateStatus.Revoked(signedAt.AddMinutes(-1), RevocationReason.KeyCompromise),
            _ => CertificateStatus.Revoked(signedAt.AddMinutes(+1), RevocationReason.KeyCompromise),
        };
        // A response produced at signing time + offset; valid for an hour (the responder's default).
        var response = OcspResponseReader.Parse(Respond(leaf, answer, signedAt.AddMinutes(responseMinutesFromSigning)));

        var result = RevocationCheck.Evaluate(leaf, signedAt, [], [response], [pki.SigningCaCertificate, pki.RootCertificate]);

        Assert.Equal(expected, result.Outcome);
    }

    [Fact]
    public void Evaluate_CrlGoodButOcspRevokedBeforeSigning_IsRevoked()
    {
        using var key = RSA.Create(2048);
        using var leaf = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        var signedAt = Now.AddMinutes(-30);
        var crl = CertificateRevocationList.Parse(CrlBuilder.Build(new CrlContent(3, signedAt.AddMinutes(-10), signedAt.AddDays(1), []), pki.SigningCa));
        var response = OcspResponseReader.Parse(Respond(leaf, CertificateStatus.Revoked(signedAt.AddMinutes(-5), RevocationReason.KeyCompromise), Now));

        Assert.Equal(RevocationOutcome.Good, RevocationCheck.Evaluate(leaf, signedAt, [crl], [], [pki.SigningCaCertificate]).Outcome);
        Assert.Equal(RevocationOutcome.Revoked, RevocationCheck.Evaluate(leaf, signedAt, [crl], [response], [pki.SigningCaCertificate]).Outcome);
    }

    [Fact]
    public void Parse_NotSuccessfulOrMutated_ThrowsOnlyPkiErrors()
    {
        using var key = RSA.Create(2048);
        using var leaf = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        byte[][] seeds = [Respond(leaf, CertificateStatus.Good, Now), Respond(leaf, CertificateStatus.Revoked(Now, RevocationReason.CertificateHold), Now)];
        Assert.Equal(PkiErrorCodes.MalformedEncoding,
            Assert.Throws<PkiException>(() => OcspResponseReader.Parse(OcspResponder.EncodeError(OcspResponseStatus.TryLater))).Code);

        var inputs = new Mutator(Fuzz.Seed + 8).Corpus(seeds, Fuzz.Iterations(3000));
        var report = Fuzz.Run("OCSP response reader", Fuzz.Seed + 8, inputs, data =>
        {
            var response = OcspResponseReader.Parse(data);
            _ = response.IsSignedFor(pki.SigningCaCertificate);
            return "accepted";
        }, ex => ex is PkiException p ? p.Code : null);
        output.WriteLine(report.ToString());

        Assert.True(report["accepted"] >= seeds.Length, report.ToString());
        Assert.True(report[PkiErrorCodes.MalformedEncoding] > 0, report.ToString());
    }
}
