using System.Buffers.Text;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Npgsql;
using SignatureService.Api.Problems;
using SignatureService.Core.Errors;

namespace SignatureService.Api.Features.Identity;

/// <summary>
/// Authorization policies for people, named exactly after the roles. Each requires an AAL3 session (cookie scheme
/// <see cref="SessionAuthenticationHandler.SchemeName"/>, <c>acr=aal3</c>) with that role.
/// </summary>
public static class IdentityPolicies
{
    /// <summary>Any logged-in user (AAL3 session), whatever the role.</summary>
    public const string Aal3 = "aal3";

    /// <summary>Physician, dentist or pharmacist.</summary>
    public const string Signer = "signer";

    /// <summary>Registration-authority operator.</summary>
    public const string RaOperator = "ra-operator";

    /// <summary>Certificate-authority operator.</summary>
    public const string CaOperator = "ca-operator";

    /// <summary>Auditor.</summary>
    public const string Auditor = "auditor";
}

/// <summary>Claims a session principal carries.</summary>
public static class SessionClaims
{
    /// <summary>The user id (<c>users.id</c>).</summary>
    public const string UserId = "sub";

    /// <summary>The session id.</summary>
    public const string SessionId = "sid";

    /// <summary>The credential row id used to log in.</summary>
    public const string CredentialId = "cred";

    /// <summary>Authentication context class: <c>aal3</c>.</summary>
    public const string Acr = "acr";

    /// <summary>Login time, Unix seconds.</summary>
    public const string AuthTime = "auth_time";

    /// <summary>Absolute session end, Unix seconds.</summary>
    public const string ExpiresAt = "exp";

    /// <summary>The only authentication level the service issues sessions for.</summary>
    public const string Aal3 = "aal3";
}

/// <summary>
/// Cookie session scheme. The cookie holds a 256-bit random token; the store holds its SHA-256. Each request is one statement
/// that requires the session to be unexpired, not ended and inside its idle window, the user active and the login credential
/// active, so suspending either ends the session at once; the same statement extends the idle window when its last extension
/// is older than <see cref="TouchInterval"/>. Unsafe methods also need
/// <c>X-CSRF-Token</c>: a value derived from the session token that a cross-site page cannot read (anti-forgery).
/// </summary>
internal sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    NpgsqlDataSource dataSource,
    IOptions<SessionSettings> sessions,
    RelyingParty relyingParty,
    TimeProvider time,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Session";
    public const string CsrfHeader = "X-CSRF-Token";

    private ErrorDescriptor? _failure;

    /// <summary>The cookie name: <c>__Host-</c> prefixed whenever cookies are Secure.</summary>
    public static string CookieName(RelyingParty relyingParty) => relyingParty.SecureCookies ? "__Host-signsvc_session" : "signsvc_session";

    /// <summary>
    /// How stale <c>last_seen_at</c> may be before a request extends it: 15 s, or a quarter of a shorter idle timeout. A session
    /// therefore ends at most this much <em>before</em> the idle timeout (never after it: the AAL3 limit holds).
    /// </summary>
    public static TimeSpan TouchInterval(TimeSpan idleTimeout) => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(15).Ticks, idleTimeout.Ticks / 4));

    /// <summary>SHA-256 of the session token, as stored.</summary>
    public static byte[] TokenHash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));

    /// <summary>The anti-forgery token of a session: base64url(SHA-256("csrf:" + token)).</summary>
    public static string CsrfToken(string token) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes("csrf:" + token)));

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Request.Cookies[CookieName(relyingParty)];
        if (string.IsNullOrEmpty(token))
        {
            return AuthenticateResult.NoResult();
        }

        if (token.Length > 64)
        {
            _failure = ErrorCatalogue.Unauthenticated;
            return AuthenticateResult.Fail("session cookie malformed");
        }

        if (!HttpMethods.IsGet(Request.Method) && !HttpMethods.IsHead(Request.Method) && !HttpMethods.IsOptions(Request.Method))
        {
            var presented = Encoding.ASCII.GetBytes(Request.Headers[CsrfHeader].ToString());
            var expected = Encoding.ASCII.GetBytes(CsrfToken(token));
            if (!CryptographicOperations.FixedTimeEquals(presented, expected))
            {
                _failure = ErrorCatalogue.CsrfTokenInvalid;
                return AuthenticateResult.Fail(ErrorCatalogue.CsrfTokenInvalid.Code);
            }
        }

        // Note: the idle window is extended only when the last extension is older than TouchInterval. A request within it
        //       only reads (no row version, no WAL to flush at commit), so a signer's burst of calls costs one write, not one
        //       each. The checks themselves (unexpired, not ended, user and key active) run on every request.
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            WITH live AS (
                SELECT s.id, s.user_id, u.display_name, u.roles, s.created_at, s.expires_at, s.credential_id, s.acr, s.last_seen_at
                FROM user_sessions s
                JOIN users u ON u.id = s.user_id
                JOIN webauthn_credentials c ON c.id = s.credential_id
                WHERE s.token_hash = $2 AND s.ended_at IS NULL AND s.expires_at > $1 AND s.last_seen_at > $3
                  AND u.status = 'active' AND c.status = 'active'
            ), touched AS (
                UPDATE user_sessions t SET last_seen_at = $1 FROM live WHERE t.id = live.id AND live.last_seen_at <= $4
            )
            SELECT id, user_id, display_name, roles, created_at, expires_at, credential_id, acr FROM live
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = TokenHash(token) });
        command.Parameters.Add(new NpgsqlParameter { Value = now - sessions.Value.IdleTimeout });
        command.Parameters.Add(new NpgsqlParameter { Value = now - TouchInterval(sessions.Value.IdleTimeout) });
        await using var reader = await command.ExecuteReaderAsync(Context.RequestAborted);
        if (!await reader.ReadAsync(Context.RequestAborted))
        {
            _failure = ErrorCatalogue.Unauthenticated;
            return AuthenticateResult.Fail("session unknown, ended or expired");
        }

        var claims = new List<Claim>
        {
            new(SessionClaims.SessionId, reader.GetGuid(0).ToString()),
            new(SessionClaims.UserId, reader.GetGuid(1).ToString()),
            new(ClaimTypes.Name, reader.GetString(2)),
            new(SessionClaims.AuthTime, reader.GetFieldValue<DateTimeOffset>(4).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            new(SessionClaims.ExpiresAt, reader.GetFieldValue<DateTimeOffset>(5).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            new(SessionClaims.CredentialId, reader.GetGuid(6).ToString()),
            new(SessionClaims.Acr, reader.GetString(7)),
        };
        claims.AddRange(reader.GetFieldValue<string[]>(3).Select(role => new Claim(ClaimTypes.Role, role)));
        var identity = new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var error = _failure ?? ErrorCatalogue.Unauthenticated;
        Response.StatusCode = error.Status;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = Problem.Details(error) });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = Problem.Details(ErrorCatalogue.Forbidden) });
    }
}
