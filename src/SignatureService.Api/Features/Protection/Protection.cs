using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Clients;
using SignatureService.Api.Problems;
using SignatureService.Core.Errors;

namespace SignatureService.Api.Features.Protection;

/// <summary>
/// Rate limiting, security headers, HSTS and forwarded headers. TLS is terminated in front of the service (the ingress); see
/// README "TLS termination". Settings: <c>RateLimiting</c>, <c>Proxy:TrustForwardedHeaders</c>.
/// </summary>
internal static class Protection
{
    /// <summary>The Content-Security-Policy of every response: same-origin resources only, no inline script, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IServiceCollection AddProtection(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>>((limiter, settings) =>
        {
            var limits = settings.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, limits));
            limiter.OnRejected = RejectAsync;
        });
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = true;
        });
        if (configuration.GetValue("Proxy:TrustForwardedHeaders", false))
        {
            services.Configure<ForwardedHeadersOptions>(o =>
            {
                o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                // Note: only the ingress can reach the pods (NetworkPolicy), so its X-Forwarded-* are trusted, and only one hop.
                o.KnownIPNetworks.Clear();
                o.KnownProxies.Clear();
                o.ForwardLimit = 1;
            });
        }

        return services;
    }

    /// <summary>Runs before authentication: forwarded headers, HSTS (HTTPS requests only) and the security headers.</summary>
    public static WebApplication UseProtectionHeaders(this WebApplication app)
    {
        if (app.Configuration.GetValue("Proxy:TrustForwardedHeaders", false))
        {
            app.UseForwardedHeaders();
        }

        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XFrameOptions = "DENY";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }

    /// <summary>Runs after authorization, so an authenticated EHR client or user is limited by its own identity.</summary>
    public static WebApplication UseProtectionRateLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, RateLimitingOptions limits)
    {
        if (!limits.Enabled || context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
        {
            return RateLimitPartition.GetNoLimiter("unlimited");
        }

        var principal = context.User;
        var key = principal.FindFirstValue(ClientJwtAuthenticationHandler.ClientIdClaim) is { } clientId
            ? "client:" + clientId
            : principal.Identity?.IsAuthenticated == true && principal.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId
                ? "user:" + userId
                : null;
        return key is not null
            ? RateLimitPartition.GetTokenBucketLimiter(key, _ => Bucket(limits.PermitsPerPrincipalPerSecond, limits.BurstSeconds))
            : RateLimitPartition.GetTokenBucketLimiter(
                "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown"),
                _ => Bucket(limits.PermitsPerAddressPerSecond, limits.BurstSeconds));
    }

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burstSeconds) => new()
    {
        TokenLimit = perSecond * burstSeconds,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
            : 1;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = Problem.Details(ErrorCatalogue.RateLimited, $"Retry after {retryAfter} s."),
        });
    }
}
