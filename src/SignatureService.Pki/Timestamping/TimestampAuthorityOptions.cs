using System.Security.Cryptography;
using SignatureService.Pki.Certificates;

namespace SignatureService.Pki.Timestamping;

/// <summary>TSA settings.</summary>
public sealed record TimestampAuthorityOptions
{
    /// <summary>Policy used when the request names none; default <see cref="HpkiPolicyOids.TimestampPolicy"/>.</summary>
    public string DefaultPolicy { get; init; } = HpkiPolicyOids.TimestampPolicy;

    /// <summary>Further policies a request may name; the default policy is always accepted.</summary>
    public IReadOnlyList<string> AdditionalPolicies { get; init; } = [];

    /// <summary>Accuracy stated in TSTInfo (whole seconds and milliseconds are encoded); <see langword="null"/> omits it. Default 1 s.</summary>
    public TimeSpan? Accuracy { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether TSTInfo names the TSA (tsa [0] directoryName of the TSA certificate's subject). Default false.</summary>
    public bool IncludeTsaName { get; init; }

    /// <summary>Digest of the CMS signature; default SHA-256.</summary>
    public HashAlgorithmName SignatureDigest { get; init; } = HashAlgorithmName.SHA256;
}
