using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SignatureService.Core.Clients;
using SignatureService.Core.Errors;
using SignatureService.Core.Tests.Documents;
using SignatureService.Testing.Fuzzing;
using Xunit.Abstractions;

namespace SignatureService.Core.Tests.Fuzzing;

/// <summary>
/// Hostile EHR client tokens: the validator never throws, answers every refusal with a catalogue code, stays fast, and still
/// accepts a well-formed token. Three corpora: the compact token mutated as text; the header or claims JSON mutated and the
/// token re-signed with the registered key (so claim parsing past the signature check is exercised); hand-made hostile tokens.
/// </summary>
public sealed class ClientTokenFuzzTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private const string ClientId = "ehr-fuzz";
    private const string Audience = "signature-service";
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 3, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<string> Codes = [.. ErrorCatalogue.All.Select(e => e.Code)];

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ClientTokenValidator _validator;

    public ClientTokenFuzzTests(ITestOutputHelper output)
    {
        _output = output;
        var p = _key.ExportParameters(false);
        var jwk = JsonSerializer.SerializeToElement(new { kty = "EC", crv = "P-256", x = Base64Url.EncodeToString(p.Q.X), y = Base64Url.EncodeToString(p.Q.Y) });
        _validator = new ClientTokenValidator(
            new ClientTokenPolicy(Audience), new SingleKey(new ClientKeyLookup(true, ClientPublicKey.Parse(jwk, "ES256"))), new MemoryReplay(), new FixedTimeProvider(Now));
    }

    public void Dispose() => _key.Dispose();

    [Fact]
    public void ValidateAsync_MutatedCompactTokens_ReturnsCatalogueCodesOnly()
    {
        var mutator = new Mutator(Fuzz.Seed, ".", "=", "+", "/", "eyJ", "..", "AAAA");
        var seeds = new[] { Encoding.ASCII.GetBytes(Token(Header(), Claims())), Encoding.ASCII.GetBytes(Token(Header(), Claims(jti: "second"))) };

        var report = Fuzz.Run("client token (text)", Fuzz.Seed, mutator.Corpus(seeds, Fuzz.Iterations(3000)), Validate, _ => null);
        _output.WriteLine(report.ToString());

        // Both seeds are accepted once; any mutation that still decodes to a valid signed token is a replay of its jti.
        Assert.Equal(2, report["accepted"]);
        Assert.True(report[ErrorCatalogue.TokenSignatureInvalid.Code] > 0, report.ToString());
    }

    [Fact]
    public void ValidateAsync_MutatedHeaderOrClaimsResigned_ReturnsCatalogueCodesOnly()
    {
        var mutator = new Mutator(Fuzz.Seed + 1, HostileCorpus.JsonTokens) { MostlyValidUtf8 = true };
        var header = Encoding.UTF8.GetBytes(Header());
        var claims = Encoding.UTF8.GetBytes(Claims());
        var inputs = new List<FuzzInput>();
        foreach (var input in mutator.Corpus([header, claims], Fuzz.Iterations(3000), truncateUpTo: 200))
        {
            // Note: which part was mutated is chosen by the input itself, so the corpus stays reproducible from the seed.
            var mutateHeader = input.Index % 2 == 0;
            var token = mutateHeader ? TokenFromBytes(input.Data, claims) : TokenFromBytes(header, input.Data);
            inputs.Add(input with { Data = Encoding.ASCII.GetBytes(token) });
        }

        var report = Fuzz.Run("client token (re-signed JSON)", Fuzz.Seed + 1, inputs, Validate, _ => null);
        _output.WriteLine(report.ToString());

        Assert.True(report[ErrorCatalogue.TokenMalformed.Code] > 0, report.ToString());
        Assert.True(report.Outcomes.Count >= 4, report.ToString());
    }

    [Fact]
    public void ValidateAsync_HandMadeHostileTokens_ReturnsCatalogueCodesOnly()
    {
        string[] hostile =
        [
            Token(Header(), Claims(), sign: false) + "AAAA",
            Token("""{"alg":"none","kid":"k1"}""", Claims(), sign: false),
            Token("""{"alg":"HS256","kid":"k1"}""", Claims()),
            Token("""{"alg":"ES256","kid":"k1","crit":["exp"]}""", Claims()),
            Token("""{"alg":"ES256","kid":"k1","alg":"RS256"}""", Claims()),
            Token(Header(), Claims().Replace("\"exp\":", "\"exp\":1e309,\"x\":", StringComparison.Ordinal)),
            Token(Header(), Claims().Replace("\"exp\":", "\"exp\":99999999999999999999999,\"x\":", StringComparison.Ordinal)),
            Token(Header(), Claims().Replace("\"exp\":", "\"exp\":-1,\"x\":", StringComparison.Ordinal)),
            Token(Header(), Claims().Replace("\"aud\":\"signature-service\"", "\"aud\":[" + string.Join(',', Enumerable.Repeat("\"x\"", 10_000)) + "]", StringComparison.Ordinal)),
            Token(Header(), Encoding.UTF8.GetString(HostileCorpus.JsonDepthBomb(5_000))),
            Token(Header(), Encoding.UTF8.GetString(HostileCorpus.JsonObjectDepthBomb(5_000))),
            Token("\uFEFF" + Header(), Claims()),
            Token(Header(), Claims(jti: new string('j', 10_000))),
            Token(Header(), Claims(jti: "\0")),
            "a.b.c.d.e",
            new string('.', 8 * 1024),
            string.Concat(Enumerable.Repeat("eyJ", 4_000)) + ".x.y",
            "eyJhbGciOiJFUzI1NiJ9.eyJ.",
            "\u00e9\u00e9.\u00e9.\u00e9",
        ];
        var inputs = hostile.Select((t, i) => new FuzzInput(i, "hostile", Encoding.UTF8.GetBytes(t)));

        var report = Fuzz.Run("client token (hostile)", 0, inputs, Validate, _ => null);

        Assert.Equal(0, report["accepted"]);
    }

    /// <summary>Found by the fuzzer: invalid UTF-8 inside a JSON string made <c>GetString</c> throw InvalidOperationException (a 500).</summary>
    [Theory]
    [InlineData("65794A68624763694F694A46557A49314E694973496D74705A434936496D73784969776964486C77496A6F69536C6455496E302E65794A7063334D694F694A6C614849745A6E563665694973496E4E3159694936496D566F6369316D64583336496977695958566B496A6F6963326C6E626D463064584A6C4C584E6C636E5A70593255694C434A70595851694F6A45334F5455794D7A41774D444173496D5634634349364D5463354E54497A4D4445794D437769616E5270496A6F695A6D6C796370516966512E416A554F754A7273615072497A736778665541466B6E4D323853635268387656376264556B7765325079487473524959376447717A6A7449713073764B354E625833734C7538614D6538624F58345A46386B4F685851")]
    [InlineData("65794A68624763694F694A465F5F5F5F4E694973496D74705A434936496D73784969776964486C77496A6F69536C6455496E302E65794A7063334D694F694A6C614849745A6E563665694973496E4E3159694936496D566F6369316D64587036496977695958566B496A6F6963326C6E626D463064584A6C4C584E6C636E5A70593255694C434A70595851694F6A45334F5455794D7A41774D444173496D5634634349364D5463354E54497A4D4445794D437769616E5270496A6F695A6D6C796333516966512E795242705569714C4E766F6D586431367A716658394852634B74736E724C61333852515961596A6B506269566334576576635F65387252364D674E7952497649597644774567356D46616657486967494F5850566567")]
    public async Task ValidateAsync_InvalidUtf8InsideJsonString_ReturnsTokenMalformed(string hex)
    {
        var result = await _validator.ValidateAsync(Encoding.ASCII.GetString(Convert.FromHexString(hex)), CancellationToken.None);

        Assert.Equal(ErrorCatalogue.TokenMalformed.Code, result.Error?.Code);
    }

    [Fact]
    public async Task ValidateAsync_SignedTokenWithInvalidUtf8Jti_ReturnsTokenMalformed()
    {
        byte[] claims = [.. Encoding.UTF8.GetBytes(Claims(jti: "x")[..^3]), 0xC3, 0x28, (byte)'"', (byte)'}'];

        var result = await _validator.ValidateAsync(TokenFromBytes(Encoding.UTF8.GetBytes(Header()), claims), CancellationToken.None);

        Assert.Equal(ErrorCatalogue.TokenMalformed.Code, result.Error?.Code);
    }

    [Fact]
    public async Task ValidateAsync_WellFormedToken_IsAccepted()
    {
        var result = await _validator.ValidateAsync(Token(Header(), Claims(jti: Guid.NewGuid().ToString("N"))), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error?.Code);
        Assert.Equal(ClientId, result.ClientId);
    }

    private string Validate(byte[] token)
    {
        // Note: invalid UTF-8 becomes U+FFFD here, as it would when an HTTP header value is decoded.
        var result = _validator.ValidateAsync(Encoding.UTF8.GetString(token), CancellationToken.None).GetAwaiter().GetResult();
        if (result.Error is { } error && !Codes.Contains(error.Code))
        {
            throw new InvalidOperationException($"Code not in the catalogue: {error.Code}");
        }

        return result.Error?.Code ?? "accepted";
    }

    private static string Header() => """{"alg":"ES256","kid":"k1","typ":"JWT"}""";

    private static string Claims(string jti = "first") =>
        $$"""{"iss":"{{ClientId}}","sub":"{{ClientId}}","aud":"{{Audience}}","iat":{{Now.ToUnixTimeSeconds()}},"exp":{{Now.AddMinutes(2).ToUnixTimeSeconds()}},"jti":"{{jti}}"}""";

    private string Token(string header, string claims, bool sign = true)
    {
        var input = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims));
        return sign ? input + "." + Base64Url.EncodeToString(SignInput(input)) : input + ".";
    }

    private string TokenFromBytes(byte[] header, byte[] claims)
    {
        var input = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(claims);
        return input + "." + Base64Url.EncodeToString(SignInput(input));
    }

    private byte[] SignInput(string input) =>
        _key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    private sealed class SingleKey(ClientKeyLookup key) : IClientKeyResolver
    {
        public ValueTask<ClientKeyLookup?> FindAsync(string clientId, string kid, CancellationToken cancellationToken) =>
            ValueTask.FromResult(clientId == ClientId && kid == "k1" ? key : null);
    }

    private sealed class MemoryReplay : ITokenReplayStore
    {
        private readonly ConcurrentDictionary<(string, string), bool> _seen = new();

        public ValueTask<bool> TryConsumeAsync(string issuer, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken) =>
            ValueTask.FromResult(_seen.TryAdd((issuer, jti), true));
    }
}
