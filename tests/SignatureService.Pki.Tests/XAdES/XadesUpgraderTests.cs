using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using SignatureService.Pki.XAdES;

namespace SignatureService.Pki.Tests.XAdES;

public sealed partial class XadesUpgraderTests(XadesTestPki pki) : IClassFixture<XadesTestPki>
{
    private readonly XadesSigner _signer = new(TimeProvider.System);

    private XadesUpgrader Upgrader => new(pki.TimestampSource);

    [Theory]
    [InlineData(XadesLevel.T)]
    [InlineData(XadesLevel.XL)]
    [InlineData(XadesLevel.A)]
    public async Task Upgrade_FromBes_OwnVerifierAcceptsEveryLevel(XadesLevel target)
    {
        var signed = await Upgrader.UpgradeAsync(Bes(), "PrescriptionSign", target, pki.Material, CancellationToken.None);

        var report = new XadesVerifier().Verify(signed);

        var signature = Assert.Single(report.Signatures);
        Assert.Equal(target, signature.Level);
        Assert.True(report.IsValid, Describe(signature));
        Assert.Equal(XadesCheckStatus.Passed, signature.Results(XadesCheckNames.SignatureTimestampImprint).Single().Status);
        Assert.Equal(XadesCheckStatus.Passed, signature.Results(XadesCheckNames.SignatureTimestampSignature).Single().Status);
        Assert.Equal(target >= XadesLevel.XL ? XadesCheckStatus.Passed : XadesCheckStatus.NotApplicable, signature.Results(XadesCheckNames.ValidationData).Single().Status);
        Assert.Equal(target == XadesLevel.A ? XadesCheckStatus.Passed : XadesCheckStatus.NotApplicable, signature.Results(XadesCheckNames.ArchiveTimestampImprint).Single().Status);
        Assert.Contains(signature.TimestampAuthorityCertificates, c => c.Thumbprint == pki.TsaCertificate.Thumbprint);
    }

    [Fact]
    public async Task UpgradeEsTToEsA_OwnVerifierAndXmlSec1Accept()
    {
        var esT = await Upgrader.AddSignatureTimestampAsync(Bes(), "PrescriptionSign", CancellationToken.None);

        var esA = await Upgrader.UpgradeAsync(esT, "PrescriptionSign", XadesLevel.A, pki.Material, CancellationToken.None);

        var signature = Assert.Single(new XadesVerifier().Verify(esA).Signatures);
        Assert.Equal(XadesLevel.A, signature.Level);
        Assert.Equal(XadesCheckStatus.Passed, signature.Outcome);
        Assert.Contains(pki.CaCertificate.Thumbprint, signature.EmbeddedCertificates.Select(c => c.Thumbprint));
        Assert.Contains(signature.EmbeddedCrls, crl => crl.AsSpan().SequenceEqual(pki.Crl));
        var file = pki.PathOf("es-a.xml");
        await File.WriteAllBytesAsync(file, esA);
        var xmlsec = XadesSignerTests.XmlSec1Verify(file, "PrescriptionDocument", "PrescriptionSign");
        Assert.True(xmlsec.ExitCode == 0, xmlsec.Describe());
    }

    [Fact]
    public async Task UpgradeEsTToEsXl_EmbedsTimestampValidationDataForTheSignatureTimestamp()
    {
        var esT = await Upgrader.AddSignatureTimestampAsync(Bes(), "PrescriptionSign", CancellationToken.None);

        var esXl = await Upgrader.UpgradeAsync(esT, "PrescriptionSign", XadesLevel.XL, pki.Material, CancellationToken.None);

        var text = Encoding.UTF8.GetString(esXl);
        var timestampId = Regex.Match(text, "<xa:SignatureTimeStamp Id=\"(?<id>[^\"]+)\"").Groups["id"].Value;
        Assert.Contains($"URI=\"#{timestampId}\"", text, StringComparison.Ordinal);
        var signature = Assert.Single(new XadesVerifier().Verify(esXl).Signatures);
        Assert.Equal(XadesLevel.XL, signature.Level);
        Assert.Equal(XadesCheckStatus.Passed, signature.Outcome);
        Assert.Contains(pki.TsaCaCertificate.Thumbprint, signature.EmbeddedCertificates.Select(c => c.Thumbprint));
    }

    [Fact]
    public async Task AddSignatureTimestamp_OpenSslTsVerifiesTokenOverIndependentlyCanonicalizedSignatureValue()
    {
        var esT = Encoding.UTF8.GetString(await Upgrader.AddSignatureTimestampAsync(Bes(), "PrescriptionSign", CancellationToken.None));

        // Inclusive C14N 1.0 of ds:SignatureValue, written out by hand: the in-scope namespaces (xs from Signature, xsi
        // from Document) sorted by prefix, then the Id attribute; the content has no characters needing escapes.
        var value = SignatureValueElement().Match(esT);
        Assert.True(value.Success);
        var canonical = $"<xs:SignatureValue xmlns:xs=\"http://www.w3.org/2000/09/xmldsig#\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" Id=\"{value.Groups["id"].Value}\">{value.Groups["value"].Value}</xs:SignatureValue>";
        await File.WriteAllTextAsync(pki.PathOf("sigvalue.c14n"), canonical);
        var token = Convert.FromBase64String(EncapsulatedTimestamp().Match(esT).Groups["token"].Value);
        await File.WriteAllBytesAsync(pki.PathOf("sigts.tok"), token);

        var result = ExternalTool.Run("openssl", pki.Directory, "ts", "-verify", "-in", "sigts.tok", "-token_in", "-data", "sigvalue.c14n", "-CAfile", "tsaca.crt");

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("Verification: OK", result.StandardOutput, StringComparison.Ordinal);
        await File.WriteAllTextAsync(pki.PathOf("other.c14n"), canonical.Replace("Id=\"", "Id=\"x", StringComparison.Ordinal));
        Assert.NotEqual(0, ExternalTool.Run("openssl", pki.Directory, "ts", "-verify", "-in", "sigts.tok", "-token_in", "-data", "other.c14n", "-CAfile", "tsaca.crt").ExitCode);
    }

    [Fact]
    public async Task AddArchiveTimestamp_OpenSslTsVerifiesTokenSignature()
    {
        var esA = Encoding.UTF8.GetString(await Upgrader.UpgradeAsync(Bes(), "PrescriptionSign", XadesLevel.A, pki.Material, CancellationToken.None));
        var tokens = EncapsulatedTimestamp().Matches(esA);
        Assert.Equal(2, tokens.Count);
        await File.WriteAllBytesAsync(pki.PathOf("ats.tok"), Convert.FromBase64String(tokens[1].Groups["token"].Value));
        var imprint = System.Security.Cryptography.Pkcs.Rfc3161TimestampToken.TryDecode(Convert.FromBase64String(tokens[1].Groups["token"].Value), out var decoded, out _)
            ? Convert.ToHexString(decoded.TokenInfo.GetMessageHash().Span) : string.Empty;

        var result = ExternalTool.Run("openssl", pki.Directory, "ts", "-verify", "-in", "ats.tok", "-token_in", "-digest", imprint, "-CAfile", "tsaca.crt");

        Assert.True(result.ExitCode == 0, result.Describe());
    }

    [Fact]
    public async Task AddArchiveTimestamp_ThenChangeCoveredValidationData_ReportsArchiveImprintMismatch()
    {
        var esA = Encoding.UTF8.GetString(await Upgrader.UpgradeAsync(Bes(), "PrescriptionSign", XadesLevel.A, pki.Material, CancellationToken.None));
        var crl = Convert.ToBase64String(pki.Crl)[..40];
        var tampered = Encoding.UTF8.GetBytes(esA.Replace("<xa:CRLValues><xa:EncapsulatedCRLValue>", "<xa:CRLValues><!-- x --><xa:EncapsulatedCRLValue>", StringComparison.Ordinal)
            .Replace("<xa:RevocationValues Id=\"id", "<xa:RevocationValues Id=\"iD", StringComparison.Ordinal));
        Assert.NotEmpty(crl);

        var signature = Assert.Single(new XadesVerifier().Verify(tampered).Signatures);

        Assert.Equal(XadesErrorCodes.TimestampImprintMismatch, signature.Results(XadesCheckNames.ArchiveTimestampImprint).Single().Code);
        Assert.Equal(XadesCheckStatus.Passed, signature.Results(XadesCheckNames.SignatureValue).Single().Status);
    }

    [Fact]
    public async Task AddArchiveTimestamp_Twice_SecondCoversFirst()
    {
        var esA = await Upgrader.UpgradeAsync(Bes(), "PrescriptionSign", XadesLevel.A, pki.Material, CancellationToken.None);

        var renewed = await Upgrader.AddArchiveTimestampAsync(esA, "PrescriptionSign", null, CancellationToken.None);

        var signature = Assert.Single(new XadesVerifier().Verify(renewed).Signatures);
        Assert.Equal(2, signature.Results(XadesCheckNames.ArchiveTimestampImprint).Count(r => r.Status == XadesCheckStatus.Passed));
        Assert.Equal(2, signature.ArchiveTimestampTimes.Count);
    }

    [Fact]
    public async Task Upgrade_DispensingSample_PharmacistSignatureEsXlToEsA_DoctorSignatureUntouched()
    {
        var unsigned = UnsignedDocuments.Dispensing();
        var bes = _signer.Sign(unsigned, XadesDocumentType.Dispensing, pki.SignerKey, pki.SignerCertificate);

        var esA = await Upgrader.UpgradeAsync(bes, "DispensingSign", XadesLevel.A, pki.Material, CancellationToken.None);

        var report = new XadesVerifier().Verify(esA);
        Assert.Equal(XadesLevel.XL, report.Signature("PrescriptionSign")!.Level);
        Assert.Equal(XadesLevel.A, report.Signature("DispensingSign")!.Level);
        Assert.True(report.IsValid);
    }

    [Fact]
    public async Task AddSignatureTimestamp_SigningTimeInTheFuture_ReportsTimestampOrderInvalid()
    {
        var backdating = new XadesSigner(new FixedTimeProvider(DateTimeOffset.UtcNow.AddDays(1)));
        var bes = backdating.Sign(UnsignedDocuments.Prescription(), XadesDocumentType.Prescription, pki.SignerKey, pki.SignerCertificate);

        var esT = await Upgrader.AddSignatureTimestampAsync(bes, "PrescriptionSign", CancellationToken.None);

        var signature = Assert.Single(new XadesVerifier().Verify(esT).Signatures);
        Assert.Equal(XadesErrorCodes.TimestampOrderInvalid, signature.Results(XadesCheckNames.TimestampOrder).Single().Code);
        Assert.Equal(XadesCheckStatus.Passed, signature.Results(XadesCheckNames.SignatureTimestampImprint).Single().Status);
    }

    [Fact]
    public async Task Upgrade_ToCurrentLevel_ThrowsUpgradeNotAllowed()
    {
        var esT = await Upgrader.AddSignatureTimestampAsync(Bes(), "PrescriptionSign", CancellationToken.None);

        var ex = await Assert.ThrowsAsync<XadesException>(() => Upgrader.UpgradeAsync(esT, "PrescriptionSign", XadesLevel.T, pki.Material, CancellationToken.None));

        Assert.Equal(XadesErrorCodes.UpgradeNotAllowed, ex.Code);
    }

    [Fact]
    public void AddValidationValues_OnEsBes_ThrowsUpgradeNotAllowed()
    {
        var ex = Assert.Throws<XadesException>(() => Upgrader.AddValidationValues(Bes(), "PrescriptionSign", pki.Material.SignerValues, null));

        Assert.Equal(XadesErrorCodes.UpgradeNotAllowed, ex.Code);
    }

    [Fact]
    public async Task AddValidationValues_WithoutRevocationData_ThrowsValidationDataInvalid()
    {
        var esT = await Upgrader.AddSignatureTimestampAsync(Bes(), "PrescriptionSign", CancellationToken.None);

        var ex = Assert.Throws<XadesException>(() => Upgrader.AddValidationValues(esT, "PrescriptionSign", XadesValidationValues.From([pki.CaCertificate]), null));

        Assert.Equal(XadesErrorCodes.ValidationDataInvalid, ex.Code);
    }

    [Fact]
    public async Task AddSignatureTimestamp_SourceReturnsTokenForOtherData_ThrowsTimestampSourceFailed()
    {
        var lying = new XadesUpgrader(new WrongDataSource(pki.TimestampSource));

        var ex = await Assert.ThrowsAsync<XadesException>(() => lying.AddSignatureTimestampAsync(Bes(), "PrescriptionSign", CancellationToken.None));

        Assert.Equal(XadesErrorCodes.TimestampSourceFailed, ex.Code);
    }

    [Fact]
    public async Task AddSignatureTimestamp_SourceThrows_ThrowsTimestampSourceFailed()
    {
        var failing = new XadesUpgrader(new FailingSource());

        var ex = await Assert.ThrowsAsync<XadesException>(() => failing.AddSignatureTimestampAsync(Bes(), "PrescriptionSign", CancellationToken.None));

        Assert.Equal(XadesErrorCodes.TimestampSourceFailed, ex.Code);
    }

    [Fact]
    public async Task Upgrade_UnknownSignatureId_ThrowsSignatureMissing()
    {
        var ex = await Assert.ThrowsAsync<XadesException>(() => Upgrader.UpgradeAsync(Bes(), "DispensingSign", XadesLevel.T, pki.Material, CancellationToken.None));

        Assert.Equal(XadesErrorCodes.SignatureMissing, ex.Code);
    }

    [Fact]
    public async Task AddSignatureTimestamp_TamperedTokenInDocument_ReportsTimestampSignatureInvalid()
    {
        var esT = Encoding.UTF8.GetString(await Upgrader.AddSignatureTimestampAsync(Bes(), "PrescriptionSign", CancellationToken.None));
        var match = EncapsulatedTimestamp().Match(esT);
        var token = Convert.FromBase64String(match.Groups["token"].Value);
        var cms = new System.Security.Cryptography.Pkcs.SignedCms();
        cms.Decode(token);
        var tsaSignature = cms.SignerInfos[0].GetSignature();
        var at = token.AsSpan().IndexOf(tsaSignature);
        Assert.True(at > 0);
        token[at + (tsaSignature.Length / 2)] ^= 0x01;
        var tampered = Encoding.UTF8.GetBytes(esT.Replace(match.Groups["token"].Value, Convert.ToBase64String(token), StringComparison.Ordinal));

        var signature = Assert.Single(new XadesVerifier().Verify(tampered).Signatures);

        Assert.Equal(XadesErrorCodes.TimestampSignatureInvalid, signature.Results(XadesCheckNames.SignatureTimestampSignature).Single().Code);
        Assert.Equal(XadesCheckStatus.Passed, signature.Results(XadesCheckNames.SignatureTimestampImprint).Single().Status);
    }

    private byte[] Bes() => _signer.Sign(UnsignedDocuments.Prescription(), XadesDocumentType.Prescription, pki.SignerKey, pki.SignerCertificate);

    private static string Describe(XadesSignatureReport signature) =>
        string.Join("; ", signature.Checks.Where(c => c.Status != XadesCheckStatus.Passed).Select(c => $"{c.Check} {c.Target}: {c.Code} {c.Detail}"));

    [GeneratedRegex("<xs:SignatureValue Id=\"(?<id>[^\"]+)\">(?<value>[^<]+)</xs:SignatureValue>")]
    private static partial Regex SignatureValueElement();

    [GeneratedRegex("EncapsulatedTimeStamp>(?<token>[^<]+)</")]
    private static partial Regex EncapsulatedTimestamp();

    private sealed class WrongDataSource(IXadesTimestampSource inner) : IXadesTimestampSource
    {
        public Task<byte[]> GetTimestampTokenAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            inner.GetTimestampTokenAsync(RandomNumberGenerator.GetBytes(32), cancellationToken);
    }

    private sealed class FailingSource : IXadesTimestampSource
    {
        public Task<byte[]> GetTimestampTokenAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            throw new HttpRequestException("TSA unreachable");
    }
}
