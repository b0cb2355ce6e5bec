using System.Text.Json;
using SignatureService.Data;
using SignatureService.Data.Signing;

namespace SignatureService.Api.Features.SignatureRequests;

/// <summary>
/// Stages a callback for a request's state change on the caller's unit of work, so it commits (or not) with the change itself:
/// a crash after commit loses nothing, the dispatcher delivers it later.
/// </summary>
public sealed class CallbackOutbox(TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Queues <c>signature-request.{status}</c> for <paramref name="request"/> when it has a callback URL.</summary>
    public void Enqueue(SignatureServiceDbContext db, SignatureRequestRecord request)
    {
        if (request.CallbackUrl is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var eventName = $"signature-request.{request.Status}";
        db.CallbackOutbox.Add(new CallbackOutboxRecord
        {
            RequestId = request.Id,
            Url = request.CallbackUrl,
            Event = eventName,
            Payload = JsonSerializer.SerializeToDocument(new
            {
                @event = eventName,
                requestId = request.Id,
                status = request.Status,
                statusReason = request.StatusReason,
                occurredAt = now,
            }, Json),
            Status = "pending",
            NextAttemptAt = now,
            CreatedAt = now,
        });
    }
}
