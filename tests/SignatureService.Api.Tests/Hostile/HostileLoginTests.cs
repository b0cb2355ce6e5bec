using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Tests.Identity;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Testing.Fuzzing;
using Xunit.Abstractions;

namespace SignatureService.Api.Tests.Hostile;

/// <summary>
/// Mutated login bodies (the JSON itself, or one of the decoded WebAuthn parts re-encoded) against POST /v1/identity/login,
/// each over a fresh challenge: never a 5xx, refusals are problem+json with a catalogue code, no session is created for a
/// refused login, and every tenth, unmutated, login still succeeds.
/// </summary>
public sealed class HostileLoginTests(HostileLoginFixture fixture, ITestOutputHelper output) : IClassFixture<HostileLoginFixture>
{
    /// <summary>
    /// Found by the fuzzer (seed 20261121, index 116): a clientDataJSON whose challenge string holds invalid UTF-8 (byte 8C) made
    /// the challenge lookup throw InvalidOperationException, a 500; it must be 400 with the WebAuthn malformed code.
    /// </summary>
    [Fact]
    public async Task Login_ClientDataWithInvalidUtf8InChallenge_Returns400Malformed()
    {
        var h = fixture.Harness;
        var body = Convert.FromHexString(InvalidUtf8LoginBody);
        var before = await CountsAsync(h);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var browser = h.NewBrowser();
        using var response = await browser.PostAsync(new Uri("/v1/identity/login", UriKind.Relative), content);

        Assert.Equal($"400 {ErrorCatalogue.WebAuthnMalformed.Code}", await HostileResponses.OutcomeAsync(response, _ => false));
        Assert.Equal(before.Sessions, (await CountsAsync(h)).Sessions);
    }

    [Fact]
    public async Task Login_MutatedAssertions_RefusedWithCatalogueCodesAndNoSessions()
    {
        var h = fixture.Harness;
        var (_, credential) = await h.EnrollAsync();
        var before = await CountsAsync(h);
        var iterations = Fuzz.Iterations(100);

        var report = await Fuzz.RunAsync("POST /v1/identity/login", Fuzz.Seed, Enumerable.Range(0, iterations).Select(i => new FuzzInput(i, "mutation", [])), async input =>
        {
            using var browser = h.NewBrowser();
            var assertion = IdentityHarness.Sign(credential, await h.LoginChallengeAsync(browser));
            var body = Mutate(input.Index, assertion);
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await browser.PostAsync(new Uri("/v1/identity/login", UriKind.Relative), content);
            try
            {
                return await HostileResponses.OutcomeAsync(response, s => s == HttpStatusCode.OK);
            }
            catch (FuzzFailureException ex)
            {
                throw new FuzzFailureException($"{ex.Message}\n  body (seed {Fuzz.Seed}, index {input.Index}): {Convert.ToHexString(body)}");
            }
        });
        output.WriteLine(report.ToString());

        var after = await CountsAsync(h);
        Assert.True(report["200"] >= iterations / 10, report.ToString());
        Assert.Equal(before.Sessions + report["200"], after.Sessions);
        Assert.Equal(before.Logins + report["200"], after.Logins);
        Assert.True(report.Outcomes.Count >= 4, report.ToString());
    }

    /// <summary>Every tenth body is left intact; the others get one kind of mutation chosen by the index (deterministic per seed).</summary>
    private static byte[] Mutate(int index, SignatureService.WebAuthn.Testing.SoftwareAssertion assertion)
    {
        var mutator = new Mutator(unchecked(Fuzz.Seed + (index * 7919)), HostileCorpus.JsonTokens);
        byte[] Maybe(byte[] part, int which) => index % 10 != 0 && index % 5 == which ? mutator.Mutate(part) : part;
        var clientData = Maybe(assertion.ClientDataJson, 1);
        var authData = Maybe(assertion.AuthenticatorData, 2);
        var signature = Maybe(assertion.Signature, 3);
        var userHandle = Maybe(assertion.UserHandle, 4);
        var id = Base64Url.EncodeToString(assertion.CredentialId);
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            credential = new
            {
                id,
                rawId = id,
                type = "public-key",
                response = new
                {
                    clientDataJSON = Base64Url.EncodeToString(clientData),
                    authenticatorData = Base64Url.EncodeToString(authData),
                    signature = Base64Url.EncodeToString(signature),
                    userHandle = Base64Url.EncodeToString(userHandle),
                },
            },
        });
        return index % 10 != 0 && index % 5 == 0 ? mutator.Mutate(body) : body;
    }

    private static async Task<(int Sessions, int Logins)> CountsAsync(IdentityHarness h)
    {
        await using var scope = h.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SignatureServiceDbContext>();
        return (await db.UserSessions.CountAsync(), await db.AuditEvents.CountAsync(a => a.Action == "identity.login"));
    }

    private const string InvalidUtf8LoginBody =
        "7B2263726564656E7469616C223A7B226964223A2276773773556D6C6164386166365346436941745F7A78514859316750494A73454C426C666D66334670506B222C227261774964223A2276773773556D6C6164386166365346436941745F7A78514859316750494A73454C426C666D66334670506B222C2274797065223A227075626C69632D6B6579222C22726573706F6E7365223A7B22636C69656E74446174614A534F4E223A2265794A306558426C496A6F696432566959585630614734755A32563049697769593268686247786C626D646C496A6F69566C413263464E7164446C59636D5A355230396D595531795A324E536A4E557A554546694F5656346432745064564644646E68324F555630596A49304969776962334A705A326C75496A6F696148523063446F764C327876593246736147397A64434973496D4E7962334E7A54334A705A326C75496A706D5957787A5A5830222C2261757468656E74696361746F7244617461223A22535A594E3559674F6A4768304E4263505A485A6757345F6B72726D69686A4C486D567A7A756F4D646C324D46414141416451222C227369676E6174757265223A224D45594349514359324657534B514B72386D366B787076793132594562744B636A305043726D70565339486147736E7152514968414D7578634C515148326D6D672D6E77534A434371636D765A52416E5A55447679744A374775625535784146222C227573657248616E646C65223A22416148384C665A7A64516551504573495A335F4D7741227D7D7D";
}

/// <summary>
/// One identity service for the hostile login tests. The failure throttle is raised and rate limiting is off, so that the
/// fuzzer reaches the parsers instead of a 429 after a few failures from one address.
/// </summary>
public sealed class HostileLoginFixture : IAsyncLifetime
{
    internal IdentityHarness Harness { get; private set; } = null!;

    public async Task InitializeAsync() => Harness = await IdentityHarness.StartAsync(new()
    {
        ["Sessions:FailuresPerAddress"] = "1000000", ["Sessions:FailuresPerUser"] = "1000000", ["RateLimiting:Enabled"] = "false",
    });

    public async Task DisposeAsync() => await Harness.DisposeAsync();
}
