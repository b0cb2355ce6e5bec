using SignatureService.Core.Errors;
using SignatureService.Api.Features.ApiDescription;
using Microsoft.AspNetCore.Http.HttpResults;
using SignatureService.Api.Features.Hsm;
using SignatureService.Hsm;

namespace SignatureService.Api.Features.SignatureRequests;

/// <summary>The public key set callback receivers verify our JWS with.</summary>
public sealed record JsonWebKeySet(IReadOnlyList<Dictionary<string, string>> Keys);

internal static class CallbackKeyEndpoints
{
    public static IEndpointRouteBuilder MapCallbackKeyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/callback-keys", GetAsync).AllowAnonymous().WithTags("Signature requests")
            .WithSummary("JWKS of the key that signs callbacks (ES256); receivers select it by kid.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable).ProducesErrors(ErrorCatalogue.HsmUnavailable);
        return app;
    }

    private static async Task<Ok<JsonWebKeySet>> GetAsync(HsmConnection hsm, ServiceKeys keys, CancellationToken cancellationToken)
    {
        var key = await keys.EnsureAsync(hsm.RequireToken(), CallbackDispatcher.KeyPurpose, HsmKeyAlgorithm.EcP256, cancellationToken);
        return TypedResults.Ok(new JsonWebKeySet([CallbackDispatcher.PublicJwk(key)]));
    }
}
