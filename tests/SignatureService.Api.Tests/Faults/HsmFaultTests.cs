using System.Net;
using System.Text.Json;
using SignatureService.Api.Tests.Approvals;
using SignatureService.Api.Tests.SignatureRequests;
using SignatureService.Testing;

namespace SignatureService.Api.Tests.Faults;

/// <summary>
/// The HSM disappears while the service runs and comes back: readiness and HSM-backed endpoints answer 503 with Retry-After,
/// requests can still be submitted, an approved request waits without being lost, and it is signed once the HSM returns.
/// The service runs as a process on a PKCS#11 module that forwards to SoftHSM2 and answers CKR_DEVICE_REMOVED while a
/// marker file exists (tests/native/p11fault.c).
/// </summary>
[Collection(FaultTests.Name)]
public sealed class HsmFaultTests
{
    [Fact]
    public async Task HsmGoneAndBack_ServiceAnswers503ThenSignsTheWaitingRequestOnce()
    {
        var marker = Path.Combine(Path.GetTempPath(), "signsvc-p11fault-" + Guid.NewGuid().ToString("N"));
        // Note: the in-process service takes requests and approvals but does not sign; the service process on the fault module does.
        var fixture = new SigningFixture { Settings = new Dictionary<string, string?> { ["Signing:WorkerEnabled"] = "false" } };
        await fixture.InitializeAsync();
        try
        {
            var client = await fixture.CreateClientAsync();
            var session = await fixture.CreateSignerSessionAsync("doctor");
            var signer = session.UserId;
            var settings = new Dictionary<string, string?>(fixture.Factory.Settings)
            {
                ["Hsm:ModulePath"] = TestEnvironment.Require("SIGNSVC_TEST_HSM_FAULT_MODULE"),
                ["Signing:WorkerEnabled"] = "true",
            };

            await using var service = await ServiceProcess.StartAsync(settings, new Dictionary<string, string>
            {
                ["SIGNSVC_P11FAULT_MODULE"] = TestEnvironment.HsmModulePath,
                ["SIGNSVC_P11FAULT_FILE"] = marker,
            });
            using var http = new HttpClient { BaseAddress = service.Address };

            // 1. The HSM goes away.
            await File.WriteAllTextAsync(marker, "");
            using (var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            }

            using (var keys = await http.GetAsync(new Uri("/v1/callback-keys", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, keys.StatusCode);
                Assert.True(keys.Headers.RetryAfter?.Delta?.TotalSeconds >= 1);
                var problem = JsonDocument.Parse(await keys.Content.ReadAsStringAsync()).RootElement;
                Assert.Equal("dependency.hsm-unavailable", problem.GetProperty("code").GetString());
            }

            // Submitting needs no HSM; the approved request waits.
            var id = await CreateAsync(http, client, signer);
            await session.ApproveAsync(id);
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Contains(await fixture.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{id}'"),
                new[] { "approved", "signing" });
            Assert.Equal(0L, await fixture.Database.ScalarAsync<long>(
                $"SELECT count(*) FROM signature_request_documents WHERE request_id = '{id}' AND signed_content IS NOT NULL"));

            // 2. The HSM comes back: ready again, and the request is signed exactly once, without waiting out a lease.
            File.Delete(marker);
            var status = "";
            for (var i = 0; i < 300 && status != "signed"; i++)
            {
                await Task.Delay(100);
                status = (await fixture.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{id}'"))!;
            }

            Assert.Equal("signed", status);
            using (var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }

            Assert.Equal(1L, await fixture.Database.ScalarAsync<long>(
                $"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{id}'"));
        }
        finally
        {
            File.Delete(marker);
            await fixture.DisposeAsync();
        }
    }

    private static async Task<Guid> CreateAsync(HttpClient http, TestClient client, Guid signer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/signature-requests")
        {
            Content = System.Net.Http.Json.JsonContent.Create(
                TestClient.Request(new { userId = signer }, TestClient.Document("prescription", SigningFixture.Prescription()))),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", client.Token());
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }
}
