using SignatureService.Hsm;

namespace SignatureService.Api.Features.Hsm;

/// <summary>
/// The service's one open token and the health-test key, once <see cref="HsmStartup"/> has opened them. Thread-safe.
/// Until then (or after a refused login) <see cref="Token"/> is null and <see cref="State"/> says why, for readiness.
/// </summary>
public sealed class HsmConnection : IDisposable
{
    private volatile HsmToken? _token;
    private volatile HsmKey? _healthKey;
    private volatile string _state = "starting";

    /// <summary>The open token, or null while not (yet) available.</summary>
    public HsmToken? Token => _token;

    /// <summary>The dedicated key the readiness probe signs with.</summary>
    public HsmKey? HealthKey => _healthKey;

    /// <summary>A short, secret-free description of the connection state.</summary>
    public string State => _state;

    /// <summary>The open token; <see cref="HsmUnavailableException"/> (answered 503 + Retry-After) while there is none.</summary>
    public HsmToken RequireToken() => _token ?? throw new HsmUnavailableException(_state);

    internal void SetState(string state) => _state = state;

    internal void Connected(HsmToken token) => _token = token;

    internal void Ready(HsmKey healthKey)
    {
        _healthKey = healthKey;
        _state = "ready";
    }

    /// <inheritdoc />
    public void Dispose() => _token?.Dispose();
}
