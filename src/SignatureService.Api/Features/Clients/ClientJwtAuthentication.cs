using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SignatureService.Api.Problems;
using SignatureService.Core.Clients;
using SignatureService.Core.Errors;

namespace SignatureService.Api.Features.Clients;

/// <summary>Options of the EHR client bearer-token scheme.</summary>
public sealed class ClientJwtOptions : AuthenticationSchemeOptions
{
    /// <summary>The <c>aud</c> every client token must carry (configuration <c>ClientAuthentication:Audience</c>).</summary>
    public string Audience { get; set; } = "";
}

/// <summary>
/// Authenticates EHR systems by their signed JWT (see <see cref="ClientTokenValidator"/>). A refused token answers 401
/// problem+json whose <c>code</c> says why, with <c>WWW-Authenticate: Bearer error="invalid_token"</c> (RFC 6750 §3).
/// </summary>
internal sealed class ClientJwtAuthenticationHandler(
    IOptionsMonitor<ClientJwtOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ClientTokenValidator validator,
    IProblemDetailsService problems)
    : AuthenticationHandler<ClientJwtOptions>(options, logger, encoder)
{
    public const string SchemeName = "ClientJwt";
    public const string ClientRole = "ehr-client";
    public const string ClientIdClaim = "client_id";

    private ErrorDescriptor? _failure;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? authorization = Request.Headers.Authorization;
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var result = await validator.ValidateAsync(authorization["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (!result.Succeeded)
        {
            _failure = result.Error;
            return AuthenticateResult.Fail(result.Error!.Code);
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClientIdClaim, result.ClientId!), new Claim(ClaimTypes.Role, ClientRole)], SchemeName, ClientIdClaim, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var error = _failure ?? ErrorCatalogue.Unauthenticated;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = _failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = Problem.Details(error) });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = Problem.Details(ErrorCatalogue.Forbidden) });
    }
}

internal sealed class ClientJwtOptionsValidator : IValidateOptions<ClientJwtOptions>
{
    public ValidateOptionsResult Validate(string? name, ClientJwtOptions options) =>
        name == ClientJwtAuthenticationHandler.SchemeName && string.IsNullOrWhiteSpace(options.Audience)
            ? ValidateOptionsResult.Fail("ClientAuthentication:Audience is required (the aud value EHR client tokens carry).")
            : ValidateOptionsResult.Success;
}
