namespace SignatureService.Api.Features.Identity;

/// <summary>
/// The minimal static sign-in page (wwwroot). Its security headers (strict Content-Security-Policy, no sniffing, no referrer,
/// no framing) come from the one protection middleware that sets them on every answer (<see cref="Protection.Protection"/>).
/// </summary>
internal static class SignInPage
{
    public static WebApplication UseSignInPage(this WebApplication app)
    {
        app.UseStaticFiles();
        return app;
    }
}
