using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace SignatureService.Api.Tests.Observability;

/// <summary>Records everything every logger writes, at every level: message, structured values, scopes and exceptions.</summary>
internal sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new StringBuilder($"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)}");
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    line.Append(' ').Append(key).Append('=').Append(value);
                }
            }

            owner._scopes.ForEachScope((scope, text) =>
            {
                text.Append(" scope:").Append(scope);
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (key, value) in pairs)
                    {
                        text.Append(' ').Append(key).Append('=').Append(value);
                    }
                }
            }, line);
            if (exception is not null)
            {
                line.Append(' ').Append(exception);
            }

            owner._lines.Enqueue(line.ToString());
        }
    }
}
