using System.Diagnostics;
using System.Text.Json;

namespace SignatureService.Data.Audit;

/// <summary>Who performed an audited action: a type (<c>system</c>, <c>operator</c>, <c>signer</c>, <c>client</c>, <c>cli</c>) and an id.</summary>
public readonly record struct AuditActor(string Type, string Id)
{
    /// <summary>The service itself (start-up, schedules).</summary>
    public static AuditActor System { get; } = new("system", "signature-service");

    /// <summary>A person running a command-line verb on the server.</summary>
    public static AuditActor CommandLine(string user) => new("cli", user);
}

/// <summary>
/// Adds audit events to the caller's unit of work, so the event commits or rolls back together with the change it describes.
/// Details must hold ids and facts only: never secrets, documents, hashes-to-sign or personal data.
/// </summary>
public sealed class AuditTrail(TimeProvider time)
{
    private static readonly JsonSerializerOptions DetailsJson = new(JsonSerializerDefaults.Web);

    /// <summary>Stages one event on <paramref name="db"/>; it is written by the caller's next <c>SaveChanges</c>.</summary>
    public AuditEventRecord Record(
        SignatureServiceDbContext db,
        AuditActor actor,
        string action,
        string? targetType = null,
        string? targetId = null,
        object? details = null,
        bool success = true)
    {
        ArgumentNullException.ThrowIfNull(db);
        var record = Create(actor, action, targetType, targetId, details, success);
        db.AuditEvents.Add(record);
        return record;
    }

    /// <summary>
    /// Builds one event without staging it, for a writer that inserts it itself in the transaction of the change it describes
    /// (<see cref="Signing.SignedDocumentStore"/>).
    /// </summary>
    public AuditEventRecord Create(
        AuditActor actor,
        string action,
        string? targetType = null,
        string? targetId = null,
        object? details = null,
        bool success = true)
    {
        return new AuditEventRecord
        {
            OccurredAt = time.GetUtcNow(),
            ActorType = actor.Type,
            ActorId = actor.Id,
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            Outcome = success ? "success" : "failure",
            TraceId = Activity.Current?.TraceId.ToString(),
            Details = JsonSerializer.SerializeToDocument(details ?? new { }, DetailsJson),
        };
    }
}
