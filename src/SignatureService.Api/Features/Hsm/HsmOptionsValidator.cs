using Microsoft.Extensions.Options;
using SignatureService.Hsm;

namespace SignatureService.Api.Features.Hsm;

/// <summary>Stops the service at start when the HSM settings are incomplete, naming each setting.</summary>
internal sealed class HsmOptionsValidator : IValidateOptions<HsmOptions>
{
    public ValidateOptionsResult Validate(string? name, HsmOptions options) =>
        options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
