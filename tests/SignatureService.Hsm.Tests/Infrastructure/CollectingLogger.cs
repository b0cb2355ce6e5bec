using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SignatureService.Hsm.Tests.Infrastructure;

/// <summary>Records formatted log events, to check which events occur and that no secret appears in them.</summary>
internal sealed class CollectingLogger : ILogger
{
    public ConcurrentQueue<(EventId Id, LogLevel Level, string Message)> Events { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Events.Enqueue((eventId, logLevel, formatter(state, exception)));
}
