namespace SignatureService.Api.Features.Identity;

/// <summary>
/// The minimal static sign-in page (wwwroot) and the security headers every answer carries: a strict Content Security
/// Policy (no inline script, same-origin fetches only, no framing), no MIME sniffing, no referrer.
/// </summary>
internal static class SignInPage
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseSignInPage(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            return next(context);
        });
        app.UseStaticFiles();
        return app;
    }
}
