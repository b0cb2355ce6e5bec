using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SignatureService.Core.Errors;

namespace SignatureService.Api.Features.Identity;

/// <summary>
/// Counts failed ceremonies per client address and per user (or enrollment) in a fixed window and refuses further attempts
/// with 429 and <c>Retry-After</c> once a limit is reached. Thread-safe.
/// </summary>
/// <remarks>Note: counts are per replica (memory); with N replicas an attacker gets at most N times the limit, while the
/// per-enrollment lock (5 wrong codes) and the per-credential counter are enforced in the database.</remarks>
public sealed class FailureThrottle(IOptions<SessionSettings> settings, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Throws a 429 <see cref="ServiceException"/> (and sets <c>Retry-After</c>) when a limit is reached.</summary>
    public void ThrowIfBlocked(HttpContext context, string? userKey)
    {
        var now = time.GetUtcNow();
        var s = settings.Value;
        var wait = Blocked(AddressKey(context), s.FailuresPerAddress, now) ?? (userKey is null ? null : Blocked("u:" + userKey, s.FailuresPerUser, now));
        if (wait is { } retryAfter)
        {
            // Note: the exception handler clears response headers, so the wait travels in Items to the problem writer.
            context.Items[Problems.Problem.RetryAfterItem] = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            throw new ServiceException(ErrorCatalogue.RateLimited);
        }
    }

    /// <summary>Counts one failure for the caller's address and, when known, the user.</summary>
    public void RecordFailure(HttpContext context, string? userKey)
    {
        var now = time.GetUtcNow();
        Count(AddressKey(context), now);
        if (userKey is not null)
        {
            Count("u:" + userKey, now);
        }

        if (_windows.Count > 100_000)
        {
            foreach (var (key, window) in _windows)
            {
                if (window.Start + settings.Value.FailureWindow <= now)
                {
                    _windows.TryRemove(key, out _);
                }
            }
        }
    }

    private static string AddressKey(HttpContext context) => "a:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    private TimeSpan? Blocked(string key, int limit, DateTimeOffset now)
    {
        if (!_windows.TryGetValue(key, out var window))
        {
            return null;
        }

        var end = window.Start + settings.Value.FailureWindow;
        return end > now && window.Count >= limit ? end - now : null;
    }

    private void Count(string key, DateTimeOffset now) => _windows.AddOrUpdate(
        key,
        _ => new Window(now, 1),
        (_, w) => w.Start + settings.Value.FailureWindow <= now ? new Window(now, 1) : w with { Count = w.Count + 1 });

    private sealed record Window(DateTimeOffset Start, int Count);
}
