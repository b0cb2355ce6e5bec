using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Features.Pki;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Identity;
using SignatureService.Data.Users;
using SignatureService.Pki.Tests.Support;
using static SignatureService.Api.Tests.Browser.BrowserHarness;

namespace SignatureService.Api.Tests.Browser;

/// <summary>
/// The CA operator page (ca.html) and the auditor page (audit.html) in Debian's Chromium with its virtual authenticator: a CA
/// operator finds a signer's certificate, suspends, resumes and revokes it (each behind a confirmation), sees the history,
/// issues a CRL that openssl shows the serial on, imports a license CSV (counts, then line-numbered errors) and sees CRL status;
/// an auditor finds the revocation event and verifies the trail; a signer and an RA operator get the wrong-role message on both
/// pages and the API refuses them. With SIGNSVC_UPDATE_SCREENSHOTS=1 it rewrites docs/screenshots/ca-*.png and audit-*.png.
/// </summary>
public sealed class CaPagesBrowserTests
{
    private static readonly AuditActor Setup = new("cli", "browser-test");

    [Fact]
    public async Task CaAndAuditPages_OperatorChangesStatusImportsAndIssuesCrl_AuditorFindsAndVerifies_OthersRefused()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var pem = await PinVirtualAuthenticatorAsync(browser);
        try
        {
            await using var service = await StartTrustingAsync(pem);
            await WithScopeAsync(service, sp => sp.GetRequiredService<InitializeCertificateAuthority>().InitializeAsync(Setup, CancellationToken.None));
            var signer = await CreateSignerAsync(service, "R8000001");
            var serial = await service.Db.ScalarAsync<string>(
                $"SELECT upper(encode(serial_number, 'hex')) FROM certificates WHERE user_id = '{signer}' AND kind = 'signer'");
            Assert.NotNull(serial);

            // ---- CA operator ----
            var ca = await SignInAsync(browser, service, await OperatorCodeAsync(service, "ca-operator", "認証局 運用者"), "/ca.html");
            await Assertions.Expect(ca.Locator("#certificates-heading")).ToBeVisibleAsync();

            // Find the signer's certificate by signer id and open it.
            await ca.FillAsync("#search-signer", signer.ToString());
            await ca.ClickAsync("#search button[type=submit]");
            var rows = ca.Locator("#certificate-rows tr");
            await Assertions.Expect(rows).ToHaveCountAsync(1);
            Assert.Equal(serial, await rows.First.GetAttributeAsync("data-serial"));
            await Assertions.Expect(rows.First).ToContainTextAsync("医師");
            await rows.First.Locator("button").ClickAsync();
            await Assertions.Expect(ca.Locator("#certificate-heading")).ToBeFocusedAsync();
            await Assertions.Expect(ca.Locator("#certificate-fields")).ToContainTextAsync("YAMADA TARO");
            await Assertions.Expect(ca.Locator("#resume")).ToBeHiddenAsync();

            // Suspend: the confirmation names the serial and the subject; nothing happens until it is confirmed.
            await ca.ClickAsync("#suspend");
            await Assertions.Expect(ca.Locator("#confirm-text")).ToContainTextAsync(serial);
            await Assertions.Expect(ca.Locator("#confirm-text")).ToContainTextAsync("YAMADA TARO");
            Assert.Equal("good", await StatusAsync(service, serial));
            await ca.ClickAsync("#confirm-go");
            await Assertions.Expect(ca.Locator("#history-rows tr")).ToHaveCountAsync(2);
            Assert.Equal("on-hold", await StatusAsync(service, serial));
            await Assertions.Expect(ca.Locator("#suspend")).ToBeHiddenAsync();

            // Cancel is a real way out.
            await ca.ClickAsync("#resume");
            await ca.ClickAsync("#confirm-cancel");
            await Assertions.Expect(ca.Locator("#confirm")).ToBeHiddenAsync();
            Assert.Equal("on-hold", await StatusAsync(service, serial));

            // Resume, then revoke for keyCompromise.
            await ca.ClickAsync("#resume");
            await Assertions.Expect(ca.Locator("#confirm-text")).ToContainTextAsync(serial);
            await ca.ClickAsync("#confirm-go");
            await Assertions.Expect(ca.Locator("#history-rows tr")).ToHaveCountAsync(3);
            Assert.Equal("good", await StatusAsync(service, serial));
            await ca.SelectOptionAsync("#revoke-reason", "keyCompromise");
            await ca.ClickAsync("#revoke");
            await Assertions.Expect(ca.Locator("#confirm-text")).ToContainTextAsync(serial);
            await Assertions.Expect(ca.Locator("#confirm-text")).ToContainTextAsync("鍵の危殆化");
            await ca.ClickAsync("#confirm-go");
            await Assertions.Expect(ca.Locator("#history-rows tr")).ToHaveCountAsync(4);
            await Assertions.Expect(ca.Locator("#status")).ToContainTextAsync("失効させました");
            Assert.Equal(["issued", "suspended", "resumed", "revoked"],
                await ca.Locator("#history-rows tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.event)"));
            await Assertions.Expect(ca.Locator("#history-rows tr").Nth(3)).ToContainTextAsync("鍵の危殆化");
            await Assertions.Expect(ca.Locator("#revoke-form")).ToBeHiddenAsync();
            Assert.Equal("revoked", await StatusAsync(service, serial));
            Assert.Equal(1L, await service.Db.ScalarAsync<long>(
                $"SELECT count(*) FROM revocations r JOIN certificates c ON c.id = r.certificate_id WHERE upper(encode(c.serial_number, 'hex')) = '{serial}' AND r.reason = 1"));
            await Screenshot(ca, "ca-certificate.png");

            // CRL status: one row per CA; "issue now" raises the signing CA's number, and openssl finds the serial on that CRL.
            await ca.ClickAsync("[data-view=crls]");
            await Assertions.Expect(ca.Locator("#crl-rows tr")).ToHaveCountAsync(3);
            var signingRow = ca.Locator("#crl-rows tr[data-ca=signing]");
            var before = long.Parse((await signingRow.Locator("[data-crl-number]").GetAttributeAsync("data-crl-number"))!, System.Globalization.CultureInfo.InvariantCulture);
            await signingRow.Locator("button").ClickAsync();
            await Assertions.Expect(signingRow.Locator("[data-crl-number]")).ToHaveAttributeAsync("data-crl-number", (before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Assertions.Expect(signingRow).ToContainTextAsync("最新");
            Assert.Equal(before + 1, await service.Db.ScalarAsync<long>(
                "SELECT max(c.crl_number) FROM crls c JOIN certificate_authorities a ON a.id = c.ca_id WHERE a.name = 'signing'"));
            using (var dir = new TempDir())
            {
                var crl = await ca.APIRequest.GetAsync($"{service.Origin}/pki/crl/signing.crl");
                var text = OpenSsl.Run(dir.Path, "crl", "-inform", "DER", "-in", dir.Write("signing.crl", await crl.BodyAsync()), "-noout", "-text");
                Assert.Equal(0, text.ExitCode);
                Assert.Contains($"Serial Number: {serial}", text.StdOut, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("Key Compromise", text.StdOut, StringComparison.Ordinal);
            }

            // License registry: a good file shows its counts; a bad one shows the server's line-numbered reasons and changes nothing.
            await ca.ClickAsync("[data-view=licenses]");
            await ca.SetInputFilesAsync("#license-file", Csv("licenses.csv",
                "doctor,R8100001,2012-04-01,佐藤 花子,1985-05-06,active", "pharmacist,R8100002,2015-04-01,鈴木 一郎,1990-07-08,active"));
            await ca.ClickAsync("#license-import");
            await Assertions.Expect(ca.Locator("[data-count=rows]")).ToHaveTextAsync("2");
            await Assertions.Expect(ca.Locator("[data-count=added]")).ToHaveTextAsync("2");
            await Assertions.Expect(ca.Locator("#license-result-heading")).ToBeFocusedAsync();
            await ca.SetInputFilesAsync("#license-file", Csv("broken.csv",
                "doctor,R8100003,2012-04-01,田中 次郎,1985-05-06,active", "surgeon,R8100004,not-a-date,高橋 三郎,1980-01-01,active"));
            await ca.ClickAsync("#license-import");
            await Assertions.Expect(ca.Locator("#license-errors [data-line='line 3']")).ToBeVisibleAsync();
            await Assertions.Expect(ca.Locator("#status")).ToContainTextAsync("license.import-invalid");
            Assert.Equal(0L, await service.Db.ScalarAsync<long>("SELECT count(*) FROM license_registry WHERE license_number IN ('R8100003', 'R8100004')"));

            // English switch.
            await ca.ClickAsync("#lang");
            await Assertions.Expect(ca.Locator("#licenses-heading")).ToHaveTextAsync("License registry");

            // ---- Auditor ----
            var audit = await SignInAsync(browser, service, await OperatorCodeAsync(service, "auditor", "監査 担当者"), "/audit.html");
            await Assertions.Expect(audit.Locator("#event-rows tr").First).ToBeVisibleAsync();
            await audit.FillAsync("#filter-action", "certificate.revoked");
            await audit.FillAsync("#filter-subject", serial);
            await audit.ClickAsync("#filters button[type=submit]");
            var events = audit.Locator("#event-rows tr");
            await Assertions.Expect(events).ToHaveCountAsync(1);
            await Assertions.Expect(events.First).ToHaveAttributeAsync("data-action", "certificate.revoked");
            await events.First.Locator("button").ClickAsync();
            await Assertions.Expect(audit.Locator("#event-heading")).ToBeFocusedAsync();
            await Assertions.Expect(audit.Locator("#event-details")).ToContainTextAsync("\"reason\": \"keyCompromise\"");
            await Assertions.Expect(audit.Locator("#event-fields")).ToContainTextAsync(serial);
            // The language switch re-renders the open event, not only the list.
            await Assertions.Expect(audit.Locator("#event-fields dt").First).ToHaveTextAsync("番号");
            await audit.ClickAsync("#lang");
            await Assertions.Expect(audit.Locator("#event-fields dt").First).ToHaveTextAsync("No.");
            await audit.ClickAsync("#lang");
            await audit.ClickAsync("#event-back");

            // The whole trail verifies.
            await audit.FillAsync("#filter-action", "certificate.*");
            await audit.FillAsync("#filter-subject", serial);
            await audit.ClickAsync("#filters button[type=submit]");
            await Assertions.Expect(audit.Locator("#event-rows tr[data-action='certificate.issued']")).ToHaveCountAsync(1);
            var changes = (await events.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.action)")).Where(a => a != "certificate.viewed");
            Assert.Equal(["certificate.revoked", "certificate.resumed", "certificate.suspended", "certificate.issued"], changes);
            await audit.ClickAsync("#verify");
            await Assertions.Expect(audit.Locator("#verification")).ToHaveAttributeAsync("data-intact", "true");
            await Assertions.Expect(audit.Locator("#verification-heading")).ToContainTextAsync("検証成功");
            await Screenshot(audit, "audit-trail.png");

            // ---- The wrong roles: the page says so and shows nothing; the API refuses. ----
            var enrollment = await WithScopeAsync(service, async sp =>
            {
                var issued = sp.GetRequiredService<EnrollmentCodes>().Stage(signer, EnrollmentPurpose.Operator, "test", TimeSpan.FromHours(1));
                await sp.GetRequiredService<SignatureServiceDbContext>().SaveChangesAsync();
                return issued;
            });
            var signerPage = await SignInAsync(browser, service, (enrollment.EnrollmentId, enrollment.Code), "/ca.html");
            var raPage = await SignInAsync(browser, service, await OperatorCodeAsync(service, "ra-operator", "登録局 運用者"), "/ca.html");
            foreach (var page in new[] { signerPage, raPage })
            {
                await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("ca-operator");
                await Assertions.Expect(page.Locator("#tabs")).ToBeHiddenAsync();
                await Assertions.Expect(page.Locator("#view-certificates")).ToBeHiddenAsync();
                await page.GotoAsync($"{service.Origin}/audit.html");
                await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("auditor");
                await Assertions.Expect(page.Locator("#view-events")).ToBeHiddenAsync();
                Assert.Equal(403, (await page.APIRequest.GetAsync($"{service.Origin}/v1/ca/certificates")).Status);
                Assert.Equal(403, (await page.APIRequest.GetAsync($"{service.Origin}/v1/audit/events")).Status);
            }
        }
        finally
        {
            File.Delete(pem.Path);
        }
    }

    /// <summary>Registers a key with the enrollment code on the sign-in page, signs in with <c>next=</c>, and waits for that page.</summary>
    private static async Task<IPage> SignInAsync(
        IBrowser browser, SignInPageBrowserTests.RunningService service, (Guid EnrollmentId, string Code) enrollment, string next)
    {
        var page = await SignInPageBrowserTests.OpenPageWithAuthenticatorAsync(browser, service.Origin);
        await page.FillAsync("#enrollment-id", enrollment.EnrollmentId.ToString());
        await page.FillAsync("#enrollment-code", enrollment.Code);
        await page.ClickAsync("#register");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("セキュリティキーを登録しました。ログインできます。");
        await page.GotoAsync($"{service.Origin}/login.html?next={next}");
        await LoginAndLandAsync(page, $"{service.Origin}{next}");
        return page;
    }

    private static async Task<(Guid EnrollmentId, string Code)> OperatorCodeAsync(
        SignInPageBrowserTests.RunningService service, string role, string name) =>
        await WithScopeAsync(service, async sp =>
        {
            var (_, enrollment) = await sp.GetRequiredService<OperatorEnrollment>().CreateAsync(name, [role], Setup, CancellationToken.None);
            return (enrollment.EnrollmentId, EnrollmentCodes.Format(enrollment.Code));
        });

    private static async Task<string?> StatusAsync(SignInPageBrowserTests.RunningService service, string serial) =>
        await service.Db.ScalarAsync<string>($"SELECT status FROM certificates WHERE upper(encode(serial_number, 'hex')) = '{serial}'");

    private static FilePayload Csv(string name, params string[] rows) => new()
    {
        Name = name,
        MimeType = "text/csv",
        Buffer = Encoding.UTF8.GetBytes(ImportLicenseRegistry.Header + "\n" + string.Join("\n", rows) + "\n"),
    };
}
