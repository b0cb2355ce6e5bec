using SignatureService.Core.Errors;
using SignatureService.Api.Features.ApiDescription;
using Microsoft.AspNetCore.Http.HttpResults;

namespace SignatureService.Api.Features.Identity;

/// <summary>People's AAL3 login with WebAuthn security keys: registration, login, logout, the session, own keys.</summary>
internal static class IdentityEndpoints
{
    public static IEndpointRouteBuilder MapIdentityEndpoints(this IEndpointRouteBuilder app)
    {
        var identity = app.MapGroup("/v1/identity").WithTags("Identity");
        identity.MapPost("/registration/options", RegistrationOptionsAsync).AllowAnonymous()
            .Accepts<EnrollmentProof>("application/json")
            .WithSummary("Starts a key registration with an enrollment id and one-time code: returns the options for navigator.credentials.create().")
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415).ProducesProblem(429)
            .ProducesErrors(ErrorCatalogue.EnrollmentInvalid, ErrorCatalogue.EnrollmentLocked, ErrorCatalogue.ValidationFailed);
        identity.MapPost("/registration", RegisterAsync).AllowAnonymous()
            .Accepts<RegisterKeyRequest>("application/json")
            .WithSummary("Completes a key registration (attestation verified against the AAL3 trust policy); the enrollment code is consumed.")
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415).ProducesProblem(429).ProducesProblem(503)
            .ProducesErrors([.. ErrorGroups.WebAuthnRegistration, ErrorCatalogue.EnrollmentInvalid, ErrorCatalogue.EnrollmentLocked,
                ErrorCatalogue.HsmUnavailable]);
        identity.MapPost("/login/options", LoginOptionsAsync).AllowAnonymous()
            .WithSummary("Starts a username-less login: returns the options for navigator.credentials.get().");
        identity.MapPost("/login", LoginAsync).AllowAnonymous()
            .Accepts<LoginRequest>("application/json")
            .WithSummary("Completes a login: sets the session cookie (HttpOnly, SameSite=Strict) and returns the session with its anti-forgery token.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415).ProducesProblem(429)
            .ProducesErrors([.. ErrorGroups.WebAuthnAssertion]);
        identity.MapPost("/logout", LogoutAsync).RequireAuthorization(IdentityPolicies.Aal3)
            .WithSummary("Ends the session (needs X-CSRF-Token).")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(409)
            .ProducesErrors(ErrorCatalogue.StateConflict);

        var me = app.MapGroup("/v1/me").WithTags("Identity").RequireAuthorization(IdentityPolicies.Aal3);
        me.MapGet("/", GetSessionAsync)
            .WithSummary("The logged-in user, roles, assurance level and session times, and the anti-forgery token for state changes.")
            .ProducesProblem(401);
        me.MapGet("/keys", ListKeysAsync).WithSummary("The caller's security keys.").ProducesProblem(401);
        me.MapPost("/keys/options", AddKeyOptionsAsync)
            .WithSummary("Starts adding a backup key: needs a login within the last 5 minutes and X-CSRF-Token.")
            .ProducesProblem(401).ProducesProblem(403).ProducesErrors(ErrorCatalogue.FreshLoginRequired);
        me.MapPost("/keys", AddKeyAsync)
            .Accepts<AddKeyRequest>("application/json")
            .WithSummary("Completes adding a backup key (fresh login and X-CSRF-Token required).")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415)
            .ProducesErrors([.. ErrorGroups.WebAuthnRegistration, ErrorCatalogue.FreshLoginRequired]);
        me.MapPost("/keys/{keyId:guid}/revoke", RevokeKeyAsync)
            .WithSummary("Revokes one of the caller's keys (not the last active one); sessions made with it end. Needs X-CSRF-Token.")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
            .ProducesErrors(ErrorCatalogue.NotFound, ErrorCatalogue.LastActiveCredential, ErrorCatalogue.StateConflict);
        return app;
    }

    private static async Task<Ok<CreationOptionsResponse>> RegistrationOptionsAsync(
        HttpContext context, IdentityCeremonies ceremonies, CancellationToken cancellationToken)
    {
        var proof = await JsonBody.ReadAsync<EnrollmentProof>(context, IdentityCeremonies.MaxOptionsBody);
        return TypedResults.Ok(await ceremonies.RegistrationOptionsAsync(context, proof, cancellationToken));
    }

    private static async Task<Created<SecurityKeyView>> RegisterAsync(
        HttpContext context, IdentityCeremonies ceremonies, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync<RegisterKeyRequest>(context, IdentityCeremonies.MaxRegistrationBody);
        var key = await ceremonies.RegisterAsync(context, request, cancellationToken);
        return TypedResults.Created($"/v1/me/keys/{key.Id}", key);
    }

    private static async Task<Ok<RequestOptionsResponse>> LoginOptionsAsync(IdentityCeremonies ceremonies, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ceremonies.LoginOptionsAsync(cancellationToken));

    private static async Task<Ok<SessionView>> LoginAsync(HttpContext context, IdentityCeremonies ceremonies, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync<LoginRequest>(context, IdentityCeremonies.MaxLoginBody);
        return TypedResults.Ok(await ceremonies.LoginAsync(context, request, cancellationToken));
    }

    private static async Task<NoContent> LogoutAsync(HttpContext context, IdentityCeremonies ceremonies, CancellationToken cancellationToken)
    {
        await ceremonies.LogoutAsync(context, cancellationToken);
        return TypedResults.NoContent();
    }

    private static Task<Ok<SessionView>> GetSessionAsync(HttpContext context, IdentityCeremonies ceremonies) =>
        Task.FromResult(TypedResults.Ok(ceremonies.Describe(context)));

    private static async Task<Ok<IReadOnlyList<SecurityKeyView>>> ListKeysAsync(
        HttpContext context, IdentityCeremonies ceremonies, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ceremonies.ListKeysAsync(context.User, cancellationToken));

    private static async Task<Ok<CreationOptionsResponse>> AddKeyOptionsAsync(
        HttpContext context, IdentityCeremonies ceremonies, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ceremonies.AddKeyOptionsAsync(context.User, cancellationToken));

    private static async Task<Created<SecurityKeyView>> AddKeyAsync(HttpContext context, IdentityCeremonies ceremonies, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync<AddKeyRequest>(context, IdentityCeremonies.MaxRegistrationBody);
        var key = await ceremonies.AddKeyAsync(context, request, cancellationToken);
        return TypedResults.Created($"/v1/me/keys/{key.Id}", key);
    }

    private static async Task<NoContent> RevokeKeyAsync(
        Guid keyId, HttpContext context, IdentityCeremonies ceremonies, CancellationToken cancellationToken)
    {
        await ceremonies.RevokeKeyAsync(context.User, keyId, cancellationToken);
        return TypedResults.NoContent();
    }
}
