using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SignatureService.Data;

namespace SignatureService.Api.Features.Clients;

/// <summary>What an authenticated EHR client may ask about itself.</summary>
public sealed record ClientSelf(string ClientId, string Name, IReadOnlyList<string> CallbackOrigins);

internal static class ClientEndpoints
{
    public const string ClientPolicy = "ehr-client";

    public static IEndpointRouteBuilder MapClientEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/clients").WithTags("EHR clients").RequireAuthorization(ClientPolicy);
        group.MapGet("/me", GetSelfAsync)
            .WithSummary("The calling EHR client, as identified by its bearer token (a way to test token minting).");
        return app;
    }

    private static async Task<Results<Ok<ClientSelf>, NotFound>> GetSelfAsync(
        HttpContext context, SignatureServiceDbContext db, CancellationToken cancellationToken)
    {
        var clientId = context.User.FindFirst(ClientJwtAuthenticationHandler.ClientIdClaim)!.Value;
        var client = await db.EhrClients.AsNoTracking().SingleOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);
        return client is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(new ClientSelf(client.ClientId, client.Name, client.AllowedCallbackOrigins));
    }
}
