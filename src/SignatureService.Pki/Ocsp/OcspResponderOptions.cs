namespace SignatureService.Pki.Ocsp;

/// <summary>Responder settings.</summary>
public sealed record OcspResponderOptions
{
    /// <summary>nextUpdate = thisUpdate + this (RFC 6960 §4.2.2.1); <see langword="null"/> omits nextUpdate. Default 1 hour.</summary>
    public TimeSpan? ResponseValidity { get; init; } = TimeSpan.FromHours(1);
}
