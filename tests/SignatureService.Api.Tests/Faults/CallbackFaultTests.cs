using System.Net;
using System.Net.Sockets;
using SignatureService.Api.Tests.Approvals;
using SignatureService.Api.Tests.SignatureRequests;

namespace SignatureService.Api.Tests.Faults;

/// <summary>
/// An EHR's callback receiver that accepts connections and never answers: its delivery times out and is retried later, while
/// signing and another client's callbacks go on.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class CallbackFaultTests : IAsyncLifetime
{
    private const string Path = "/v1/signature-requests";
    private readonly SigningFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task HangingReceiver_TimesOutAndIsRetried_WhileSigningAndOtherCallbacksProceed()
    {
        using var hanging = new HangingReceiver();
        var hangingClient = await _fixture.CreateClientAsync(hanging.Origin);
        var otherClient = await _fixture.CreateClientAsync("https://ehr.example.test");
        var session = await _fixture.CreateSignerSessionAsync("doctor");
        var signer = session.UserId;
        var stuck = await CreateAsync(hangingClient, signer, hanging.Origin + "/hook");
        var toSign = await CreateAsync(otherClient, signer, null);

        // The hanging receiver's callback is queued by the cancellation; the other request is approved and must be signed.
        var (cancelled, _) = await hangingClient.SendAsync(HttpMethod.Post, $"{Path}/{stuck}/cancel", new { });
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        await session.ApproveAsync(toSign);

        await WaitUntilAsync(async () => await _fixture.Database.ScalarAsync<string>(
            $"SELECT status FROM signature_requests WHERE id = '{toSign}'") == "signed", TimeSpan.FromSeconds(60));
        await WaitUntilAsync(async () => await _fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM callback_deliveries d JOIN callback_outbox o ON o.id = d.outbox_id WHERE o.request_id = '{stuck}'") >= 1,
            TimeSpan.FromSeconds(60));

        Assert.True(hanging.Connections >= 1);
        Assert.Equal("timed out", await _fixture.Database.ScalarAsync<string>(
            $"SELECT d.error FROM callback_deliveries d JOIN callback_outbox o ON o.id = d.outbox_id WHERE o.request_id = '{stuck}' ORDER BY d.id LIMIT 1"));
        Assert.Equal("pending", await _fixture.Database.ScalarAsync<string>($"SELECT status FROM callback_outbox WHERE request_id = '{stuck}'"));
        Assert.True(await _fixture.Database.ScalarAsync<bool>(
            $"SELECT next_attempt_at > now() FROM callback_outbox WHERE request_id = '{stuck}'"), "the retry must be scheduled with a back-off");
        Assert.Equal("cancelled", await _fixture.Database.ScalarAsync<string>($"SELECT status FROM signature_requests WHERE id = '{stuck}'"));
    }

    private static async Task<Guid> CreateAsync(TestClient client, Guid signer, string? callbackUrl)
    {
        var (response, body) = await client.SendAsync(HttpMethod.Post, Path, new
        {
            signer = new { userId = signer },
            documents = new[] { TestClient.Document("prescription", SigningFixture.Prescription()) },
            callbackUrl,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return body.GetProperty("id").GetGuid();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"The condition was not met within {limit.TotalSeconds} s.");
    }

    /// <summary>Accepts TCP connections on loopback, reads nothing and never answers.</summary>
    private sealed class HangingReceiver : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _held = [];
        private int _connections;

        public HangingReceiver()
        {
            _listener.Start();
            Origin = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    Socket socket;
                    try
                    {
                        socket = await _listener.AcceptSocketAsync();
                    }
                    catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                    {
                        return;
                    }

                    Interlocked.Increment(ref _connections);
                    lock (_held)
                    {
                        _held.Add(socket);
                    }
                }
            });
        }

        public string Origin { get; }

        public int Connections => Volatile.Read(ref _connections);

        public void Dispose()
        {
            _listener.Stop();
            lock (_held)
            {
                _held.ForEach(s => s.Dispose());
            }
        }
    }
}
