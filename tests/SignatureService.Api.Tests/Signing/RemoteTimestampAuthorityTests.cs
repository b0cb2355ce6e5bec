using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SignatureService.Api.Features.Signing;
using SignatureService.Api.Tests.Approvals;
using SignatureService.Api.Tests.SignatureRequests;

namespace SignatureService.Api.Tests.Signing;

/// <summary>
/// The TSA for signatures is configurable (statutory documents need an accredited one): with Signing:TimestampAuthority:Url
/// set, signature time-stamps come over RFC 3161 HTTP from that TSA. Here the "remote" TSA is a loopback HTTP endpoint that
/// relays to a TSA and can fail on demand; while it fails, approved documents wait and are signed once it answers again.
/// </summary>
public sealed class RemoteTimestampAuthorityTests : IAsyncLifetime, IDisposable
{
    private readonly RelayTsa _tsa = new();
    private SigningFixture _fixture = null!;

    public async Task InitializeAsync()
    {
        _fixture = new SigningFixture(new Dictionary<string, string?> { ["Signing:TimestampAuthority:Url"] = _tsa.Url.ToString() });
        await _fixture.InitializeAsync();
        _tsa.Target = _fixture.Http;
    }

    public Task DisposeAsync() => _fixture.DisposeAsync();

    public void Dispose() => _tsa.Dispose();

    [Fact]
    public async Task Signing_WithRemoteTsa_TimestampsOverHttp_AndWaitsWhileTheTsaFails()
    {
        var session = await _fixture.CreateSignerSessionAsync("doctor");

        // 1. The remote TSA answers: every signature time-stamp came through it, and the result verifies.
        var (client, first) = await _fixture.SubmitAsync(session.UserId, ApprovalHarness.Prescription());
        await session.ApproveAsync(first);
        Assert.Equal("signed", await ApprovalHarness.WaitForFinalStatusAsync(client, first));
        Assert.True(_tsa.Relayed >= 1, "no time-stamp request reached the configured TSA");
        var (_, signed) = await client.SendAsync(HttpMethod.Get, $"/v1/signature-requests/{first}");
        Assert.Equal("signed", signed.GetProperty("status").GetString());

        // 2. The TSA fails: the approved request waits, nothing is stored; when it answers again the request is signed once.
        _tsa.Failing = true;
        var (_, second) = await _fixture.SubmitAsync(session.UserId, ApprovalHarness.Prescription());
        var relayedBefore = _tsa.Relayed;
        await session.ApproveAsync(second);
        for (var i = 0; i < 100 && _tsa.Refused == 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.True(_tsa.Refused >= 1);
        Assert.Contains(await _fixture.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{second}'"),
            new[] { "approved", "signing" });
        Assert.Equal(0L, await _fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM signature_request_documents WHERE request_id = '{second}' AND signed_content IS NOT NULL"));
        _tsa.Failing = false;
        var status = "";
        for (var i = 0; i < 200 && status != "signed"; i++)
        {
            await Task.Delay(100);
            status = (await _fixture.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{second}'"))!;
        }

        Assert.Equal("signed", status);
        Assert.True(_tsa.Relayed > relayedBefore);
        Assert.Equal(1L, await _fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM audit_events WHERE action = 'document.signed' AND target_id = '{second}'"));
        var bytes = await _fixture.Database.ScalarAsync<byte[]>($"SELECT signed_content FROM signature_request_documents WHERE request_id = '{second}'");
        using var content = new ByteArrayContent(bytes!);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        using var verified = await _fixture.Http.PostAsync(new Uri("/v1/verifications", UriKind.Relative), content);
        var report = JsonDocument.Parse(await verified.Content.ReadAsStringAsync()).RootElement;
        Assert.True(report.GetProperty("valid").GetBoolean(), report.ToString());
    }

    [Theory]
    [InlineData("http://tsa.example.test/", "Production")]
    [InlineData("http://tsa.example.test/", "Development")]
    [InlineData("ftp://127.0.0.1/tsa", "Development")]
    [InlineData("http://127.0.0.1/tsa", "Production")]
    public void Options_UnsafeUrl_AreRefused(string url, string environment)
    {
        var validator = new SignatureTimestampOptionsValidator(new Environment(environment));

        var result = validator.Validate(null, new SignatureTimestampOptions { Url = new Uri(url) });

        Assert.True(result.Failed);
    }

    [Theory]
    [InlineData("https://tsa.example.test/rfc3161", "Production")]
    [InlineData("http://127.0.0.1:8080/tsa", "Development")]
    public void Options_HttpsOrLoopbackOutsideProduction_AreAccepted(string url, string environment)
    {
        var validator = new SignatureTimestampOptionsValidator(new Environment(environment));

        Assert.True(validator.Validate(null, new SignatureTimestampOptions { Url = new Uri(url) }).Succeeded);
    }

    private sealed class Environment(string name) : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "test";

        public string ContentRootPath { get; set; } = "/";

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }

    /// <summary>A loopback HTTP TSA that relays RFC 3161 requests to the service's own /pki/tsa, or answers 503 when failing.</summary>
    private sealed class RelayTsa : IDisposable
    {
        private readonly HttpListener _listener = new();
        private int _relayed;
        private int _refused;

        public RelayTsa()
        {
            using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Url = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/tsa");
            }

            _listener.Prefixes.Add(new Uri(Url, "/").ToString());
            _listener.Start();
            _ = Task.Run(LoopAsync);
        }

        public Uri Url { get; }

        public HttpClient? Target { get; set; }

        public volatile bool Failing;

        public int Relayed => Volatile.Read(ref _relayed);

        public int Refused => Volatile.Read(ref _refused);

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                if (Failing || Target is null)
                {
                    Interlocked.Increment(ref _refused);
                    context.Response.StatusCode = 503;
                    context.Response.Close();
                    continue;
                }

                using var content = new ByteArrayContent(body.ToArray());
                content.Headers.ContentType = new MediaTypeHeaderValue("application/timestamp-query");
                using var answer = await Target.PostAsync(new Uri("/pki/tsa", UriKind.Relative), content);
                var reply = await answer.Content.ReadAsByteArrayAsync();
                Interlocked.Increment(ref _relayed);
                context.Response.StatusCode = (int)answer.StatusCode;
                context.Response.ContentType = answer.Content.Headers.ContentType?.ToString();
                await context.Response.OutputStream.WriteAsync(reply);
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
        }
    }
}
