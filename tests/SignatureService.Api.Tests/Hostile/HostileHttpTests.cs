using System.Formats.Asn1;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Tests.SignatureRequests;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Testing.Fuzzing;
using Xunit.Abstractions;

namespace SignatureService.Api.Tests.Hostile;

/// <summary>
/// Hundreds of mutated bodies against the public endpoints of one running service (real PostgreSQL, real SoftHSM2):
/// never a 5xx; refusals are problem+json with a catalogue code (OCSP and TSA answer with their own protocol errors);
/// refused requests write no rows (counted in the database before and after), and the unmutated seeds still succeed.
/// </summary>
public sealed class HostileHttpTests(HostileFixture hostile, ITestOutputHelper output) : IClassFixture<HostileFixture>
{
    private readonly SigningFixture _fixture = hostile.Service;

    [Fact]
    public async Task CreateSignatureRequest_MutatedBodies_RefusedWithCatalogueCodesAndNoRows()
    {
        var client = await _fixture.CreateClientAsync();
        var (doctor, _, _) = await _fixture.CreateSignerAsync("doctor");
        var prescription = SigningFixture.Prescription();
        var death = Encoding.UTF8.GetBytes(SigningFixture.DeathCertificateJson());
        byte[] Body(byte[] document, string type, string mediaType) =>
            JsonSerializer.SerializeToUtf8Bytes(TestClient.Request(new { userId = doctor }, TestClient.Document(type, document, mediaType)));
        var prescriptionBody = Body(prescription, "prescription", "application/xml");
        var deathBody = Body(death, "death-certificate", "application/json");
        var before = await CountsAsync(client.ClientId);

        // Three corpora, interleaved by index: the JSON body mutated, the prescription XML mutated, the death certificate JSON mutated.
        var jsonBodies = new Mutator(Fuzz.Seed, HostileCorpus.JsonTokens) { MostlyValidUtf8 = true }.Corpus([prescriptionBody, deathBody], Fuzz.Iterations(120), truncateUpTo: 0);
        var xmlDocuments = new Mutator(Fuzz.Seed + 1, HostileCorpus.XmlTokens) { MostlyValidUtf8 = true }.Corpus([prescription], Fuzz.Iterations(100), truncateUpTo: 0)
            .Select(i => i with { Index = 10_000 + i.Index, Data = Body(i.Data, "prescription", "application/xml") });
        var deathDocuments = new Mutator(Fuzz.Seed + 2, HostileCorpus.JsonTokens) { MostlyValidUtf8 = true }.Corpus([death], Fuzz.Iterations(80), truncateUpTo: 0)
            .Select(i => i with { Index = 20_000 + i.Index, Data = Body(i.Data, "death-certificate", "application/json") });
        byte[][] hostileBodies =
        [
            Body(HostileCorpus.BillionLaughs(), "prescription", "application/xml"),
            Body(HostileCorpus.XmlDepthBomb(10_000), "prescription", "application/xml"),
            Body(HostileCorpus.JsonDepthBomb(10_000), "death-certificate", "application/json"),
            HostileCorpus.JsonDepthBomb(100_000),
            HostileCorpus.JsonObjectDepthBomb(10_000),
            .. HostileCorpus.ExternalEntities().Select(x => Body(x, "prescription", "application/xml")),
        ];
        var hostile = hostileBodies.Select((d, i) => new FuzzInput(30_000 + i, "hostile", d));

        var report = await Fuzz.RunAsync("POST /v1/signature-requests", Fuzz.Seed, jsonBodies.Concat(xmlDocuments).Concat(deathDocuments).Concat(hostile), async input =>
        {
            var (response, _) = await client.SendAsync(HttpMethod.Post, "/v1/signature-requests", rawBody: input.Data);
            return await HostileResponses.OutcomeAsync(response, s => s == HttpStatusCode.Created);
        });
        output.WriteLine(report.ToString());

        var after = await CountsAsync(client.ClientId);
        var created = report["201"];
        Assert.True(created >= 3, report.ToString()); // the two body seeds and the prescription document seed
        Assert.Equal(before.Requests + created, after.Requests);
        Assert.Equal(before.ClientAudit + created, after.ClientAudit);
        Assert.True(report.Outcomes.Keys.Count(k => k.StartsWith("400 ", StringComparison.Ordinal)) >= 3, report.ToString());
    }

    [Fact]
    public async Task PostOcsp_MutatedRequests_AlwaysOcspResponses()
    {
        var seed = await OcspRequestAsync();
        var inputs = new Mutator(Fuzz.Seed + 3).Corpus([seed], Fuzz.Iterations(250), truncateUpTo: 0)
            .Concat(HostileCorpus.HugeDeclaredSizes().Append(HostileCorpus.DerDepthBomb(5_000)).Select((d, i) => new FuzzInput(10_000 + i, "hostile", d)));

        var report = await Fuzz.RunAsync("POST /pki/ocsp", Fuzz.Seed + 3, inputs, async input =>
        {
            using var content = new ByteArrayContent(input.Data);
            content.Headers.ContentType = new MediaTypeHeaderValue(PkiEndpoints.OcspRequestType);
            using var response = await _fixture.Http.PostAsync(new Uri("/pki/ocsp", UriKind.Relative), content);
            return await OcspOutcomeAsync(response);
        });
        var get = await Fuzz.RunAsync("GET /pki/ocsp", Fuzz.Seed + 4, new Mutator(Fuzz.Seed + 4).Corpus([seed], Fuzz.Iterations(100), truncateUpTo: 0), async input =>
        {
            using var response = await _fixture.Http.GetAsync(new Uri("/pki/ocsp/" + Uri.EscapeDataString(Convert.ToBase64String(input.Data)), UriKind.Relative));
            return await OcspOutcomeAsync(response);
        });
        output.WriteLine(report.ToString());
        output.WriteLine(get.ToString());

        Assert.True(report["Successful"] >= 1, report.ToString());
        Assert.True(report["MalformedRequest"] > 0, report.ToString());
        Assert.True(get["Successful"] >= 1, get.ToString());
    }

    [Fact]
    public async Task PostTimestamp_MutatedRequests_AlwaysTimeStampResponses()
    {
        var seed = Rfc3161TimestampRequest.CreateFromHash(SHA256.HashData("fuzz"u8), HashAlgorithmName.SHA256, nonce: new byte[] { 1, 2, 3, 4 }, requestSignerCertificates: true).Encode();
        var inputs = new Mutator(Fuzz.Seed + 5).Corpus([seed], Fuzz.Iterations(250), truncateUpTo: 0)
            .Concat(HostileCorpus.HugeDeclaredSizes().Append(HostileCorpus.DerDepthBomb(5_000)).Select((d, i) => new FuzzInput(10_000 + i, "hostile", d)));

        var report = await Fuzz.RunAsync("POST /pki/tsa", Fuzz.Seed + 5, inputs, async input =>
        {
            using var content = new ByteArrayContent(input.Data);
            content.Headers.ContentType = new MediaTypeHeaderValue(PkiEndpoints.TimestampQueryType);
            using var response = await _fixture.Http.PostAsync(new Uri("/pki/tsa", UriKind.Relative), content);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return await HostileResponses.OutcomeAsync(response, _ => false);
            }

            var body = await response.Content.ReadAsByteArrayAsync();
            try
            {
                var status = new AsnReader(body, AsnEncodingRules.DER).ReadSequence().ReadSequence().ReadInteger();
                return $"status {status}";
            }
            catch (AsnContentException)
            {
                throw new FuzzFailureException($"200 with a body that is not a TimeStampResp: {Convert.ToHexString(body)}");
            }
        });
        output.WriteLine(report.ToString());

        Assert.True(report["status 0"] >= 1, report.ToString()); // granted
        Assert.True(report["status 2"] > 0, report.ToString());  // rejection
    }

    [Fact]
    public async Task Verify_MutatedSignedDocuments_ReportOrProblemNeverServerError()
    {
        var seeds = new[] { "Prescription-004_01.xml", "Dispensing-005_03.xml" }.Select(f => File.ReadAllBytes(XadesSample(f))).ToArray();
        var inputs = new Mutator(Fuzz.Seed + 6, HostileCorpus.XmlTokens) { MostlyValidUtf8 = true }.Corpus(seeds, Fuzz.Iterations(150), truncateUpTo: 0)
            .Concat(HostileCorpus.ExternalEntities().Append(HostileCorpus.BillionLaughs()).Append(HostileCorpus.XmlDepthBomb(100_000)).Select((d, i) => new FuzzInput(10_000 + i, "hostile", d)));

        var report = await Fuzz.RunAsync("POST /v1/verifications", Fuzz.Seed + 6, inputs, async input =>
        {
            using var content = new ByteArrayContent(input.Data);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
            using var response = await _fixture.Http.PostAsync(new Uri("/v1/verifications", UriKind.Relative), content);
            return await HostileResponses.OutcomeAsync(response, s => s == HttpStatusCode.OK);
        });
        output.WriteLine(report.ToString());

        Assert.True(report["200"] >= seeds.Length, report.ToString());
        Assert.True(report.Outcomes.Keys.Any(k => k.StartsWith("400 xades.", StringComparison.Ordinal)), report.ToString());
    }

    [Fact]
    public async Task ImportLicenseRegistry_MutatedCsv_RefusedWithoutWrites()
    {
        var actor = new AuditActor("cli", "fuzz-" + Guid.NewGuid().ToString("N")[..8]);
        var seed = Encoding.UTF8.GetBytes(
            ImportLicenseRegistry.Header + "\n" +
            "doctor,F-000001,2010-04-01,山田 太郎,1980-01-02,active\r\n" +
            "pharmacist,F-000002,2011-04-01,\"佐藤, 花子\",1985-03-04,revoked\n" +
            "dentist,F-000003,2012-04-01,\"Dr \"\"Q\"\"\",1970-12-31,active\n");
        byte[][] hostileFiles =
        [
            [0xEF, 0xBB, 0xBF, .. seed], [0xFF, 0xFE, .. seed], Encoding.UTF8.GetBytes(ImportLicenseRegistry.Header + "\n\"" + new string('x', 100_000)),
            Encoding.UTF8.GetBytes(ImportLicenseRegistry.Header + "\n" + string.Concat(Enumerable.Repeat(",", 200_000))),
            Encoding.UTF8.GetBytes(ImportLicenseRegistry.Header + "\n" + string.Concat(Enumerable.Repeat("\n", 200_000))),
            Encoding.UTF8.GetBytes(ImportLicenseRegistry.Header + "\ndoctor,F-9,99999-01-01,x,1980-01-02,active\n"),
        ];
        var hostile = hostileFiles.Select((d, i) => new FuzzInput(10_000 + i, "hostile", d));
        var before = await LicenseCountsAsync(actor.Id);
        var revoked = 0;

        var report = await Fuzz.RunAsync("license CSV import", Fuzz.Seed + 7, new Mutator(Fuzz.Seed + 7, HostileCorpus.CsvTokens) { MostlyValidUtf8 = true }.Corpus([seed], Fuzz.Iterations(400), truncateUpTo: 0).Concat(hostile), async input =>
        {
            try
            {
                var result = await _fixture.WithScopeAsync(sp => sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(input.Data, actor, CancellationToken.None));
                revoked += result.Revoked;
                return "imported";
            }
            catch (ServiceException ex) when (ex.Error == ErrorCatalogue.LicenseImportInvalid || ex.Error == ErrorCatalogue.PayloadTooLarge)
            {
                return ex.Error.Code;
            }
            catch (Exception ex) when (ex is not FuzzFailureException)
            {
                throw new FuzzFailureException($"{ex.GetType().FullName}: {ex.Message}");
            }
        });
        output.WriteLine(report.ToString());

        var after = await LicenseCountsAsync(actor.Id);
        Assert.True(report["imported"] >= 1, report.ToString());
        Assert.True(report[ErrorCatalogue.LicenseImportInvalid.Code] > 0, report.ToString());
        // One license.imported event per accepted file (plus one license.revoked per license that turned revoked), none for refused files.
        Assert.Equal(before.Imports + report["imported"], after.Imports);
        Assert.Equal(before.Audit + report["imported"] + revoked, after.Audit);
    }

    private static async Task<string> OcspOutcomeAsync(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return await HostileResponses.OutcomeAsync(response, _ => false);
        }

        if (response.Content.Headers.ContentType?.MediaType != PkiEndpoints.OcspResponseType)
        {
            throw new FuzzFailureException($"200 with {response.Content.Headers.ContentType}");
        }

        var body = await response.Content.ReadAsByteArrayAsync();
        try
        {
            return new AsnReader(body, AsnEncodingRules.DER).ReadSequence().ReadEnumeratedValue<SignatureService.Pki.Ocsp.OcspResponseStatus>().ToString();
        }
        catch (AsnContentException)
        {
            throw new FuzzFailureException($"200 with a body that is not an OCSPResponse: {Convert.ToHexString(body)}");
        }
    }

    /// <summary>An OCSP request (SHA-256 CertID) for serial 1 of the signing CA (answered: unknown).</summary>
    private async Task<byte[]> OcspRequestAsync()
    {
        var issuer = await _fixture.WithScopeAsync(async sp => await sp.GetRequiredService<SignatureServiceDbContext>().CertificateAuthorities
            .AsNoTracking().Where(c => c.Name == "signing").Select(c => c.CertificateDer).SingleAsync());
        using var ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(issuer);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("2.16.840.1.101.3.4.2.1");
                writer.WriteNull();
            }

            writer.WriteOctetString(SHA256.HashData(ca.SubjectName.RawData));
            writer.WriteOctetString(SHA256.HashData(ca.PublicKey.EncodedKeyValue.RawData));
            writer.WriteInteger(1);
        }

        return writer.Encode();
    }

    private async Task<(int Requests, int ClientAudit)> CountsAsync(string clientId) => await _fixture.WithScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<SignatureServiceDbContext>();
        return (await db.SignatureRequests.CountAsync(), await db.AuditEvents.CountAsync(a => a.ActorType == "client" && a.ActorId == clientId));
    });

    private async Task<(int Imports, int Audit)> LicenseCountsAsync(string actorId) => await _fixture.WithScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<SignatureServiceDbContext>();
        return (await db.AuditEvents.CountAsync(a => a.ActorId == actorId && a.Action == "license.imported"), await db.AuditEvents.CountAsync(a => a.ActorId == actorId));
    });

    private static string XadesSample(string file, [System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "SignatureService.Pki.Tests", "TestData", "XAdES", file));
}

/// <summary>
/// A signing service with rate limiting off: the fuzzer sends hundreds of requests a second from one address, and with the
/// limiter on almost all of them would stop at the 429 instead of reaching the parsers under test.
/// </summary>
public sealed class HostileFixture : IAsyncLifetime
{
    public SigningFixture Service { get; } = new(new Dictionary<string, string?> { ["RateLimiting:Enabled"] = "false" });

    public Task InitializeAsync() => Service.InitializeAsync();

    public Task DisposeAsync() => Service.DisposeAsync();
}
