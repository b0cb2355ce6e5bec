using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Features.Pki;
using SignatureService.Data.Audit;
using static SignatureService.Api.Tests.Browser.BrowserHarness;

namespace SignatureService.Api.Tests.Browser;

/// <summary>
/// The RA operator page in Debian's Chromium with its virtual authenticator: operator A records an application, adds evidence
/// and verifies it, and sees the approval disabled with the dual-control reason (the API refuses too); operator B, in a second
/// browser context with its own authenticator, approves it and gets the enrollment letter; the applicant, in a third context,
/// enrols through /enroll.html with the letter's id and code; B suspends and reinstates the signer; the signer opening /ra.html
/// sees the wrong-role message and no data. With SIGNSVC_UPDATE_SCREENSHOTS=1 it rewrites docs/screenshots/ra-*.png.
/// </summary>
public sealed class RaPagesBrowserTests
{
    private static readonly AuditActor Cli = new("cli", "browser-test");

    [Fact]
    public async Task RaPages_RecordVerifyDualControlApproveLetterEnroll_AndWrongRole()
    {
        Assertions.SetDefaultExpectTimeout(30_000);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var pem = await PinVirtualAuthenticatorAsync(browser);
        try
        {
            await using var service = await StartTrustingAsync(pem);
            await WithScopeAsync(service, sp => sp.GetRequiredService<InitializeCertificateAuthority>().InitializeAsync(Cli, CancellationToken.None));
            var license = "D" + Guid.NewGuid().ToString("N")[..10];
            await WithScopeAsync(service, sp => sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(
                Encoding.UTF8.GetBytes($"{ImportLicenseRegistry.Header}\ndentist,{license},2011-04-01,試験 花子,1985-05-06,active\n"),
                Cli, CancellationToken.None));

            // Operator A records, adds evidence and verifies.
            var a = await SignInOperatorAsync(browser, service, "RA 一郎");
            await a.ClickAsync("[data-view=new]");
            await Assertions.Expect(a.Locator("#new-heading")).ToBeFocusedAsync();
            await a.SelectOptionAsync("#a-profile", "nist-800-63a-4-ial3");
            await a.SelectOptionAsync("#a-route", "in-person");
            await a.FillAsync("#a-familyName", "試験");
            await a.FillAsync("#a-givenName", "花子");
            await a.FillAsync("#a-familyNameKana", "shiken");
            await a.FillAsync("#a-givenNameKana", "ハナコ");
            await a.FillAsync("#a-nameRomaji", "SHIKEN HANAKO");
            await a.FillAsync("#a-dateOfBirth", "1985-05-06");
            await a.SelectOptionAsync("#a-sex", "female");
            await a.FillAsync("#a-postalCode", "100-0001");
            await a.FillAsync("#a-address", "東京都千代田区千代田１－１");
            await a.FillAsync("#a-phone", "03-1234-5678");
            await a.SelectOptionAsync("#a-profession", "dentist");
            await a.FillAsync("#a-licenseNumber", license);
            await a.FillAsync("#a-licenseRegistrationDate", "2011-04-01");
            await a.FillAsync("#a-facilityName", "例歯科クリニック");
            await a.FillAsync("#a-facilityNameRomaji", "Example Dental Clinic");

            // Client-side validation mirrors the server's: romaji in a kana field is stopped in the page, nothing is sent.
            await a.ClickAsync("#record");
            await Assertions.Expect(a.Locator("#a-familyNameKana-error")).ToHaveTextAsync("カナ（ひらがな・カタカナ）で入力してください。");
            await Assertions.Expect(a.Locator("#a-familyNameKana")).ToHaveAttributeAsync("aria-invalid", "true");
            await Assertions.Expect(a.Locator("#a-familyNameKana")).ToBeFocusedAsync();
            Assert.Equal(0L, await service.Db.ScalarAsync<long>("SELECT count(*) FROM proofing_applications"));
            await a.FillAsync("#a-familyNameKana", "シケン");
            await a.ClickAsync("#record");
            await Assertions.Expect(a.Locator("#detail-status")).ToHaveAttributeAsync("data-status", "recorded");
            await Assertions.Expect(a.Locator("#detail-heading")).ToBeFocusedAsync();
            var applicationId = await service.Db.ScalarAsync<Guid>("SELECT id FROM proofing_applications");

            await a.SelectOptionAsync("#e-kind", "my-number-card");
            await a.SelectOptionAsync("#e-strength", "superior");
            await a.FillAsync("#e-issuer", "千代田区");
            await a.FillAsync("#e-number", "1234 5678 9012");
            await a.FillAsync("#e-expiresOn", "2031-05-06");
            await a.SelectOptionAsync("#e-validationMethod", "ic-chip-read");
            await a.ClickAsync("#add-evidence");
            await Assertions.Expect(a.Locator("#evidence-rows [data-masked]")).ToHaveTextAsync("********9012");
            Assert.Equal("", await a.InputValueAsync("#e-number"));
            var shown = await a.ContentAsync();
            Assert.DoesNotContain("1234 5678 9012", shown, StringComparison.Ordinal);
            Assert.DoesNotContain("123456789012", shown, StringComparison.Ordinal);

            // A verification that lacks the biometric and the postal notice: each check's result is shown, nothing recorded.
            await a.ClickAsync("#verify");
            await Assertions.Expect(a.Locator("#checks [data-requirement='biometric-with-consent']")).ToHaveAttributeAsync("data-result", "bad");
            await Assertions.Expect(a.Locator("#checks [data-requirement='postal-notification']")).ToHaveAttributeAsync("data-result", "bad");
            await Assertions.Expect(a.Locator("#checks [data-requirement='evidence-strength']")).ToHaveAttributeAsync("data-result", "ok");
            await Assertions.Expect(a.Locator("#checks [data-requirement='attended-session']")).ToHaveAttributeAsync("data-result", "ok");
            await Assertions.Expect(a.Locator("#status")).ToContainTextAsync("proofing.evidence-insufficient");
            await a.CheckAsync("#v-biometricConsent");
            await a.FillAsync("#v-biometricReferenceSha256", new string('b', 64));
            await a.CheckAsync("#v-postalNotificationSent");
            await a.ClickAsync("#verify");
            await Assertions.Expect(a.Locator("#detail-status")).ToHaveAttributeAsync("data-status", "verified");
            await Assertions.Expect(a.Locator("#ial-result")).ToHaveTextAsync("達成した保証レベル: IAL3");
            await Assertions.Expect(a.Locator("#checks [data-result='ok']")).ToHaveCountAsync(4);

            // Dual control, visible: A recorded and verified, so A's approve button is disabled with the reason.
            await Assertions.Expect(a.Locator("#recorded-by")).ToContainTextAsync("あなた（RA 一郎）");
            await Assertions.Expect(a.Locator("#verified-by")).ToContainTextAsync("あなた（RA 一郎）");
            await Assertions.Expect(a.Locator("#approve")).ToBeDisabledAsync();
            await Assertions.Expect(a.Locator("#approve-reason")).ToHaveTextAsync("別のオペレーターが承認します（あなたがこの申請を確認しました）。");
            await Screenshot(a, "ra-application.png");

            // ... and the API refuses A as well, with its problem code.
            var csrfA = (await (await a.APIRequest.GetAsync($"{service.Origin}/v1/me")).JsonAsync())!.Value.GetProperty("csrfToken").GetString()!;
            var refused = await a.APIRequest.PostAsync($"{service.Origin}/v1/proofing/applications/{applicationId}/approval",
                new APIRequestContextOptions { Headers = new Dictionary<string, string> { ["X-CSRF-Token"] = csrfA } });
            Assert.Equal(403, refused.Status);
            Assert.Equal("proofing.dual-control", (await refused.JsonAsync())!.Value.GetProperty("code").GetString());
            Assert.Equal("verified", await service.Db.ScalarAsync<string>($"SELECT status FROM proofing_applications WHERE id = '{applicationId}'"));

            // An online-route application (recorded through the API): the page shows the bytes the applicant signs with the My
            // Number card and the server's refusal of a signature it cannot verify; then A rejects it with a reason.
            var online = "D" + Guid.NewGuid().ToString("N")[..10];
            await WithScopeAsync(service, sp => sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(
                Encoding.UTF8.GetBytes($"{ImportLicenseRegistry.Header}\ndentist,{online},2011-04-01,試験 花子,1985-05-06,active\n"),
                Cli, CancellationToken.None));
            var recordedOnline = await a.APIRequest.PostAsync($"{service.Origin}/v1/proofing/applications", new APIRequestContextOptions
            {
                Headers = new Dictionary<string, string> { ["X-CSRF-Token"] = csrfA },
                DataObject = new
                {
                    profile = "mhlw-guideline",
                    route = "online-my-number-card",
                    familyName = "試験",
                    givenName = "花子",
                    familyNameKana = "シケン",
                    givenNameKana = "ハナコ",
                    nameRomaji = "SHIKEN HANAKO",
                    dateOfBirth = "1985-05-06",
                    sex = "female",
                    postalCode = "100-0001",
                    address = "東京都千代田区千代田１－１",
                    email = "hanako@example.jp",
                    profession = "dentist",
                    licenseNumber = online,
                    licenseRegistrationDate = "2011-04-01",
                    facilityName = "例歯科クリニック",
                    facilityNameRomaji = "Example Dental Clinic",
                },
            });
            Assert.Equal(201, recordedOnline.Status);
            var onlineId = (await recordedOnline.JsonAsync())!.Value.GetProperty("id").GetGuid();
            await a.ClickAsync("[data-view=list]");
            await a.ClickAsync($"[data-open='{onlineId}']");
            await Assertions.Expect(a.Locator("#jpki-section")).ToBeVisibleAsync();
            await Assertions.Expect(a.Locator("#checks [data-requirement='jpki-signature']")).ToHaveAttributeAsync("data-result", "pending");
            await a.ClickAsync("#jpki-input");
            await Assertions.Expect(a.Locator("#j-signingInput")).Not.ToHaveValueAsync("");
            await a.FillAsync("#j-cms", "MIIB");
            await a.ClickAsync("#jpki-submit");
            await Assertions.Expect(a.Locator("#status")).ToContainTextAsync("proofing.jpki-");
            Assert.Equal(0L, await service.Db.ScalarAsync<long>($"SELECT count(*) FROM proofing_evidence WHERE application_id = '{onlineId}'"));
            await a.ClickAsync("#reject");
            await Assertions.Expect(a.Locator("#reject-error")).ToHaveTextAsync("必須です。");
            await a.FillAsync("#reject-reason", "署名を確認できないため");
            await a.ClickAsync("#reject");
            await Assertions.Expect(a.Locator("#detail-status")).ToHaveAttributeAsync("data-status", "rejected");
            await Assertions.Expect(a.Locator("#decided-by")).ToContainTextAsync("あなた（RA 一郎）");
            await Assertions.Expect(a.Locator("#reject-section")).ToBeHiddenAsync();

            // Operator B, in its own browser context with its own authenticator, finds it by kana and approves it.
            var b = await SignInOperatorAsync(browser, service, "RA 二郎");
            await b.FillAsync("#filter-q", "しけん");
            var searched = await b.RunAndWaitForResponseAsync(() => b.ClickAsync("#filters button[type=submit]"), IsListSearch("q="));
            Assert.Equal(200, searched.Status);
            await Assertions.Expect(b.Locator("#app-rows tr")).ToHaveCountAsync(2);

            // Searches answered out of order: the answer to "rejected" is held until the later "verified" search has been shown.
            // The late answer must not replace it (the page keeps each list's loads in order; CI once failed on this race).
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await b.RouteAsync("**/v1/proofing/applications?*", async route =>
            {
                if (!route.Request.Url.Contains("status=rejected", StringComparison.Ordinal)) { await route.ContinueAsync(); return; }
                var answer = await route.FetchAsync();
                await release.Task;
                await route.FulfillAsync(new RouteFulfillOptions { Response = answer });
            });
            await b.SelectOptionAsync("#filter-status", "rejected");
            await b.ClickAsync("#filters button[type=submit]");
            await b.SelectOptionAsync("#filter-status", "verified");
            await b.ClickAsync("#filters button[type=submit]");
            var row = b.Locator($"[data-application-row='{applicationId}']");
            await Assertions.Expect(b.Locator("#app-rows tr")).ToHaveCountAsync(1);
            await Assertions.Expect(row).ToHaveCountAsync(1);
            var late = b.WaitForResponseAsync(IsListSearch("status=rejected"));
            release.SetResult();
            await (await late).FinishedAsync();
            // Note: the page handles the body within a few tasks of its arrival; a quarter second is ample. The wait cannot fail a
            // correct page, and an unordered page shows the rejected row within it (checked by removing the ordering).
            await b.EvaluateAsync("() => new Promise(resolve => setTimeout(resolve, 250))");
            Assert.Equal(1, await b.Locator("#app-rows tr").CountAsync());
            Assert.Equal(0, await b.Locator($"[data-application-row='{onlineId}']").CountAsync());
            Assert.Equal(1, await row.CountAsync());
            await b.UnrouteAllAsync();
            await Assertions.Expect(row).ToContainTextAsync("RA 一郎 / RA 一郎 / —");
            await b.ClickAsync($"[data-open='{applicationId}']");
            await Assertions.Expect(b.Locator("#verified-by")).ToContainTextAsync("RA 一郎");
            await Assertions.Expect(b.Locator("#approve")).ToBeEnabledAsync();
            await b.ClickAsync("#approve");

            // The enrollment letter: name, enrollment id, the one-time code (shown once), its expiry and the enrollment page.
            await Assertions.Expect(b.Locator("#letter-heading")).ToBeFocusedAsync();
            await Assertions.Expect(b.Locator("#letter-name")).ToHaveTextAsync("試験 花子 様");
            await Assertions.Expect(b.Locator("#letter-url")).ToHaveTextAsync($"{service.Origin}/enroll.html");
            await Assertions.Expect(b.Locator(".warning")).ToContainTextAsync("再表示はできません");
            var enrollmentId = Guid.Parse(await b.Locator("#letter-enrollment-id").TextContentAsync() ?? "");
            var code = (await b.Locator("#letter-code").TextContentAsync())!;
            Assert.False(string.IsNullOrWhiteSpace(code));
            Assert.Equal(enrollmentId, await service.Db.ScalarAsync<Guid>($"SELECT enrollment_id FROM proofing_applications WHERE id = '{applicationId}'"));
            Assert.Equal(1, await b.Locator("#print").CountAsync());
            await Screenshot(b, "ra-letter.png");
            // Printed, only the letter remains: the app chrome and the buttons are hidden.
            await b.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
            await Assertions.Expect(b.Locator("header.bar")).ToBeHiddenAsync();
            await Assertions.Expect(b.Locator("#print")).ToBeHiddenAsync();
            await Assertions.Expect(b.Locator("#letter")).ToBeVisibleAsync();
            await b.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Screen });
            await b.ClickAsync("#letter-done");
            Assert.Equal("", await b.Locator("#letter-code").TextContentAsync());
            await Assertions.Expect(b.Locator("#detail-status")).ToHaveAttributeAsync("data-status", "approved");
            await Assertions.Expect(b.Locator("#decided-by")).ToContainTextAsync("あなた（RA 二郎）");

            // IAL3: B attests the attended session, then the applicant enrols through /enroll.html in a third context.
            await b.SelectOptionAsync("#b-method", "attended-session");
            await b.ClickAsync("#attest");
            await Assertions.Expect(b.Locator("#attested")).ToContainTextAsync("立会いを記録しました");
            var applicant = await SignInPageBrowserTests.OpenPageWithAuthenticatorAsync(browser, service.Origin);
            await applicant.GotoAsync($"{service.Origin}/enroll.html");
            await applicant.FillAsync("#enrollment-id", enrollmentId.ToString());
            await applicant.FillAsync("#enrollment-code", code);
            var bound = await applicant.RunAndWaitForResponseAsync(
                () => applicant.Locator("#enrollment-code").PressAsync("Enter"),
                r => r.Url.EndsWith("/v1/proofing/binding", StringComparison.Ordinal) && r.Request.Method == "POST",
                new PageRunAndWaitForResponseOptions { Timeout = 120_000 });
            Assert.Equal(201, bound.Status);
            Assert.Equal("enrolled", await service.Db.ScalarAsync<string>($"SELECT status FROM proofing_applications WHERE id = '{applicationId}'"));
            Assert.Equal("Dentist", await service.Db.ScalarAsync<string>(
                $"SELECT c.hc_role FROM certificates c JOIN proofing_applications a ON a.certificate_id = c.id WHERE a.id = '{applicationId}'"));

            // B suspends and reinstates the signer from the application.
            await b.ClickAsync("#detail-back");
            await b.SelectOptionAsync("#filter-status", "enrolled");
            await b.ClickAsync("#filters button[type=submit]");
            await Assertions.Expect(b.Locator("#app-rows tr")).ToHaveCountAsync(1);
            await b.ClickAsync($"[data-open='{applicationId}']");
            await Assertions.Expect(b.Locator("#detail-status")).ToHaveAttributeAsync("data-status", "enrolled");
            await b.ClickAsync("#suspend");
            await Assertions.Expect(b.Locator("#suspend-error")).ToHaveTextAsync("必須です。");
            await b.FillAsync("#suspend-reason", "キー紛失の届出");
            await b.ClickAsync("#suspend");
            await Assertions.Expect(b.Locator("#signer-state")).ToContainTextAsync("suspended");
            await b.ClickAsync("#reinstate");
            await Assertions.Expect(b.Locator("#signer-state")).ToContainTextAsync("active");

            // English.
            await b.ClickAsync("#lang");
            await Assertions.Expect(b.Locator("#detail-heading")).ToHaveTextAsync("Application");
            await Assertions.Expect(b.Locator("#decided-by")).ToContainTextAsync("you (RA 二郎)");

            // The new signer opening the RA page: the wrong-role message, no data, and the API refuses.
            await applicant.GotoAsync($"{service.Origin}/login.html?next=/ra.html");
            await applicant.ClickAsync("#login");
            await applicant.WaitForURLAsync($"{service.Origin}/ra.html");
            await Assertions.Expect(applicant.Locator("#status")).ToHaveTextAsync("このページには ra-operator の権限が必要です。");
            await Assertions.Expect(applicant.Locator("#view-list")).ToBeHiddenAsync();
            Assert.Equal(0, await applicant.Locator("#app-rows tr").CountAsync());
            Assert.DoesNotContain(license, await applicant.ContentAsync(), StringComparison.Ordinal);
            var peek = await applicant.APIRequest.GetAsync($"{service.Origin}/v1/proofing/applications");
            Assert.Equal(403, peek.Status);
            var peekOne = await applicant.APIRequest.GetAsync($"{service.Origin}/v1/proofing/applications/{applicationId}");
            Assert.Equal(403, peekOne.Status);
        }
        finally
        {
            File.Delete(pem.Path);
        }
    }

    private static Func<IResponse, bool> IsListSearch(string parameter) => r =>
        r.Url.Contains("/v1/proofing/applications?", StringComparison.Ordinal) && r.Url.Contains(parameter, StringComparison.Ordinal);

    /// <summary>Creates an RA operator, registers its key in a fresh context through the sign-in page, and lands on /ra.html.</summary>
    private static async Task<IPage> SignInOperatorAsync(IBrowser browser, SignInPageBrowserTests.RunningService service, string name)
    {
        var (_, enrollment) = await WithScopeAsync(service, sp => sp.GetRequiredService<OperatorEnrollment>()
            .CreateAsync(name, ["ra-operator"], AuditActor.CommandLine("test"), CancellationToken.None));
        var page = await SignInPageBrowserTests.OpenPageWithAuthenticatorAsync(browser, service.Origin);
        await page.GotoAsync($"{service.Origin}/login.html?next=/ra.html");
        await page.FillAsync("#enrollment-id", enrollment.EnrollmentId.ToString());
        await page.FillAsync("#enrollment-code", EnrollmentCodes.Format(enrollment.Code));
        var registered = await page.RunAndWaitForResponseAsync(
            () => page.ClickAsync("#register"), r => r.Url.EndsWith("/v1/identity/registration", StringComparison.Ordinal));
        Assert.Equal(201, registered.Status);
        // Note: the page finishes its registration (status line) before the login click, as a person would.
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("セキュリティキーを登録しました。ログインできます。");
        await LoginAndLandAsync(page, $"{service.Origin}/ra.html");
        await Assertions.Expect(page.Locator("#view-list")).ToBeVisibleAsync();
        return page;
    }
}
