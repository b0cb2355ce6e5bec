using System.Formats.Asn1;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Hsm;
using SignatureService.Api.Features.Pki;
using SignatureService.Core.Errors;
using SignatureService.Data.Pki;
using SignatureService.Pki.HealthcareRoles;
using SignatureService.Pki.Tests.Support;

namespace SignatureService.Api.Tests.Pki;

[Collection(PkiGroup.Name)]
public sealed class CertificateAuthorityTests(PkiFixture pki)
{
    /// <summary>DOMAIN.md §2: the whole subjectDirectoryAttributes value of a real MEDIS "Medical Doctor" certificate.</summary>
    private const string MedicalDoctorVector =
        "303430320606288185420001312831263024A0223120A00C060A2A830886910F01060101A2100C0E4D65646963616C20446F63746F72";

    [Fact]
    public async Task CaInit_SecondRun_ChangesNothing()
    {
        var before = await pki.WithDbAsync(db => db.HsmKeys.CountAsync());

        var result = await pki.WithScopeAsync(sp => sp.GetRequiredService<InitializeCertificateAuthority>().InitializeAsync(PkiFixture.Operator, CancellationToken.None));

        Assert.False(result.Created);
        Assert.Equal(3, result.Authorities.Count);
        Assert.Equal(before, await pki.WithDbAsync(db => db.HsmKeys.CountAsync()));
    }

    [Fact]
    public async Task CaKeys_InHsm_AreSensitiveAndNeverExtractable()
    {
        var keys = await pki.WithDbAsync(db => db.HsmKeys.Where(k => k.Purpose.StartsWith("ca/") || k.Purpose == "ocsp" || k.Purpose == "timestamping").ToListAsync());
        var token = pki.Factory.Services.GetRequiredService<HsmConnection>().RequireToken();

        Assert.Equal(
            ["ca/authentication/cert-signing", "ca/root/cert-signing", "ca/signing/cert-signing", "ocsp", "timestamping"],
            keys.Select(k => k.Purpose).Order(StringComparer.Ordinal));
        foreach (var record in keys)
        {
            var key = token.FindKey(record.CkId);
            Assert.NotNull(key);
            var attributes = token.ReadPrivateKeyAttributes(key);
            Assert.True(attributes.Sensitive && !attributes.Extractable && attributes.NeverExtractable && attributes.Local, record.Purpose);
            Assert.True(attributes.IsNonExportable, record.Purpose);
        }
    }

    [Fact]
    public async Task CaHierarchy_OpenSslVerifyWithArl_AcceptsSubCasAndResponderAndTsa()
    {
        using var dir = new TempDir();
        var root = dir.WritePem("root.pem", await pki.GetCaAsync("root"));
        dir.WritePem("signing.pem", await pki.GetCaAsync("signing"));
        dir.WritePem("authentication.pem", await pki.GetCaAsync("authentication"));
        WriteCrlPem(dir, "root.crl", await pki.GetCrlAsync("root"));

        var result = OpenSsl.Run(dir.Path, "verify", "-crl_check", "-CAfile", root, "-CRLfile", "root.crl", "signing.pem", "authentication.pem");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("signing.pem: OK", result.StdOut, StringComparison.Ordinal);
        var signingText = OpenSsl.Run(dir.Path, "x509", "-in", "signing.pem", "-noout", "-text").StdOut;
        Assert.Contains("forNonRepudiation", signingText, StringComparison.Ordinal);
        Assert.Contains("Certificate Sign, CRL Sign", signingText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignerCertificate_OpenSslText_ShowsHpkiProfile()
    {
        var (userId, _, issued) = await pki.CreateCertifiedSignerAsync();
        using var dir = new TempDir();
        var certificate = X509CertificateLoader.LoadCertificate(issued.Der);
        var file = dir.WritePem("signer.pem", certificate);

        var text = OpenSsl.Run(dir.Path, "x509", "-in", file, "-noout", "-text", "-nameopt", "RFC2253,-esc_msb").StdOut;

        Assert.Contains($"serialNumber={userId.ToString("N").ToUpperInvariant()}", text, StringComparison.Ordinal);
        Assert.Contains("CN=YAMADA TARO", text, StringComparison.Ordinal);
        Assert.Contains("O=Example Clinic", text, StringComparison.Ordinal);
        Assert.Contains("C=JP", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Key Usage: critical\n                Non Repudiation\n", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Certificate Policies: critical", text, StringComparison.Ordinal);
        Assert.Contains("http://pki.test/pki/crl/signing.crl", text, StringComparison.Ordinal);
        Assert.Contains("OCSP - URI:http://pki.test/pki/ocsp", text, StringComparison.Ordinal);
        Assert.Contains("CA Issuers - URI:http://pki.test/pki/ca/signing.cer", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Authority Key Identifier", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Subject Key Identifier", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Subject Directory Attributes", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Subject Alternative Name", text, StringComparison.Ordinal);
        Assert.Contains("DirName:", text, StringComparison.Ordinal);
        var san = certificate.Extensions["2.5.29.17"]!.RawData;
        Assert.True(san.AsSpan().IndexOf("例クリニック"u8) > 0 && san.AsSpan().IndexOf("山田 太郎"u8) > 0);
        Assert.DoesNotContain("Extended Key Usage", text, StringComparison.Ordinal);
        Assert.Contains("Public-Key: (2048 bit)", text, StringComparison.Ordinal);
        Assert.Contains("sha256WithRSAEncryption", text, StringComparison.Ordinal);

        // Serial: positive, at least 64 random bits.
        Assert.True(certificate.SerialNumberBytes.Length >= 9 && (certificate.SerialNumberBytes.Span[0] & 0x80) == 0);
    }

    [Fact]
    public async Task SignerCertificate_MedicalDoctor_HcRoleExtensionIsByteIdenticalToDomainVector()
    {
        var (_, _, issued) = await pki.CreateCertifiedSignerAsync("doctor");
        var certificate = X509CertificateLoader.LoadCertificate(issued.Der);

        var extension = certificate.Extensions[HcRoleExtension.ExtensionOid];

        Assert.NotNull(extension);
        Assert.False(extension.Critical);
        Assert.Equal(MedicalDoctorVector, Convert.ToHexString(extension.RawData));
        Assert.Equal(["Medical Doctor"], issued.HcRoles);
    }

    [Fact]
    public async Task SignerKey_GeneratedInHsm_IsNotExtractableAndMatchesCertificate()
    {
        var (_, _, issued) = await pki.CreateCertifiedSignerAsync("pharmacist");
        var record = await pki.WithDbAsync(db => db.HsmKeys.SingleAsync(k => k.Id == issued.KeyId));
        var token = pki.Factory.Services.GetRequiredService<HsmConnection>().RequireToken();

        var key = token.FindKey(record.CkId);

        Assert.NotNull(key);
        Assert.True(token.ReadPrivateKeyAttributes(key).IsNonExportable);
        Assert.Equal("signer", record.Purpose);
        Assert.Equal(X509CertificateLoader.LoadCertificate(issued.Der).PublicKey.ExportSubjectPublicKeyInfo(), key.SubjectPublicKeyInfo);
        Assert.Equal(["Pharmacist"], issued.HcRoles);
    }

    [Fact]
    public async Task IssueSigner_WithoutVerifiedLicense_IsRefused()
    {
        var userId = Guid.CreateVersion7();
        await pki.WithDbAsync(db =>
        {
            db.Users.Add(new Data.Users.UserRecord
            {
                Id = userId,
                DisplayName = "No License",
                Status = "active",
                Roles = ["signer"],
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            });
            return db.SaveChangesAsync();
        });

        var ex = await Assert.ThrowsAsync<ServiceException>(() => pki.WithScopeAsync(sp => sp.GetRequiredService<IssueSignerCertificate>().IssueAsync(
            new SignerCertificateInput(userId, "Clinic", "医院", "NAME", "名前"), PkiFixture.Operator, CancellationToken.None)));

        Assert.Equal(ErrorCatalogue.SignerNotQualified.Code, ex.Error.Code);
    }

    [Fact]
    public async Task Crl_OpenSslVerifyCrlCheck_PassesWhenGoodAndFailsAfterRevocation()
    {
        var (_, _, issued) = await pki.CreateCertifiedSignerAsync();
        using var dir = new TempDir();
        var root = dir.WritePem("root.pem", await pki.GetCaAsync("root"));
        var signing = dir.WritePem("signing.pem", await pki.GetCaAsync("signing"));
        var signer = dir.WritePem("signer.pem", X509CertificateLoader.LoadCertificate(issued.Der));
        WriteCrlPem(dir, "before.crl", await pki.GetCrlAsync("signing"));

        var good = OpenSsl.Run(dir.Path, "verify", "-crl_check", "-CAfile", root, "-untrusted", signing, "-CRLfile", "before.crl", signer);
        await pki.RevokeAsync(issued.SerialNumber);
        WriteCrlPem(dir, "after.crl", await pki.GetCrlAsync("signing"));
        var revoked = OpenSsl.Run(dir.Path, "verify", "-crl_check", "-CAfile", root, "-untrusted", signing, "-CRLfile", "after.crl", signer);
        var crlText = OpenSsl.Run(dir.Path, "crl", "-in", "after.crl", "-noout", "-text", "-CAfile", signing);

        Assert.True(good.ExitCode == 0, good.All);
        Assert.NotEqual(0, revoked.ExitCode);
        Assert.Contains("certificate revoked", revoked.All, StringComparison.Ordinal);
        Assert.Contains(issued.SerialNumber, crlText.StdOut, StringComparison.Ordinal);
        Assert.Contains("Key Compromise", crlText.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ocsp_OpenSsl_GoodThenRevokedOnHoldThenGoodThenRevoked()
    {
        var (_, _, issued) = await pki.CreateCertifiedSignerAsync();
        using var dir = new TempDir();
        var root = await pki.GetCaAsync("root");
        var signingCa = await pki.GetCaAsync("signing");
        var signing = dir.WritePem("signing.pem", signingCa);
        File.WriteAllText(dir.File("chain.pem"), root.ExportCertificatePem() + "\n" + signingCa.ExportCertificatePem() + "\n");
        var signer = dir.WritePem("signer.pem", X509CertificateLoader.LoadCertificate(issued.Der));

        async Task<string> AskAsync(string name)
        {
            var request = OpenSsl.Run(dir.Path, "ocsp", "-issuer", signing, "-cert", signer, "-reqout", $"{name}.req");
            Assert.True(request.ExitCode == 0, request.All);
            using var content = new ByteArrayContent(File.ReadAllBytes(dir.File($"{name}.req")));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/ocsp-request");
            using var response = await pki.Client.PostAsync(new Uri("/pki/ocsp", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/ocsp-response", response.Content.Headers.ContentType?.MediaType);
            dir.Write($"{name}.resp", await response.Content.ReadAsByteArrayAsync());
            var check = OpenSsl.Run(dir.Path, "ocsp", "-respin", $"{name}.resp", "-issuer", signing, "-cert", signer, "-CAfile", "chain.pem", "-no_nonce");
            Assert.True(check.ExitCode == 0, check.All);
            Assert.Contains("Response verify OK", check.All, StringComparison.Ordinal);
            return check.StdOut;
        }

        var good = await AskAsync("good");
        await pki.SuspendAsync(issued.SerialNumber);
        var held = await AskAsync("held");
        await pki.ResumeAsync(issued.SerialNumber);
        var resumed = await AskAsync("resumed");
        await pki.RevokeAsync(issued.SerialNumber);
        var revoked = await AskAsync("revoked");

        Assert.Contains("signer.pem: good", good, StringComparison.Ordinal);
        Assert.Contains("signer.pem: revoked", held, StringComparison.Ordinal);
        Assert.Contains("Reason: certificateHold", held, StringComparison.Ordinal);
        Assert.Contains("signer.pem: good", resumed, StringComparison.Ordinal);
        Assert.Contains("signer.pem: revoked", revoked, StringComparison.Ordinal);
        Assert.Contains("Reason: keyCompromise", revoked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ocsp_NonceAndGetForm_EchoedAndAnswered()
    {
        var (_, _, issued) = await pki.CreateCertifiedSignerAsync();
        using var dir = new TempDir();
        var signing = dir.WritePem("signing.pem", await pki.GetCaAsync("signing"));
        var signer = dir.WritePem("signer.pem", X509CertificateLoader.LoadCertificate(issued.Der));
        Assert.Equal(0, OpenSsl.Run(dir.Path, "ocsp", "-issuer", signing, "-cert", signer, "-reqout", "q.req").ExitCode);
        var request = File.ReadAllBytes(dir.File("q.req"));

        var response = await pki.Client.GetByteArrayAsync(new Uri("/pki/ocsp/" + Uri.EscapeDataString(Convert.ToBase64String(request)), UriKind.Relative));
        dir.Write("q.resp", response);
        var check = OpenSsl.Run(dir.Path, "ocsp", "-reqin", "q.req", "-respin", "q.resp", "-noverify", "-resp_text");

        Assert.Contains("OCSP Response Status: successful", check.StdOut, StringComparison.Ordinal);
        Assert.Contains("OCSP Nonce", check.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("nonce", check.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(new byte[] { 0x01, 0x02, 0x03 })]
    [InlineData(new byte[] { 0x30, 0x80, 0x00, 0x00 })]
    [InlineData(new byte[] { 0x30, 0x03, 0x30, 0x01, 0x00 })]
    public async Task Ocsp_Garbage_AnswersMalformedRequest(byte[] garbage)
    {
        using var content = new ByteArrayContent(garbage);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/ocsp-request");

        using var response = await pki.Client.PostAsync(new Uri("/pki/ocsp", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([0x30, 0x03, 0x0A, 0x01, 0x01], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Ocsp_GetWithGarbageBase64_AnswersMalformedRequest()
    {
        var response = await pki.Client.GetByteArrayAsync(new Uri("/pki/ocsp/%21%21not-base64%21", UriKind.Relative));

        Assert.Equal([0x30, 0x03, 0x0A, 0x01, 0x01], response);
    }

    [Fact]
    public async Task Ocsp_ForeignIssuer_AnswersUnauthorized()
    {
        using var dir = new TempDir();
        using var foreignKey = RSA.Create(2048);
        var foreignRequest = new CertificateRequest("CN=Foreign CA", foreignKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        foreignRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var foreign = foreignRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var issuer = dir.WritePem("foreign.pem", foreign);
        Assert.Equal(0, OpenSsl.Run(dir.Path, "ocsp", "-issuer", issuer, "-serial", "0x1234", "-reqout", "f.req").ExitCode);
        using var content = new ByteArrayContent(File.ReadAllBytes(dir.File("f.req")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/ocsp-request");

        using var response = await pki.Client.PostAsync(new Uri("/pki/ocsp", UriKind.Relative), content);

        Assert.Equal([0x30, 0x03, 0x0A, 0x01, 0x06], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Ocsp_OversizedBody_IsRefusedWith413()
    {
        using var content = new ByteArrayContent(new byte[64 * 1024]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/ocsp-request");

        using var response = await pki.Client.PostAsync(new Uri("/pki/ocsp", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(ErrorCatalogue.PayloadTooLarge.Code, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Tsa_OpenSslTsVerify_AcceptsReply()
    {
        using var dir = new TempDir();
        var root = await pki.GetCaAsync("root");
        var signingCa = await pki.GetCaAsync("signing");
        File.WriteAllText(dir.File("chain.pem"), root.ExportCertificatePem() + "\n" + signingCa.ExportCertificatePem() + "\n");
        dir.Write("data.bin", RandomNumberGenerator.GetBytes(1000));
        Assert.Equal(0, OpenSsl.Run(dir.Path, "ts", "-query", "-data", "data.bin", "-sha256", "-cert", "-out", "q.tsq").ExitCode);
        using var content = new ByteArrayContent(File.ReadAllBytes(dir.File("q.tsq")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/timestamp-query");

        using var response = await pki.Client.PostAsync(new Uri("/pki/tsa", UriKind.Relative), content);
        dir.Write("r.tsr", await response.Content.ReadAsByteArrayAsync());
        var verify = OpenSsl.Run(dir.Path, "ts", "-verify", "-in", "r.tsr", "-queryfile", "q.tsq", "-CAfile", "chain.pem");

        Assert.Equal("application/timestamp-reply", response.Content.Headers.ContentType?.MediaType);
        Assert.True(verify.ExitCode == 0, verify.All);
        Assert.Contains("Verification: OK", verify.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tsa_WrongMediaType_Is415()
    {
        using var content = new ByteArrayContent([1, 2, 3]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await pki.Client.PostAsync(new Uri("/pki/tsa", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task CaAndCrlEndpoints_UnknownName_Are404()
    {
        using var ca = await pki.Client.GetAsync(new Uri("/pki/ca/nope.cer", UriKind.Relative));
        using var crl = await pki.Client.GetAsync(new Uri("/pki/crl/nope.crl", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, ca.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, crl.StatusCode);
    }

    [Fact]
    public async Task Revoke_UnknownSerial_IsCertificateNotFound()
    {
        var ex = await Assert.ThrowsAsync<ServiceException>(() => pki.RevokeAsync(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).Insert(0, "4")[..32]));

        Assert.Equal(ErrorCatalogue.CertificateNotFound.Code, ex.Error.Code);
        Assert.Equal(404, ex.Error.Status);
    }

    [Fact]
    public async Task Revoke_AlreadyRevoked_IsConflict()
    {
        var (_, _, issued) = await pki.CreateCertifiedSignerAsync();
        await pki.RevokeAsync(issued.SerialNumber);

        var again = await Assert.ThrowsAsync<ServiceException>(() => pki.RevokeAsync(issued.SerialNumber));
        var suspend = await Assert.ThrowsAsync<ServiceException>(() => pki.SuspendAsync(issued.SerialNumber));

        Assert.Equal(ErrorCatalogue.CertificateAlreadyRevoked.Code, again.Error.Code);
        Assert.Equal(409, again.Error.Status);
        Assert.Equal(ErrorCatalogue.CertificateAlreadyRevoked.Code, suspend.Error.Code);
    }

    [Fact]
    public async Task Resume_NotOnHold_IsConflict_AndSuspendTwiceIsConflict()
    {
        var (_, _, issued) = await pki.CreateCertifiedSignerAsync();

        var resume = await Assert.ThrowsAsync<ServiceException>(() => pki.ResumeAsync(issued.SerialNumber));
        await pki.SuspendAsync(issued.SerialNumber);
        var suspendAgain = await Assert.ThrowsAsync<ServiceException>(() => pki.SuspendAsync(issued.SerialNumber));

        Assert.Equal(ErrorCatalogue.CertificateNotOnHold.Code, resume.Error.Code);
        Assert.Equal(409, resume.Error.Status);
        Assert.Equal(ErrorCatalogue.CertificateAlreadySuspended.Code, suspendAgain.Error.Code);
        Assert.Equal(CertificateStatuses.OnHold, await pki.StatusAsync(issued.SerialNumber));
    }

    [Fact]
    public async Task StatusChanges_AreAuditedWithTheirCrl()
    {
        var (_, _, issued) = await pki.CreateCertifiedSignerAsync();

        var suspended = await pki.SuspendAsync(issued.SerialNumber);
        var resumed = await pki.ResumeAsync(issued.SerialNumber);
        var revoked = await pki.RevokeAsync(issued.SerialNumber);

        var actions = await pki.WithDbAsync(db => db.AuditEvents.Where(e => e.TargetId == issued.SerialNumber).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
        Assert.Equal(["certificate.issued", "certificate.suspended", "certificate.resumed", "certificate.revoked"], actions);
        Assert.True(suspended.CrlNumber < resumed.CrlNumber && resumed.CrlNumber < revoked.CrlNumber);
        // Note: the reason in the RFC 5280 spelling, as the API and the certificate history write it.
        var details = await pki.WithDbAsync(db => db.AuditEvents.Where(e => e.TargetId == issued.SerialNumber && e.Action == "certificate.revoked")
            .Select(e => e.Details).SingleAsync());
        Assert.Matches("^[a-z][A-Za-z]+$", details.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task CrlNumbers_ConcurrentStatusChanges_AreUniqueIncreasingAndTheLastCrlListsAll()
    {
        var signers = new List<IssuedCertificate>();
        for (var i = 0; i < 4; i++)
        {
            signers.Add((await pki.CreateCertifiedSignerAsync()).Certificate);
        }

        var results = await Task.WhenAll(signers.Select(s => pki.SuspendAsync(s.SerialNumber)));

        Assert.Equal(4, results.Select(r => r.CrlNumber).Distinct().Count());
        var signingId = await pki.WithDbAsync(db => db.CertificateAuthorities.Where(c => c.Name == "signing").Select(c => c.Id).SingleAsync());
        var numbers = await pki.WithDbAsync(db => db.Crls.Where(c => c.CaId == signingId).OrderBy(c => c.ThisUpdate).ThenBy(c => c.CrlNumber).Select(c => c.CrlNumber).ToListAsync());
        Assert.Equal(numbers.Order(), numbers.Distinct());
        using var dir = new TempDir();
        dir.Write("latest.crl", await pki.GetCrlAsync("signing"));
        var text = OpenSsl.Run(dir.Path, "crl", "-inform", "DER", "-in", "latest.crl", "-noout", "-text").StdOut;
        Assert.All(signers, s => Assert.Contains(s.SerialNumber, text, StringComparison.Ordinal));
        Assert.Equal(results.Max(r => r.CrlNumber).ToString(System.Globalization.CultureInfo.InvariantCulture),
            System.Text.RegularExpressions.Regex.Match(text, @"CRL Number:\s*(\d+)").Groups[1].Value);
    }

    [Fact]
    public async Task LicenseImport_MalformedRows_RejectsWholeFileListingLines()
    {
        var good = PkiFixture.NewLicenseNumber();
        var csv = PkiFixture.Csv(
            $"doctor,{good},2010-04-01,佐藤 花子,1985-05-05,active",
            $"surgeon,{PkiFixture.NewLicenseNumber()},2010-04-01,X,1985-05-05,active",
            $"dentist,{PkiFixture.NewLicenseNumber()},2010-13-01,Y,1985-05-05,active",
            "pharmacist,too,many,fields,here,x,y");

        var ex = await Assert.ThrowsAsync<ServiceException>(() => pki.WithScopeAsync(sp =>
            sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(csv, PkiFixture.Operator, CancellationToken.None)));

        Assert.Equal(ErrorCatalogue.LicenseImportInvalid.Code, ex.Error.Code);
        Assert.Equal(400, ex.Error.Status);
        Assert.NotNull(ex.FieldErrors);
        Assert.Equal(["line 3", "line 4", "line 5"], ex.FieldErrors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(ex.FieldErrors["line 3"], m => m.Contains("profession", StringComparison.Ordinal));
        Assert.Contains(ex.FieldErrors["line 4"], m => m.Contains("registration_date", StringComparison.Ordinal));
        Assert.False(await pki.WithDbAsync(db => db.Licenses.AnyAsync(l => l.LicenseNumber == good)));
    }

    [Theory]
    [InlineData("doctor,A1,2010-04-01,\"unclosed,1985-05-05,active")]
    [InlineData("doctor,A1,2010-04-01,Name,1985-05-05,active,extra")]
    [InlineData("doctor,A1,2010-04-01,Name,2011-05-05,active")]
    [InlineData("doctor,A1,2010-04-01,Name,1985-05-05,suspended")]
    [InlineData("doctor,A_1,2010-04-01,Name,1985-05-05,active")]
    public async Task LicenseImport_InvalidRow_IsRejected(string row)
    {
        var ex = await Assert.ThrowsAsync<ServiceException>(() => pki.WithScopeAsync(sp =>
            sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(PkiFixture.Csv(row), PkiFixture.Operator, CancellationToken.None)));

        Assert.Equal(ErrorCatalogue.LicenseImportInvalid.Code, ex.Error.Code);
    }

    [Fact]
    public async Task LicenseImport_QuotedFieldsAndDuplicateRows_AreHandled()
    {
        var number = PkiFixture.NewLicenseNumber();
        var quoted = PkiFixture.Csv($"dentist,{number},2012-04-01,\"Suzuki, \"\"Ichiro\"\"\",1988-08-08,active");
        var duplicate = PkiFixture.Csv($"dentist,{number},2012-04-01,A,1988-08-08,active", $"dentist,{number},2012-04-01,B,1988-08-08,active");

        var result = await pki.WithScopeAsync(sp => sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(quoted, PkiFixture.Operator, CancellationToken.None));
        var ex = await Assert.ThrowsAsync<ServiceException>(() => pki.WithScopeAsync(sp =>
            sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(duplicate, PkiFixture.Operator, CancellationToken.None)));

        Assert.Equal(1, result.Added);
        Assert.Equal("Suzuki, \"Ichiro\"", await pki.WithDbAsync(db => db.Licenses.Where(l => l.LicenseNumber == number).Select(l => l.Name).SingleAsync()));
        Assert.Contains(ex.FieldErrors!["line 3"], m => m.Contains("Duplicate of line 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LicenseImport_LicenseRevokedLater_SuspendsSignerCertificatesWithAuditAndCrl()
    {
        var (userId, number, issued) = await pki.CreateCertifiedSignerAsync("dentist");
        var other = (await pki.CreateCertifiedSignerAsync("dentist")).Certificate;

        var result = await pki.WithScopeAsync(sp => sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(
            PkiFixture.Csv($"dentist,{number},2010-04-01,山田 太郎,1980-01-02,revoked"), PkiFixture.Operator, CancellationToken.None));

        Assert.Equal(1, result.Revoked);
        Assert.Equal(1, result.SuspendedCertificates);
        Assert.Equal(CertificateStatuses.OnHold, await pki.StatusAsync(issued.SerialNumber));
        Assert.Equal(CertificateStatuses.Good, await pki.StatusAsync(other.SerialNumber));
        var audit = await pki.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "certificate.suspended" && e.TargetId == issued.SerialNumber).ToListAsync());
        Assert.Single(audit);
        Assert.Equal("license-revoked", audit[0].Details.RootElement.GetProperty("cause").GetString());
        Assert.True(await pki.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "license.revoked")));
        using var dir = new TempDir();
        dir.Write("s.crl", await pki.GetCrlAsync("signing"));
        var crl = OpenSsl.Run(dir.Path, "crl", "-inform", "DER", "-in", "s.crl", "-noout", "-text").StdOut;
        Assert.Contains(issued.SerialNumber, crl, StringComparison.Ordinal);

        // A revoked license qualifies for nothing: the suspension cannot be lifted and no new certificate is issued.
        var resume = await Assert.ThrowsAsync<ServiceException>(() => pki.ResumeAsync(issued.SerialNumber));
        Assert.Equal(ErrorCatalogue.SignerNotQualified.Code, resume.Error.Code);
        Assert.Equal(CertificateStatuses.OnHold, await pki.StatusAsync(issued.SerialNumber));
        var ex = await Assert.ThrowsAsync<ServiceException>(() => pki.WithScopeAsync(sp => sp.GetRequiredService<IssueSignerCertificate>().IssueAsync(
            new SignerCertificateInput(userId, "Clinic", "医院", "NAME", "名前"), PkiFixture.Operator, CancellationToken.None)));
        Assert.Equal(ErrorCatalogue.SignerNotQualified.Code, ex.Error.Code);
    }

    [Fact]
    public async Task VerifyLicense_WrongBirthDate_IsNotVerified()
    {
        var (userId, number) = await pki.CreateQualifiedSignerAsync();

        var ex = await Assert.ThrowsAsync<ServiceException>(() => pki.WithScopeAsync(sp => sp.GetRequiredService<VerifySignerLicense>().VerifyAsync(
            new LicenseClaim(userId, "doctor", number, "山田 太郎", new DateOnly(1980, 1, 3)), PkiFixture.Operator, CancellationToken.None)));

        Assert.Equal(ErrorCatalogue.LicenseNotVerified.Code, ex.Error.Code);
    }

    [Fact]
    public async Task CrlSchedule_CrlPastHalfItsValidity_IsReissuedWithTheNextNumber()
    {
        var rootId = await pki.WithDbAsync(db => db.CertificateAuthorities.Where(c => c.Name == "root").Select(c => c.Id).SingleAsync());
        var before = await pki.WithDbAsync(db => db.Crls.Where(c => c.CaId == rootId).MaxAsync(c => c.CrlNumber));
        await pki.WithDbAsync(db => db.Crls.Where(c => c.CaId == rootId).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.ThisUpdate, c => c.ThisUpdate.AddDays(-2))
            .SetProperty(c => c.NextUpdate, c => c.NextUpdate.AddDays(-2))));

        var issued = await pki.Factory.Services.GetRequiredService<CrlSchedule>().RefreshAsync(CancellationToken.None);

        Assert.Equal(1, issued);
        var latest = await pki.WithDbAsync(db => db.Crls.Where(c => c.CaId == rootId).OrderByDescending(c => c.CrlNumber).FirstAsync());
        Assert.Equal(before + 1, latest.CrlNumber);
        Assert.True(latest.NextUpdate > DateTimeOffset.UtcNow.AddHours(23));
        Assert.Equal(latest.Der, await pki.GetCrlAsync("root"));
    }

    [Fact]
    public async Task CrlSchedule_CurrentCrls_IssuesNothing()
    {
        var schedule = pki.Factory.Services.GetRequiredService<CrlSchedule>();

        Assert.Equal(0, await schedule.RefreshAsync(CancellationToken.None));
    }

    private static void WriteCrlPem(TempDir dir, string name, byte[] der) =>
        File.WriteAllText(dir.File(name), new string(PemEncoding.Write("X509 CRL", der)) + "\n");

    [Fact]
    public void Serial_ParsedWithSeparatorsAndLeadingZero_IsMinimal()
    {
        Assert.Equal([0x40, 0x01], CertificateStatusChanges.ParseSerial("00:40:01"));
        Assert.Equal([0x00, 0x80], CertificateStatusChanges.ParseSerial("0080"));
        Assert.Throws<ServiceException>(() => CertificateStatusChanges.ParseSerial("xyz"));
    }
}
