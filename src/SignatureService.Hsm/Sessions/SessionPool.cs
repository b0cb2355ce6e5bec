using SignatureService.Hsm.Cryptoki;

namespace SignatureService.Hsm.Sessions;

/// <summary>
/// A bounded pool of logged-in PKCS#11 sessions: at most <c>size</c> are lent at once, one per concurrent operation
/// (a PKCS#11 session runs one operation at a time, base §5.6). Sessions are opened lazily by the factory and reused.
/// Thread-safe.
/// </summary>
internal sealed class SessionPool : IDisposable
{
    private readonly Func<SessionHandle> _open;
    private readonly TimeSpan _acquireTimeout;
    private readonly SemaphoreSlim _available;
    private readonly SessionHandle?[] _idle;
    private readonly Lock _idleLock = new();
    private int _idleCount;
    private volatile bool _disposed;

    /// <param name="size">Most sessions lent at once: 1 to <see cref="HsmOptions.MaxSessionPoolSize"/>.</param>
    /// <param name="acquireTimeout">Longest wait for a free session.</param>
    /// <param name="open">Opens a new logged-in session; may throw <see cref="HsmException"/>.</param>
    public SessionPool(int size, TimeSpan acquireTimeout, Func<SessionHandle> open)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _open = open;
        _acquireTimeout = acquireTimeout;
        _available = new SemaphoreSlim(size, size);
        _idle = new SessionHandle?[size];
        Size = size;
    }

    /// <summary>Most sessions lent at once.</summary>
    public int Size { get; }

    /// <summary>Number of open sessions waiting to be lent (for diagnostics and tests).</summary>
    public int IdleCount
    {
        get
        {
            lock (_idleLock)
            {
                return _idleCount;
            }
        }
    }

    /// <summary>Borrows a session; give it back with <see cref="Return"/> or, if it is broken, <see cref="Discard"/>.</summary>
    /// <exception cref="HsmUnavailableException">No session became free within the acquire timeout.</exception>
    public SessionHandle Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_available.Wait(_acquireTimeout))
        {
            throw new HsmUnavailableException(
                $"No PKCS#11 session became free within {HsmOptions.SectionName}:{nameof(HsmOptions.SessionAcquireTimeout)} " +
                $"({_acquireTimeout.TotalSeconds:0.#} s); all {Size} pooled sessions are busy.");
        }

        try
        {
            lock (_idleLock)
            {
                if (_idleCount > 0)
                {
                    var session = _idle[--_idleCount]!;
                    _idle[_idleCount] = null;
                    return session;
                }
            }

            return _open();
        }
        catch
        {
            _available.Release();
            throw;
        }
    }

    /// <summary>Gives back a healthy session for reuse.</summary>
    public void Return(SessionHandle session)
    {
        var keep = !_disposed;
        if (keep)
        {
            lock (_idleLock)
            {
                _idle[_idleCount++] = session;
            }
        }
        else
        {
            session.Dispose();
        }

        _available.Release();
        if (keep && _disposed)
        {
            DiscardIdle();
        }
    }

    /// <summary>Closes a broken session and frees its place in the pool.</summary>
    public void Discard(SessionHandle session)
    {
        session.Dispose();
        _available.Release();
    }

    /// <summary>Closes every idle session (after a device or login loss, so the next borrowers open fresh ones).</summary>
    public void DiscardIdle()
    {
        SessionHandle?[] closing;
        lock (_idleLock)
        {
            closing = _idle.AsSpan(0, _idleCount).ToArray();
            Array.Clear(_idle);
            _idleCount = 0;
        }

        foreach (var session in closing)
        {
            session?.Dispose();
        }
    }

    /// <summary>Closes idle sessions now; lent ones are closed when they come back.</summary>
    public void Dispose()
    {
        _disposed = true;
        DiscardIdle();
    }
}
