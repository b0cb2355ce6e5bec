namespace SignatureService.Api.Features.Signing;

/// <summary>
/// Wakes this replica's signing worker as soon as a request is approved here, instead of at its next poll (other replicas
/// still find the work by polling). Thread-safe; signals coalesce.
/// </summary>
public sealed class SigningSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Wakes the worker (no-op when a wake-up is already pending).</summary>
    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Note: a wake-up is already pending; one is enough.
        }
    }

    /// <summary>Waits for a wake-up or <paramref name="timeout"/>, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _signal.Dispose();
}
