using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using SignatureService.Core.Qualification;
using SignatureService.Pki.Errors;
using SignatureService.Pki.Revocation;
using SignatureService.Pki.Tests.Support;
using SignatureService.Pki.Tests.XAdES;
using SignatureService.Testing.Fuzzing;
using Xunit.Abstractions;

namespace SignatureService.Pki.Tests.Revocation;

/// <summary>
/// The CRL reader and the revocation check at signing time: against the MEDIS sample's embedded CRLs (cross-checked field by field
/// with <c>openssl crl</c>), against CRLs from our own builder, and against mutated input.
/// </summary>
public sealed partial class CertificateRevocationListTests(TestPki pki, ITestOutputHelper output) : IClassFixture<TestPki>
{
    private static readonly DateTimeOffset ThisUpdate = TestPki.Epoch.AddDays(10);

    /// <summary>The SigningTime of the MEDIS prescription sample.</summary>
    private static readonly DateTimeOffset MedisSigningTime = new(2022, 9, 7, 8, 8, 1, TimeSpan.Zero);

    [GeneratedRegex(@"<xa:Encapsulated(CRLValue|X509Certificate)[^>]*>([^<]*)<", RegexOptions.CultureInvariant)]
    private static partial Regex EncapsulatedValue();

    private static (List<byte[]> Crls, List<X509Certificate2> Certificates) MedisValues()
    {
        var xml = System.Text.Encoding.UTF8.GetString(TestFiles.Read("Prescription-004_01.xml"));
        var crls = new List<byte[]>();
        var certificates = new List<X509Certificate2>();
        foreach (Match m in EncapsulatedValue().Matches(xml))
        {
            var der = Convert.FromBase64String(Regex.Replace(m.Groups[2].Value, @"\s", string.Empty));
            if (m.Groups[1].Value == "CRLValue")
            {
                crls.Add(der);
            }
            else
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(der));
            }
        }

        return (crls, certificates);
    }

    [Fact]
    public void Parse_MedisSampleCrls_AgreesWithOpenSsl()
    {
        var (crls, _) = MedisValues();
        Assert.Equal(3, crls.Count);
        using var dir = new TempDir();
        foreach (var der in crls)
        {
            var crl = CertificateRevocationList.Parse(der);
            var path = dir.Write("crl.der", der);
            var fields = OpenSsl.Run(dir.Path, "crl", "-inform", "DER", "-in", path, "-noout", "-lastupdate", "-nextupdate", "-crlnumber", "-hash");
            Assert.True(fields.ExitCode == 0, fields.All);
            var text = OpenSsl.Run(dir.Path, "crl", "-inform", "DER", "-in", path, "-noout", "-text").StdOut;

            Assert.Contains($"lastUpdate={OpenSslTime(crl.ThisUpdate)}", fields.StdOut, StringComparison.Ordinal);
            Assert.Contains($"nextUpdate={OpenSslTime(crl.NextUpdate!.Value)}", fields.StdOut, StringComparison.Ordinal);
            var number = Regex.Match(fields.StdOut, "crlNumber=0x([0-9A-Fa-f]+)").Groups[1].Value;
            Assert.Equal(BigInteger.Parse("0" + number, NumberStyles.HexNumber, CultureInfo.InvariantCulture), crl.CrlNumber);
            var openSslSerials = SerialLine().Matches(text).Select(m => BigInteger.Parse("0" + m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToHashSet();
            Assert.Equal(openSslSerials, crl.Entries.Select(e => e.SerialNumber).ToHashSet());
            Assert.Equal(text.Contains("Only CA Certificates", StringComparison.Ordinal) ? CrlScope.CaCertificates : CrlScope.All, crl.Scope);
        }
    }

    [GeneratedRegex(@"Serial Number: ([0-9A-F]+)", RegexOptions.CultureInvariant)]
    private static partial Regex SerialLine();

    private static string OpenSslTime(DateTimeOffset t) =>
        t.UtcDateTime.ToString("MMM ", CultureInfo.InvariantCulture) + t.UtcDateTime.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) +
        t.UtcDateTime.ToString(" HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture);

    [Fact]
    public void IsSignedBy_MedisCaCrl_OnlyByItsIssuerAndNotWhenTampered()
    {
        var (crls, certificates) = MedisValues();
        var ca = certificates.Single(c => c.Subject.Contains("MedisSignCA2", StringComparison.Ordinal));
        var root = certificates.Single(c => c.Subject.Contains("MHLW HPKI Root CA V2", StringComparison.Ordinal) && c.Subject == c.Issuer);
        var caCrl = crls.Select(d => CertificateRevocationList.Parse(d)).Single(c => c.Issuer.Name.Contains("MedisSignCA2", StringComparison.Ordinal));
        var arl = crls.Select(d => CertificateRevocationList.Parse(d)).Single(c => c.Scope == CrlScope.CaCertificates);

        Assert.True(caCrl.IsSignedBy(ca));
        Assert.False(caCrl.IsSignedBy(root));
        Assert.True(arl.IsSignedBy(root));
        Assert.False(arl.IsSignedBy(ca));

        var der = crls.First(d => CertificateRevocationList.Parse(d).Issuer.Name.Contains("MedisSignCA2", StringComparison.Ordinal)).ToArray();
        der[^40] ^= 0x01; // inside the signature value
        Assert.False(CertificateRevocationList.Parse(der).IsSignedBy(ca));
    }

    [Fact]
    public void Evaluate_MedisSignerAtSigningTime_IsGoodByTheCrlCurrentThen_AndTheCaIsGoodByTheArl()
    {
        var (der, certificates) = MedisValues();
        var crls = der.Select(d => CertificateRevocationList.Parse(d)).ToList();
        using var signer = TestData.Certificate("medis/doctor-signing.cer");

        var status = RevocationCheck.Evaluate(signer, MedisSigningTime, crls, certificates);
        var ca = Assert.IsType<X509Certificate2>(status.Issuer);
        var caStatus = RevocationCheck.Evaluate(ca, MedisSigningTime, crls, certificates);
        var afterExpiry = RevocationCheck.Evaluate(signer, MedisSigningTime.AddDays(30), crls, certificates);

        Assert.Equal(RevocationOutcome.Good, status.Outcome);
        Assert.Contains("current at", status.Detail, StringComparison.Ordinal);
        Assert.Contains("MedisSignCA2", ca.Subject, StringComparison.Ordinal);
        Assert.Equal(RevocationOutcome.Good, caStatus.Outcome);
        Assert.Equal(RevocationOutcome.Unknown, afterExpiry.Outcome);
    }

    [Fact]
    public void Parse_OurCrl_RoundTripsEntriesReasonsAndInvalidityDates()
    {
        using var key = RSA.Create(2048);
        using var revoked = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        using var held = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        var crl = CertificateRevocationList.Parse(CrlBuilder.Build(new CrlContent(77, ThisUpdate, ThisUpdate.AddDays(1),
        [
            new RevokedCertificate(revoked.SerialNumberBytes, ThisUpdate.AddHours(-3), RevocationReason.KeyCompromise, ThisUpdate.AddDays(-2)),
            new RevokedCertificate(held.SerialNumberBytes, ThisUpdate.AddHours(-1), RevocationReason.CertificateHold),
        ]), pki.SigningCa));

        Assert.Equal(77, (int)crl.CrlNumber!.Value);
        Assert.Equal(ThisUpdate, crl.ThisUpdate);
        Assert.Equal(ThisUpdate.AddDays(1), crl.NextUpdate);
        Assert.True(crl.IsSignedBy(pki.SigningCaCertificate));
        Assert.False(crl.IsSignedBy(pki.RootCertificate));
        Assert.Equal(RevocationReason.KeyCompromise, crl.Find(revoked)!.Reason);
        Assert.Equal(ThisUpdate.AddDays(-2), crl.Find(revoked)!.InvalidityDate);
        Assert.Equal(RevocationReason.CertificateHold, crl.Find(held)!.Reason);
        Assert.True(crl.Covers(revoked));
        Assert.False(crl.Covers(pki.SigningCaCertificate));
    }

    [Theory]
    [InlineData(-5, RevocationReason.KeyCompromise, RevocationOutcome.Revoked)]
    [InlineData(-5, RevocationReason.CertificateHold, RevocationOutcome.Revoked)]
    [InlineData(+5, RevocationReason.KeyCompromise, RevocationOutcome.Good)]
    public void Evaluate_OurCrlIssuedAfterSigning_DecidesByTheRevocationDate(int revokedMinutesFromSigning, RevocationReason reason, RevocationOutcome expected)
    {
        using var key = RSA.Create(2048);
        using var leaf = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        var signedAt = ThisUpdate.AddHours(-1);
        var crl = CertificateRevocationList.Parse(CrlBuilder.Build(new CrlContent(5, ThisUpdate, ThisUpdate.AddDays(1),
            [new RevokedCertificate(leaf.SerialNumberBytes, signedAt.AddMinutes(revokedMinutesFromSigning), reason)]), pki.SigningCa));

        var status = RevocationCheck.Evaluate(leaf, signedAt, [crl], [pki.SigningCaCertificate, pki.RootCertificate]);

        Assert.Equal(expected, status.Outcome);
    }

    [Fact]
    public void Evaluate_OnlyAStaleCrlOrAnUnknownIssuer_IsUnknown()
    {
        using var key = RSA.Create(2048);
        using var leaf = pki.IssueSigningCertificate(HcRole.MedicalDoctor, key);
        var stale = CertificateRevocationList.Parse(CrlBuilder.Build(new CrlContent(6, ThisUpdate, ThisUpdate.AddDays(1), []), pki.SigningCa));

        Assert.Equal(RevocationOutcome.Unknown, RevocationCheck.Evaluate(leaf, ThisUpdate.AddDays(2), [stale], [pki.SigningCaCertificate]).Outcome);
        Assert.Equal(RevocationOutcome.Unknown, RevocationCheck.Evaluate(leaf, ThisUpdate.AddHours(1), [stale], [pki.RootCertificate]).Outcome);
        Assert.Equal(RevocationOutcome.Good, RevocationCheck.Evaluate(leaf, ThisUpdate.AddHours(1), [stale], [pki.SigningCaCertificate]).Outcome);
    }

    [Fact]
    public void Parse_Pem_IsAcceptedLikeDer()
    {
        var der = CrlBuilder.Build(new CrlContent(8, ThisUpdate, ThisUpdate.AddDays(1), []), pki.SigningCa);
        var pem = System.Text.Encoding.ASCII.GetBytes(new string(PemEncoding.Write("X509 CRL", der)));

        Assert.Equal(8, (int)CertificateRevocationList.Parse(pem).CrlNumber!.Value);
        Assert.Equal(PkiErrorCodes.MalformedEncoding, Assert.Throws<PkiException>(() =>
            CertificateRevocationList.Parse(System.Text.Encoding.ASCII.GetBytes(new string(PemEncoding.Write("CERTIFICATE", der))))).Code);
    }

    [Fact]
    public void Parse_MutatedAndHostile_ThrowsOnlyPkiErrors()
    {
        var (medis, _) = MedisValues();
        byte[][] seeds = [.. medis, CrlBuilder.Build(new CrlContent(9, ThisUpdate, ThisUpdate.AddDays(1), []), pki.SigningCa)];
        byte[][] hostiles = [.. HostileCorpus.HugeDeclaredSizes(), HostileCorpus.DerDepthBomb(64), HostileCorpus.DerDepthBomb(5_000), [0x30, 0x00], [0x2D]];
        var inputs = new Mutator(Fuzz.Seed + 7).Corpus(seeds, Fuzz.Iterations(4000))
            .Concat(hostiles.Select((h, i) => new FuzzInput(-1 - i, "hostile", h)));

        var report = Fuzz.Run("CRL reader", Fuzz.Seed + 7, inputs, data =>
        {
            var crl = CertificateRevocationList.Parse(data);
            _ = crl.IsSignedBy(pki.SigningCaCertificate);
            return "accepted";
        }, ex => ex is PkiException p ? p.Code : null);
        output.WriteLine(report.ToString());

        Assert.True(report["accepted"] >= seeds.Length, report.ToString());
        Assert.True(report[PkiErrorCodes.MalformedEncoding] > 0, report.ToString());
    }
}
