namespace SignatureService.Core.Signing;

/// <summary>
/// The life of a signature request. Transitions either happen or are refused (<see cref="CanTransition"/>); terminal states
/// never change again.
/// <code>
/// pending-approval → approved → signing → signed
///        │               │          └────→ failed
///        ├→ rejected     └→ failed
///        ├→ cancelled
///        └→ expired
/// </code>
/// </summary>
public static class SignatureRequestStatus
{
    /// <summary>Waiting for the signer to approve or reject.</summary>
    public const string PendingApproval = "pending-approval";

    /// <summary>Approved on the signer's security key; queued for the HSM.</summary>
    public const string Approved = "approved";

    /// <summary>Being signed in the HSM.</summary>
    public const string Signing = "signing";

    /// <summary>Every document is signed; results can be downloaded.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The lifecycle's own word, not a type name.")]
    public const string Signed = "signed";

    /// <summary>The signer refused to sign.</summary>
    public const string Rejected = "rejected";

    /// <summary>The client withdrew the request before approval.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Nobody approved it before it expired.</summary>
    public const string Expired = "expired";

    /// <summary>Signing could not complete (e.g. the certificate was revoked after approval).</summary>
    public const string Failed = "failed";

    /// <summary>Every status.</summary>
    public static IReadOnlyList<string> All { get; } = [PendingApproval, Approved, Signing, Signed, Rejected, Cancelled, Expired, Failed];

    private static readonly Dictionary<string, string[]> Transitions = new(StringComparer.Ordinal)
    {
        [PendingApproval] = [Approved, Rejected, Cancelled, Expired],
        [Approved] = [Signing, Failed],
        [Signing] = [Signed, Failed],
    };

    /// <summary>True when a request in <paramref name="from"/> may move to <paramref name="to"/>.</summary>
    public static bool CanTransition(string from, string to) =>
        Transitions.TryGetValue(from, out var next) && next.Contains(to, StringComparer.Ordinal);

    /// <summary>True when no transition leaves <paramref name="status"/>.</summary>
    public static bool IsTerminal(string status) => !Transitions.ContainsKey(status);
}
