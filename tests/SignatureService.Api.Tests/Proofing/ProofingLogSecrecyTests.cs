using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Hosting;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Api.Tests.Observability;
using SignatureService.Data.Audit;
using SignatureService.WebAuthn.Testing;
using static SignatureService.Api.Tests.Identity.IdentityHarness;

namespace SignatureService.Api.Tests.Proofing;

public sealed class ProofingLogSecrecyTests
{
    [Fact]
    public async Task FullPath_AtTraceLevel_LogsNoPersonalDataNorCode()
    {
        var capture = new LogCapture();
        var (baseFactory, db) = await ServiceFactory.CreateAsync(new Dictionary<string, string?> { ["RateLimiting:Enabled"] = "false" });
        await using var _ = db;
        await using var __ = baseFactory;
        await using var factory = baseFactory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(capture).SetMinimumLevel(LogLevel.Trace)));
        using var anonymous = factory.CreateClient();
        for (var i = 0; i < 300 && !factory.Services.GetRequiredService<DatabaseStatus>().IsMigrated; i++)
        {
            await Task.Delay(50);
        }

        async Task<T> Scoped<T>(Func<IServiceProvider, Task<T>> action)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            return await action(scope.ServiceProvider);
        }

        async Task<SoftwareRegistration> RegisterAsync(string optionsPath, string path, Guid enrollmentId, string code, HttpClient browser)
        {
            var options = await browser.PostAsJsonAsync(optionsPath, new { enrollmentId, code });
            await Expect(options, HttpStatusCode.OK);
            var publicKey = (await options.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey");
            var registration = TestTrust.Default.Authenticator.MakeCredential(new MakeCredentialRequest(
                TestTrust.RpId, TestTrust.Origin, Base64Url.DecodeFromChars(publicKey.GetProperty("challenge").GetString()))
            {
                UserHandle = Base64Url.DecodeFromChars(publicKey.GetProperty("user").GetProperty("id").GetString()),
            });
            await Expect(await browser.PostAsJsonAsync(path, new { enrollmentId, code, credential = CredentialJson(registration) }), HttpStatusCode.Created);
            return registration;
        }

        async Task<Actor> OperatorAsync()
        {
            var (userId, enrollment) = await Scoped(sp => sp.GetRequiredService<OperatorEnrollment>()
                .CreateAsync("RA Operator", ["ra-operator"], AuditActor.CommandLine("test"), CancellationToken.None));
            var registration = await RegisterAsync("/v1/identity/registration/options", "/v1/identity/registration", enrollment.EnrollmentId, enrollment.Code, anonymous);
            var browser = factory.CreateClient();
            var challengeResponse = await browser.PostAsync("/v1/identity/login/options", null);
            var challenge = Base64Url.DecodeFromChars((await challengeResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey").GetProperty("challenge").GetString());
            var login = await browser.PostAsJsonAsync("/v1/identity/login", new { credential = CredentialJson(Sign(registration.Credential, challenge)) });
            await Expect(login, HttpStatusCode.OK);
            return new Actor(userId, browser, (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("csrfToken").GetString()!);
        }

        await Scoped(sp => sp.GetRequiredService<InitializeCertificateAuthority>().InitializeAsync(ProofingFixture.CaOperator, CancellationToken.None));
        var number = ProofingFixture.NewLicenseNumber();
        await Scoped(sp => sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(
            System.Text.Encoding.UTF8.GetBytes($"{ImportLicenseRegistry.Header}\ndentist,{number},2011-04-01,歯科 花子,1985-05-06,active\n"),
            ProofingFixture.CaOperator, CancellationToken.None));
        var verifier = await OperatorAsync();
        var approver = await OperatorAsync();
        var created = await verifier.PostAsync("/v1/proofing/applications", ProofingFixture.Application("dentist", number));
        await Expect(created, HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Expect(await verifier.PostAsync($"/v1/proofing/applications/{id}/evidence", ProofingFixture.Superior("QXZ 4321 8765 WZ")), HttpStatusCode.Created);
        await Expect(await verifier.PostAsync($"/v1/proofing/applications/{id}/verification", ProofingFixture.Ial3Session()), HttpStatusCode.OK);
        var (_, enrollmentId, code) = await ProofingFixture.ApproveAsync(approver, id);
        await ExpectProblem(await anonymous.PostAsJsonAsync("/v1/proofing/binding/options", new { enrollmentId, code = "WRONG-CODE-4711" }), 400, "identity.enrollment-invalid");
        await RegisterAsync("/v1/proofing/binding/options", "/v1/proofing/binding", enrollmentId, code, anonymous);

        await Task.Delay(300);
        var lines = capture.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("registered key", StringComparison.Ordinal));
        var personal = new[]
        {
            "歯科", "花子", "シカ", "ハナコ", "SHIKA HANAKO", "1985-05-06", "100-0001", "千代田区千代田", "03-1234-5678", "hanako@example.jp",
            number, "QXZ 4321 8765 WZ", "QXZ43218765WZ", "8765 WZ", code, code.Replace("-", "", StringComparison.Ordinal), "WRONG-CODE-4711", "例歯科クリニック", "Example Dental Clinic",
        };
        foreach (var value in personal)
        {
            var leak = lines.FirstOrDefault(l => l.Contains(value, StringComparison.Ordinal));
            Assert.True(leak is null, $"personal data or a code reached the logs ({value}): {leak?[..Math.Min(leak.Length, 300)]}");
        }
    }
}
