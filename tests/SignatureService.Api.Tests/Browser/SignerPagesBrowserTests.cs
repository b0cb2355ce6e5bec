using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SignatureService.Api.Features.Clients;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Features.SignatureRequests;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Api.Tests.SignatureRequests;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Identity;
using SignatureService.Data.Users;
using static SignatureService.Api.Tests.Browser.BrowserHarness;

namespace SignatureService.Api.Tests.Browser;

/// <summary>
/// The signer pages in Debian's Chromium with its virtual authenticator: sign in, queue, readable documents, a batch of two
/// prescriptions and a death certificate approved on the key and signed, one rejected, verification in the history, another
/// signer's request refused, an expired session sent back to sign in. With SIGNSVC_UPDATE_SCREENSHOTS=1 it rewrites docs/screenshots.
/// </summary>
public sealed class SignerPagesBrowserTests
{
    private static readonly AuditActor Operator = new("cli", "browser-test");

    [Fact]
    public async Task SignerPages_LoginApproveBatchRejectVerify_AndBoundaries()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var pem = await PinVirtualAuthenticatorAsync(browser);
        try
        {
            await using var service = await StartTrustingAsync(pem);
            await WithScopeAsync(service, sp => sp.GetRequiredService<InitializeCertificateAuthority>().InitializeAsync(Operator, CancellationToken.None));
            var signer = await CreateSignerAsync(service, "R7000001");
            var other = await CreateSignerAsync(service, "R7000002");
            var (clientRow, clientId) = await CreateClientAsync(service);
            var rx1 = await SubmitAsync(service, clientRow, clientId, signer, Doc("prescription", SigningFixture.Prescription(), "application/xml"));
            var rx2 = await SubmitAsync(service, clientRow, clientId, signer, Doc("prescription", SigningFixture.Prescription(), "application/xml"));
            var death = await SubmitAsync(service, clientRow, clientId, signer,
                Doc("death-certificate", Encoding.UTF8.GetBytes(SigningFixture.DeathCertificateJson()), "application/json"));
            var toReject = await SubmitAsync(service, clientRow, clientId, signer, Doc("prescription", SigningFixture.Prescription(), "application/xml"));
            var foreign = await SubmitAsync(service, clientRow, clientId, other, Doc("prescription", SigningFixture.Prescription(), "application/xml"));

            // Enrol the signer's key in the page, then sign in and land on the signer pages.
            var enrollment = await WithScopeAsync(service, async sp =>
            {
                var issued = sp.GetRequiredService<EnrollmentCodes>().Stage(signer, EnrollmentPurpose.Operator, "test", TimeSpan.FromHours(1));
                await sp.GetRequiredService<SignatureServiceDbContext>().SaveChangesAsync();
                return issued;
            });
            var page = await SignInPageBrowserTests.OpenPageWithAuthenticatorAsync(browser, service.Origin);
            await page.FillAsync("#enrollment-id", enrollment.EnrollmentId.ToString());
            await page.FillAsync("#enrollment-code", enrollment.Code);
            await page.ClickAsync("#register");
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("セキュリティキーを登録しました。ログインできます。");
            await page.GotoAsync($"{service.Origin}/login.html?next=/signer.html");
            await page.ClickAsync("#login");
            await page.WaitForURLAsync($"{service.Origin}/signer.html");

            // The queue: four pending requests, newest first; the other signer's is not there.
            var rows = page.Locator("#queue-rows tr");
            await Assertions.Expect(rows).ToHaveCountAsync(4);
            Assert.Equal(toReject.ToString(), await rows.Nth(0).GetAttributeAsync("data-request-row"));
            Assert.Equal(0, await page.Locator($"[data-request-row='{foreign}']").CountAsync());
            await Screenshot(page, "signer-queue.png");

            // Filter by type.
            await page.SelectOptionAsync("#filter-type", "death-certificate");
            await page.ClickAsync("#filters button[type=submit]");
            await Assertions.Expect(rows).ToHaveCountAsync(1);
            await page.SelectOptionAsync("#filter-type", "");
            await page.ClickAsync("#filters button[type=submit]");
            await Assertions.Expect(rows).ToHaveCountAsync(4);

            // Documents rendered readably from the stored bytes.
            await page.ClickAsync($"[data-open='{rx1}']");
            await Assertions.Expect(page.Locator("article.prescription")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("article.prescription")).ToContainTextAsync("Rp1");
            await Screenshot(page, "signer-prescription.png");
            await page.ClickAsync("#detail-back");
            await page.ClickAsync($"[data-open='{death}']");
            await Assertions.Expect(page.Locator("article.death-certificate")).ToContainTextAsync("急性心筋梗塞");
            await Assertions.Expect(page.Locator("article.death-certificate")).ToContainTextAsync("死亡　太郎");
            await Screenshot(page, "signer-death-certificate.png");
            await page.ClickAsync("#detail-back");

            // Reject one with a reason.
            await page.ClickAsync($"[data-open='{toReject}']");
            await page.FillAsync("#reject-reason", "用量を確認してください");
            await page.ClickAsync("#reject");
            await Assertions.Expect(rows).ToHaveCountAsync(3);

            // Approve the batch: the confirmation names three documents, the key signs, all three are signed.
            foreach (var id in new[] { rx1, rx2, death })
            {
                await page.CheckAsync($"[data-request='{id}']");
            }

            await page.ClickAsync("#approve");
            await Assertions.Expect(page.Locator("#confirm-list li")).ToHaveCountAsync(3);
            await Screenshot(page, "signer-confirm.png");
            await page.ClickAsync("#confirm-go");
            await Assertions.Expect(page.Locator("#queue-empty")).ToBeVisibleAsync();
            for (var i = 0; i < 600 && await service.Db.ScalarAsync<long>(
                     $"SELECT count(*) FROM signature_requests WHERE status = 'signed' AND id IN ('{rx1}', '{rx2}', '{death}')") < 3; i++)
            {
                await Task.Delay(100);
            }

            await page.ClickAsync("[data-view=history]");
            await Assertions.Expect(page.Locator("#history-rows tr")).ToHaveCountAsync(3);
            await page.ClickAsync($"[data-signed='{death}/1'] button");
            await Assertions.Expect(page.Locator($"[data-signed='{death}/1'] .ok")).ToHaveTextAsync("有効");
            await Screenshot(page, "signer-history.png");
            Assert.Equal("rejected", await service.Db.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{toReject}'"));

            // Another signer's request: not found from this session, whichever way it is asked for.
            var peek = await page.APIRequest.GetAsync($"{service.Origin}/v1/me/signature-requests/{foreign}");
            Assert.Equal(404, peek.Status);
            var peekBytes = await page.APIRequest.GetAsync($"{service.Origin}/v1/me/signature-requests/{foreign}/documents/1");
            Assert.Equal(404, peekBytes.Status);

            // Security keys: the one registered key, active.
            await page.ClickAsync("[data-view=keys]");
            await Assertions.Expect(page.Locator("#key-list li")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("#key-list li")).ToContainTextAsync("有効");
            await page.ClickAsync("[data-view=history]");

            // English toggle.
            await page.ClickAsync("#lang");
            await Assertions.Expect(page.Locator("#history-heading")).ToHaveTextAsync("Signed");

            // The session ends: the next action sends the user back to sign in, with the reason shown.
            await service.Db.ExecuteAsync($"UPDATE user_sessions SET expires_at = created_at + interval '1 millisecond' WHERE user_id = '{signer}'");
            await page.ClickAsync("[data-view=queue]");
            await page.WaitForURLAsync($"{service.Origin}/login.html?next=/signer.html");
            await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("Your session has expired");
        }
        finally
        {
            File.Delete(pem.Path);
        }
    }

    private static async Task<(Guid Row, string ClientId)> CreateClientAsync(SignInPageBrowserTests.RunningService service)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientId = "ehr-" + Guid.NewGuid().ToString("N")[..12];
        var record = await WithScopeAsync(service, sp => sp.GetRequiredService<ClientRegistration>().RegisterAsync(
            new RegisterClientInput(clientId, "さくら病院 電子カルテ", [new ClientKeyInput("k1", "ES256", Jose.PublicJwk(key))], []),
            Operator, CancellationToken.None));
        return (record.Id, clientId);
    }

    private static object Doc(string type, byte[] content, string mediaType) =>
        new { type, mediaType, content = Convert.ToBase64String(content) };

    private static async Task<Guid> SubmitAsync(
        SignInPageBrowserTests.RunningService service, Guid clientRow, string clientId, Guid signer, object document)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new { signer = new { userId = signer }, documents = new[] { document } });
        var created = await WithScopeAsync(service, sp => sp.GetRequiredService<SignatureRequestWorkflows>()
            .CreateAsync(clientRow, clientId, body, null, CancellationToken.None));
        await Task.Delay(5); // distinct creation times keep "newest first" unambiguous
        return created.Request.Id;
    }
}
