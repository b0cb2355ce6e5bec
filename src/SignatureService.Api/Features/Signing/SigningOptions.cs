using Microsoft.Extensions.Options;

namespace SignatureService.Api.Features.Signing;

/// <summary>Settings of the signing pipeline (section <c>Signing</c>).</summary>
public sealed class SigningOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Signing";

    /// <summary>
    /// Add the SignatureTimestamp (ES-T, the default and the only level for statutory documents). <c>false</c> gives ES-B
    /// (XAdES-BES) and exists for benchmarks only, to measure the HSM path without the TSA; refused in Production.
    /// </summary>
    public bool SignatureTimestamp { get; set; } = true;

    /// <summary>
    /// Run the signing worker on this instance (default <c>true</c>). <c>false</c> makes an API-only replica: it takes
    /// requests and approvals, and replicas with the worker (and the HSM) sign them.
    /// </summary>
    public bool WorkerEnabled { get; set; } = true;

    /// <summary>
    /// How many documents of a request are signed at once, and how many requests the worker signs at once (1–64; default:
    /// the number of processors). Each signing thread uses its own pooled HSM session (<c>Hsm:SessionPoolSize</c>), so its
    /// XML and time-stamp work overlaps the others' HSM operations.
    /// </summary>
    public int Parallelism { get; set; } = Environment.ProcessorCount;
}

/// <summary>Refuses to start a production service that would sign without a timestamp.</summary>
internal sealed class SigningOptionsValidator(IHostEnvironment environment) : IValidateOptions<SigningOptions>
{
    public ValidateOptionsResult Validate(string? name, SigningOptions options) =>
        !options.SignatureTimestamp && environment.IsProduction()
            ? ValidateOptionsResult.Fail("Signing:SignatureTimestamp=false (ES-B, benchmarks only) is not allowed in Production.")
            : options.Parallelism is < 1 or > 64
                ? ValidateOptionsResult.Fail("Signing:Parallelism must be between 1 and 64.")
                : ValidateOptionsResult.Success;
}
