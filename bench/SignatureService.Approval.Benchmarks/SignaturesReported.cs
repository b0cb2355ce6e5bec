using System.Diagnostics.Metrics;

/// <summary>
/// Wakes the benchmark's pollers when the service in this process reports signatures: its <c>signsvc.signatures</c> counter,
/// which it adds to right after each commit of signed documents. The pollers still read the request's status from the store;
/// they read it when something may have changed (or after <see cref="Fallback"/>, for a request that ends without a signature)
/// instead of every 1–2 ms. Polling on a timer cost the measured machine a query every 2 ms: PostgreSQL planned the pipelined
/// rows' <c>id = ANY($1)</c> as a sequential scan of the small, much-updated table (about 6 % of the machine in a profile;
/// docs/benchmarks.md).
/// One waiter at a time; wake-ups coalesce.
/// </summary>
internal sealed class SignaturesReported : IDisposable
{
    /// <summary>How long a poller waits for a report before it looks anyway.</summary>
    public static readonly TimeSpan Fallback = TimeSpan.FromMilliseconds(50);

    private readonly MeterListener _listener = new();
    private readonly SemaphoreSlim _reported = new(0, 1);

    public SignaturesReported()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "signsvc.signatures")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, _, _) => Wake());
        _listener.Start();
    }

    /// <summary>Waits for the next report or <see cref="Fallback"/>, whichever comes first.</summary>
    public Task WaitAsync() => _reported.WaitAsync(Fallback);

    /// <summary>Wakes the waiter now (say, when it has a new request to watch).</summary>
    public void Wake()
    {
        try
        {
            _reported.Release();
        }
        catch (SemaphoreFullException)
        {
            // Note: a wake-up is already pending; one is enough.
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _reported.Dispose();
    }
}
