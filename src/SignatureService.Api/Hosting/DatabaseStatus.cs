namespace SignatureService.Api.Hosting;

/// <summary>Whether the schema is known to be current. Thread-safe; written by <see cref="DatabaseStartup"/>, read by readiness.</summary>
public sealed class DatabaseStatus
{
    private volatile string _state = "starting";

    /// <summary>True once migrations are applied (or verified current).</summary>
    public bool IsMigrated => _state == "migrated";

    /// <summary>A short description of the current state, safe to show on the readiness endpoint.</summary>
    public string State => _state;

    internal void Set(string state) => _state = state;
}
