using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Features.SignatureRequests;

namespace SignatureService.Api.Tests.SignatureRequests;

/// <summary>The EHR signing-request API over the real service, PostgreSQL and SoftHSM2 (one CA for the class).</summary>
public sealed class SignatureRequestApiTests(SigningFixture fixture) : IClassFixture<SigningFixture>
{
    private const string Path = "/v1/signature-requests";

    private Task<long> CountRequestsAsync(TestClient client) =>
        fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM signature_requests r JOIN ehr_clients c ON c.id = r.client_id WHERE c.client_id = '{client.ClientId}'");

    [Fact]
    public async Task Create_PrescriptionForDoctor_Returns201AndStoresTheExactBytes()
    {
        var client = await fixture.CreateClientAsync();
        var (doctor, _, _) = await fixture.CreateSignerAsync("doctor");
        var xml = SigningFixture.Prescription();

        var (response, body) = await client.SendAsync(HttpMethod.Post, Path,
            TestClient.Request(new { userId = doctor }, TestClient.Document("prescription", xml)));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("pending-approval", body.GetProperty("status").GetString());
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/v1/signature-requests/{id}", response.Headers.Location?.OriginalString);
        var document = body.GetProperty("documents")[0];
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(xml)), document.GetProperty("sha256").GetString());
        var (stored, _) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}/documents/1");
        Assert.Equal(xml, await stored.Content.ReadAsByteArrayAsync());
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM audit_events WHERE action = 'signature-request.created' AND target_id = '{id}'"));
    }

    [Fact]
    public async Task Create_DeathCertificateJsonBySignerLicense_StoresCanonicalXml()
    {
        var client = await fixture.CreateClientAsync();
        var (_, license, _) = await fixture.CreateSignerAsync("dentist");

        var (response, body) = await client.SendAsync(HttpMethod.Post, Path, TestClient.Request(
            new { profession = "dentist", licenseNumber = license },
            TestClient.Document("death-certificate", Encoding.UTF8.GetBytes(SigningFixture.DeathCertificateJson()), "application/json")));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var (stored, _) = await client.SendAsync(HttpMethod.Get, $"{Path}/{body.GetProperty("id").GetGuid()}/documents/1");
        Assert.Equal("application/xml", stored.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<?xml", Encoding.UTF8.GetString(await stored.Content.ReadAsByteArrayAsync()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pharmacist", "death-certificate")]
    [InlineData("dentist", "postmortem-certificate")]
    [InlineData("pharmacist", "prescription")]
    [InlineData("doctor", "dispensing-record")]
    public async Task Create_SignerNotQualifiedForType_Refused403AndNothingStored(string profession, string type)
    {
        var client = await fixture.CreateClientAsync();
        var (signer, _, _) = await fixture.CreateSignerAsync(profession);
        var content = type is "death-certificate" or "postmortem-certificate"
            ? TestClient.Document(type, Encoding.UTF8.GetBytes(SigningFixture.DeathCertificateJson()), "application/json")
            : TestClient.Document(type, SigningFixture.Prescription());

        var (response, body) = await client.SendAsync(HttpMethod.Post, Path, TestClient.Request(new { userId = signer }, content));

        // Note: a dispensing record must embed a signed prescription, so that one may fail validation before qualification.
        Assert.Contains(body.GetProperty("code").GetString(), new[] { "signing.signer-not-qualified", "document.reference-unsigned", "document.invalid-structure" });
        Assert.NotEqual(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(0L, await CountRequestsAsync(client));
    }

    [Fact]
    public async Task Create_SignerWithRevokedCertificate_Refused409()
    {
        var client = await fixture.CreateClientAsync();
        var (doctor, _, certificate) = await fixture.CreateSignerAsync("doctor");
        await fixture.WithScopeAsync(sp => sp.GetRequiredService<CertificateStatusChanges>().RevokeAsync(
            certificate.SerialNumber, SignatureService.Pki.Revocation.RevocationReason.KeyCompromise, null, SigningFixture.Operator, CancellationToken.None));

        var (response, body) = await client.SendAsync(HttpMethod.Post, Path,
            TestClient.Request(new { userId = doctor }, TestClient.Document("prescription", SigningFixture.Prescription())));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("signing.signer-without-valid-certificate", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Create_UnknownSigner_Refused400()
    {
        var client = await fixture.CreateClientAsync();

        var (response, body) = await client.SendAsync(HttpMethod.Post, Path,
            TestClient.Request(new { userId = Guid.NewGuid() }, TestClient.Document("prescription", SigningFixture.Prescription())));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("signing.signer-not-found", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Create_SameIdempotencyKey_SameBodyReplays_DifferentBodyConflicts()
    {
        var client = await fixture.CreateClientAsync();
        var (doctor, _, _) = await fixture.CreateSignerAsync("doctor");
        var body = JsonSerializer.SerializeToUtf8Bytes(TestClient.Request(new { userId = doctor }, TestClient.Document("prescription", SigningFixture.Prescription())));
        var other = JsonSerializer.SerializeToUtf8Bytes(TestClient.Request(new { userId = doctor }, TestClient.Document("prescription", SigningFixture.Prescription())));

        var (first, firstBody) = await client.SendAsync(HttpMethod.Post, Path, idempotencyKey: "order-1", rawBody: body);
        var (second, secondBody) = await client.SendAsync(HttpMethod.Post, Path, idempotencyKey: "order-1", rawBody: body);
        var (third, thirdBody) = await client.SendAsync(HttpMethod.Post, Path, idempotencyKey: "order-1", rawBody: other);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(firstBody.GetProperty("id").GetGuid(), secondBody.GetProperty("id").GetGuid());
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(HttpStatusCode.Conflict, third.StatusCode);
        Assert.Equal("request.idempotency-key-reused", thirdBody.GetProperty("code").GetString());
        Assert.Equal(1L, await CountRequestsAsync(client));
    }

    [Fact]
    public async Task Create_SameIdempotencyKeyConcurrently_StoresOneRequest()
    {
        var client = await fixture.CreateClientAsync();
        var (doctor, _, _) = await fixture.CreateSignerAsync("doctor");
        var body = JsonSerializer.SerializeToUtf8Bytes(TestClient.Request(new { userId = doctor }, TestClient.Document("prescription", SigningFixture.Prescription())));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.SendAsync(HttpMethod.Post, Path, idempotencyKey: "burst", rawBody: body)));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.Created, r.Response.StatusCode));
        Assert.Single(results.Select(r => r.Body.GetProperty("id").GetGuid()).Distinct());
        Assert.Equal(1L, await CountRequestsAsync(client));
    }

    [Fact]
    public async Task Create_101Documents_Refused400()
    {
        var client = await fixture.CreateClientAsync();
        var (doctor, _, _) = await fixture.CreateSignerAsync("doctor");
        var documents = Enumerable.Range(0, 101).Select(_ => TestClient.Document("prescription", SigningFixture.Prescription())).ToArray();

        var (response, body) = await client.SendAsync(HttpMethod.Post, Path, TestClient.Request(new { userId = doctor }, documents));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("request.validation-failed", body.GetProperty("code").GetString());
        Assert.True(body.GetProperty("errors").TryGetProperty("documents", out _));
    }

    [Fact]
    public async Task Create_DocumentOver1MiB_Refused413AndNothingStored()
    {
        var client = await fixture.CreateClientAsync();
        var (doctor, _, _) = await fixture.CreateSignerAsync("doctor");
        var huge = new byte[(1024 * 1024) + 1];

        var (response, body) = await client.SendAsync(HttpMethod.Post, Path,
            TestClient.Request(new { userId = doctor }, TestClient.Document("prescription", huge)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0L, await CountRequestsAsync(client));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("code").GetString()));
    }

    [Theory]
    [InlineData("xxe", "document.dtd-forbidden")]
    [InlineData("billion-laughs", "document.dtd-forbidden")]
    [InlineData("not-xml", "document.malformed-xml")]
    public async Task Create_HostileXml_Refused400WithItsCodeAndNothingStored(string kind, string code)
    {
        var client = await fixture.CreateClientAsync();
        var (doctor, _, _) = await fixture.CreateSignerAsync("doctor");
        var xml = kind switch
        {
            "xxe" => """<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>""",
            "billion-laughs" => """<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Document>&b;</Document>""",
            _ => "<Document><unclosed></Document>",
        };

        var (response, body) = await client.SendAsync(HttpMethod.Post, Path,
            TestClient.Request(new { userId = doctor }, TestClient.Document("prescription", Encoding.UTF8.GetBytes(xml))));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal(0L, await CountRequestsAsync(client));
    }

    [Fact]
    public async Task Create_MalformedJson_Refused400()
    {
        var client = await fixture.CreateClientAsync();

        var (response, body) = await client.SendAsync(HttpMethod.Post, Path, rawBody: "{\"signer\": "u8.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("request.malformed-body", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task OtherClient_CannotSeeCancelOrListTheRequest()
    {
        var owner = await fixture.CreateClientAsync();
        var intruder = await fixture.CreateClientAsync();
        var (doctor, _, _) = await fixture.CreateSignerAsync("doctor");
        var (_, created) = await owner.SendAsync(HttpMethod.Post, Path,
            TestClient.Request(new { userId = doctor }, TestClient.Document("prescription", SigningFixture.Prescription())));
        var id = created.GetProperty("id").GetGuid();

        var (get, getBody) = await intruder.SendAsync(HttpMethod.Get, $"{Path}/{id}");
        var (document, _) = await intruder.SendAsync(HttpMethod.Get, $"{Path}/{id}/documents/1");
        var (cancel, _) = await intruder.SendAsync(HttpMethod.Post, $"{Path}/{id}/cancel", new { reason = "mine now" });
        var (_, list) = await intruder.SendAsync(HttpMethod.Get, Path);
        var (ownerGet, ownerBody) = await owner.SendAsync(HttpMethod.Get, $"{Path}/{id}");

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("resource.not-found", getBody.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, document.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, ownerGet.StatusCode);
        Assert.Equal("pending-approval", ownerBody.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Api_WithoutToken_Returns401()
    {
        using var response = await fixture.Http.GetAsync(new Uri(Path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Cancel_PendingRequest_CancelsOnce_SecondCancelConflicts()
    {
        var client = await fixture.CreateClientAsync();
        var (doctor, _, _) = await fixture.CreateSignerAsync("doctor");
        var (_, created) = await client.SendAsync(HttpMethod.Post, Path,
            TestClient.Request(new { userId = doctor }, TestClient.Document("prescription", SigningFixture.Prescription())));
        var id = created.GetProperty("id").GetGuid();

        var (first, firstBody) = await client.SendAsync(HttpMethod.Post, $"{Path}/{id}/cancel", new { reason = "entered twice" });
        var (second, secondBody) = await client.SendAsync(HttpMethod.Post, $"{Path}/{id}/cancel", new { reason = "again" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("cancelled", firstBody.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("resource.state-conflict", secondBody.GetProperty("code").GetString());
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM audit_events WHERE action = 'signature-request.cancelled' AND target_id = '{id}'"));
    }

    [Fact]
    public async Task List_FiltersByStatusAndPagesNewestFirst()
    {
        var client = await fixture.CreateClientAsync();
        var (doctor, _, _) = await fixture.CreateSignerAsync("doctor");
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var (_, created) = await client.SendAsync(HttpMethod.Post, Path,
                TestClient.Request(new { userId = doctor }, TestClient.Document("prescription", SigningFixture.Prescription())));
            ids.Add(created.GetProperty("id").GetGuid());
        }

        await client.SendAsync(HttpMethod.Post, $"{Path}/{ids[0]}/cancel", new { });
        var (_, page1) = await client.SendAsync(HttpMethod.Get, $"{Path}?status=pending-approval&limit=1");
        var cursor = page1.GetProperty("nextCursor").GetString();
        var (_, page2) = await client.SendAsync(HttpMethod.Get, $"{Path}?status=pending-approval&limit=1&cursor={cursor}");
        var (badStatus, badBody) = await client.SendAsync(HttpMethod.Get, $"{Path}?status=teleported");

        Assert.Equal(ids[2], page1.GetProperty("items")[0].GetProperty("id").GetGuid());
        Assert.Equal(ids[1], page2.GetProperty("items")[0].GetProperty("id").GetGuid());
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("nextCursor").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.Equal("request.validation-failed", badBody.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Expiry_DuePendingRequest_IsExpiredWithAuditAndCallbackQueued()
    {
        var client = await fixture.CreateClientAsync("https://ehr.example.jp");
        var (doctor, _, _) = await fixture.CreateSignerAsync("doctor");
        var (_, created) = await client.SendAsync(HttpMethod.Post, Path, new
        {
            signer = new { userId = doctor },
            documents = new[] { TestClient.Document("prescription", SigningFixture.Prescription()) },
            callbackUrl = "https://ehr.example.jp/callbacks",
            expiresInSeconds = 300,
        });
        var id = created.GetProperty("id").GetGuid();
        await fixture.Database.ExecuteAsync($"UPDATE signature_requests SET created_at = now() - interval '1 hour', expires_at = now() - interval '1 minute' WHERE id = '{id}'");

        await RequestExpiry.ExpireDueAsync(fixture.Factory.Services.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System, CancellationToken.None);
        var (_, body) = await client.SendAsync(HttpMethod.Get, $"{Path}/{id}");

        Assert.Equal("expired", body.GetProperty("status").GetString());
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM callback_outbox WHERE request_id = '{id}' AND event = 'signature-request.expired'"));
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE action = 'signature-request.expired' AND target_id = '{id}'"));
    }

    [Fact]
    public async Task Create_CallbackOnUnregisteredOrigin_Refused()
    {
        var client = await fixture.CreateClientAsync("https://ehr.example.jp");
        var (doctor, _, _) = await fixture.CreateSignerAsync("doctor");

        var (response, body) = await client.SendAsync(HttpMethod.Post, Path, new
        {
            signer = new { userId = doctor },
            documents = new[] { TestClient.Document("prescription", SigningFixture.Prescription()) },
            callbackUrl = "https://attacker.example/steal",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("signing.callback-not-allowed", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Callback_ReceiverFailsThenRecovers_DeliveredOnceWithVerifiableJws()
    {
        using var receiver = new CallbackReceiver();
        var client = await fixture.CreateClientAsync(receiver.Origin);
        var (doctor, _, _) = await fixture.CreateSignerAsync("doctor");
        var (_, created) = await client.SendAsync(HttpMethod.Post, Path, new
        {
            signer = new { userId = doctor },
            documents = new[] { TestClient.Document("prescription", SigningFixture.Prescription()) },
            callbackUrl = receiver.Origin + "/hook",
        });
        var id = created.GetProperty("id").GetGuid();
        receiver.Failing = true;

        var (cancel, _) = await client.SendAsync(HttpMethod.Post, $"{Path}/{id}/cancel", new { });
        await WaitUntilAsync(async () => await fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM callback_deliveries d JOIN callback_outbox o ON o.id = d.outbox_id WHERE o.request_id = '{id}'") >= 1);
        receiver.Failing = false;
        await fixture.Database.ExecuteAsync($"UPDATE callback_outbox SET next_attempt_at = now() WHERE request_id = '{id}'");
        await WaitUntilAsync(async () => await fixture.Database.ScalarAsync<string>(
            $"SELECT status FROM callback_outbox WHERE request_id = '{id}'") == "delivered");

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var delivered = Assert.Single(receiver.Accepted);
        var jwks = JsonDocument.Parse(await fixture.Http.GetStringAsync(new Uri("/v1/callback-keys", UriKind.Relative))).RootElement;
        var parts = delivered.Split('.');
        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement;
        var jwk = jwks.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == header.GetProperty("kid").GetString());
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()), Y = Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString()) },
        });
        Assert.True(key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256));
        var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement;
        Assert.Equal(id, payload.GetProperty("requestId").GetGuid());
        Assert.Equal("cancelled", payload.GetProperty("status").GetString());
        Assert.True(await fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM callback_deliveries d JOIN callback_outbox o ON o.id = d.outbox_id WHERE o.request_id = '{id}' AND d.http_status = 500") >= 1);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("The condition was not met within 20 s.");
    }

    /// <summary>A real HTTP endpoint on loopback standing in for an EHR's callback receiver.</summary>
    private sealed class CallbackReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public CallbackReceiver()
        {
            var port = FreePort();
            Origin = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Origin + "/");
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Origin { get; }

        public volatile bool Failing;

        public List<string> Accepted { get; } = [];

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream);
                var body = await reader.ReadToEndAsync();
                if (!Failing)
                {
                    lock (Accepted)
                    {
                        Accepted.Add(body);
                    }
                }

                context.Response.StatusCode = Failing ? 500 : 204;
                context.Response.Close();
            }
        }

        private static int FreePort()
        {
            using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
        }
    }
}
