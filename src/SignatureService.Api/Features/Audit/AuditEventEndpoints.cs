using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using SignatureService.Api.Features.ApiDescription;
using SignatureService.Api.Features.Identity;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Audit;

namespace SignatureService.Api.Features.Audit;

/// <summary>Who acted.</summary>
/// <param name="Type"><c>operator</c>, <c>signer</c>, <c>client</c>, <c>cli</c>, <c>system</c> or <c>anonymous</c>.</param>
/// <param name="Id">The actor's id (a user id, a client id, a command-line user).</param>
public sealed record AuditEventActor(string Type, string Id);

/// <summary>What was acted on.</summary>
/// <param name="Type">Kind of object (<c>certificate</c>, <c>signature-request</c>, ...), if recorded.</param>
/// <param name="Id">Its id (a serial number, a request id, ...), if recorded.</param>
public sealed record AuditEventSubject(string? Type, string? Id);

/// <summary>One audit event as stored, with its place in the hash chain.</summary>
/// <param name="Sequence">The event id: strictly increasing in insertion order (the cursor key).</param>
/// <param name="OccurredAt">When it happened (UTC, microseconds).</param>
/// <param name="Actor">Who acted.</param>
/// <param name="Action">What happened, e.g. <c>certificate.revoked</c>.</param>
/// <param name="Subject">What it happened to, or null.</param>
/// <param name="Outcome"><c>success</c> or <c>failure</c>.</param>
/// <param name="TraceId">The W3C trace id of the request that caused it, if any.</param>
/// <param name="Details">The event's detail JSON as stored (ids and facts only, never secrets or documents).</param>
/// <param name="ChainPosition">Its position in the hash chain, or null while not yet sealed into the chain (normally the last second).</param>
/// <param name="Hash">The chain hash at that position (SHA-256, hex), or null while unsealed.</param>
/// <param name="Sealed">True when a signed checkpoint covers the event (its position is at or before the newest checkpoint).</param>
public sealed record AuditEventItem(
    long Sequence,
    DateTimeOffset OccurredAt,
    AuditEventActor Actor,
    string Action,
    AuditEventSubject? Subject,
    string Outcome,
    string? TraceId,
    JsonElement Details,
    long? ChainPosition,
    string? Hash,
    bool Sealed);

/// <summary>A page of audit events, newest first; pass <paramref name="NextCursor"/> as <c>cursor</c> for older events (null at the end).</summary>
/// <param name="Items">At most <c>limit</c> events.</param>
/// <param name="NextCursor">Opaque cursor of the next (older) page, or null.</param>
public sealed record AuditEventPage(IReadOnlyList<AuditEventItem> Items, string? NextCursor);

/// <summary>
/// <c>GET /v1/audit/events</c>: the auditor browses the trail newest first, filtered by action, actor, subject and time, with a
/// keyset cursor. It returns the stored columns only (no names or other data joined in) and records its own
/// <c>audit.events-viewed</c> event, so reading the trail is itself on the trail.
/// </summary>
internal static partial class AuditEventEndpoints
{
    /// <summary>Events per page when <c>limit</c> is not given.</summary>
    public const int DefaultLimit = 50;

    private const int MaxIdLength = 128;

    public static RouteGroupBuilder MapAuditEventEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/events", ListAsync)
            .WithName("ListAuditEvents")
            .WithSummary("Audit events newest first, filtered by action (exact, or a prefix ending in '*'), actorType, actorId, subject (target id) and time (from inclusive, to exclusive, RFC 3339 or a date); cursor paging, limit 1–200 (default 50).")
            .ProducesErrors(ErrorCatalogue.ValidationFailed);
        return group;
    }

    internal static async Task<Ok<AuditEventPage>> ListAsync(
        HttpContext context, AuditEventBrowser browser, SignatureServiceDbContext db, AuditTrail audit, CancellationToken cancellationToken,
        string? action = null, string? actorType = null, string? actorId = null, string? subject = null,
        string? from = null, string? to = null, string? cursor = null, string? limit = null)
    {
        var filter = Parse(action, actorType, actorId, subject, from, to, cursor, limit);
        var rows = await browser.ReadAsync(filter, cancellationToken);
        var page = rows.Take(filter.Limit).Select(Item).ToList();
        var next = rows.Count > filter.Limit ? page[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null;

        audit.Record(db, new AuditActor("operator", context.User.FindFirstValue(SessionClaims.UserId)!), "audit.events-viewed", "audit-trail", null,
            new { filter.Action, filter.ActorType, filter.ActorId, filter.Subject, filter.From, filter.To, cursor = filter.Before, results = page.Count });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new AuditEventPage(page, next));
    }

    private static AuditEventFilter Parse(
        string? action, string? actorType, string? actorId, string? subject, string? from, string? to, string? cursor, string? limit)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        action = Given(action);
        var prefix = false;
        if (action is not null)
        {
            if (action.Length > 65 || !ActionPattern().IsMatch(action))
            {
                errors["action"] = ["An action such as certificate.revoked, or a prefix ending in '*' such as certificate.* (at most 64 characters)."];
            }
            else if (action.EndsWith('*'))
            {
                prefix = true;
                action = action[..^1];
            }
        }

        actorType = Given(actorType);
        if (actorType is not null && !ActorTypePattern().IsMatch(actorType))
        {
            errors["actorType"] = ["operator, signer, client, cli, system or anonymous."];
        }

        actorId = Given(actorId);
        if (actorId is not null && !IsId(actorId))
        {
            errors["actorId"] = [$"An actor id (1–{MaxIdLength} characters, no control characters)."];
        }

        subject = Given(subject);
        if (subject is not null && !IsId(subject))
        {
            errors["subject"] = [$"A target id such as a serial number or request id (1–{MaxIdLength} characters, no control characters)."];
        }

        var fromTime = Time(Given(from), "from", errors);
        var toTime = Time(Given(to), "to", errors);
        if (fromTime is { } f && toTime is { } t && f > t)
        {
            errors["to"] = ["Must not be before from."];
        }

        long? before = null;
        if (Given(cursor) is { } c)
        {
            if (CursorPattern().IsMatch(c) && long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                before = id;
            }
            else
            {
                errors["cursor"] = ["The nextCursor of a previous page."];
            }
        }

        var size = DefaultLimit;
        if (Given(limit) is { } l
            && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > AuditEventBrowser.MaxLimit))
        {
            errors["limit"] = [$"1–{AuditEventBrowser.MaxLimit}."];
        }

        if (errors.Count > 0)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The audit query parameters are not valid.", errors);
        }

        return new AuditEventFilter(action, prefix, actorType, actorId, subject, fromTime, toTime, before, size);
    }

    private static string? Given(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static bool IsId(string value) => value.Length <= MaxIdLength && !value.Any(char.IsControl) && value.Trim().Length == value.Length;

    private static DateTimeOffset? Time(string? value, string name, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        // Note: RFC 3339 with an explicit offset, or a bare date meaning 00:00 UTC; nothing culture-dependent and no local time.
        if (TimePattern().IsMatch(value)
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        errors[name] = ["An RFC 3339 date-time with an offset (2026-11-21T09:00:00+09:00) or a date (2026-11-21)."];
        return null;
    }

    private static AuditEventItem Item(AuditEventEntry entry)
    {
        var e = entry.Event;
        using var details = JsonDocument.Parse(e.Details);
        return new AuditEventItem(
            e.Id, e.OccurredAt, new AuditEventActor(e.ActorType, e.ActorId), e.Action,
            e.TargetType is null && e.TargetId is null ? null : new AuditEventSubject(e.TargetType, e.TargetId),
            e.Outcome, e.TraceId, details.RootElement.Clone(), entry.Position,
            entry.Hash is null ? null : Convert.ToHexString(entry.Hash), entry.UnderCheckpoint);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]*\\*?$")]
    private static partial Regex ActionPattern();

    [GeneratedRegex("^[a-z][a-z-]{0,31}$")]
    private static partial Regex ActorTypePattern();

    [GeneratedRegex("^[1-9][0-9]{0,18}$")]
    private static partial Regex CursorPattern();

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$")]
    private static partial Regex TimePattern();
}
