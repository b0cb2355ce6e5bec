using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SignatureService.Api.Features.ApiDescription;
using SignatureService.Api.Features.Approvals;
using SignatureService.Api.Features.Audit;
using SignatureService.Api.Features.Clients;
using SignatureService.Api.Features.Hsm;
using SignatureService.Api.Features.Identity;
using SignatureService.Api.Features.Protection;
using SignatureService.Api.Features.Telemetry;
using SignatureService.Api.Features.SignatureRequests;
using SignatureService.Api.Features.Signing;
using SignatureService.Api.Features.Verification;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Features.Proofing;
using SignatureService.Api.Health;
using SignatureService.Api.Problems;
using SignatureService.Core.Clients;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Clients;
using SignatureService.Data.Migrating;
using SignatureService.Hsm;
using SignatureService.Api.Features.SignerPages;

namespace SignatureService.Api.Hosting;

/// <summary>Composition of the service: options validated at start, the store, the HSM, problems, health.</summary>
internal static class ServiceRegistration
{
    /// <summary>Largest request body any endpoint accepts (10 MiB); endpoints set lower limits of their own.</summary>
    public const long MaxRequestBodyBytes = 10 * 1024 * 1024;

    public static WebApplicationBuilder AddSignatureService(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        if (!builder.Environment.IsDevelopment())
        {
            builder.Logging.ClearProviders().AddJsonConsole(o => o.IncludeScopes = true);
        }

        services.AddSingleton(TimeProvider.System);
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "SignatureService API";
            document.Info.Version = "v1";
            document.Info.Description =
                "Remote electronic signatures for Japanese healthcare (HPKI). Errors are RFC 9457 problem+json with a stable `code`.";
            return Task.CompletedTask;
        }).AddProblemResponses());
        services.AddProblemDetails(o => o.CustomizeProblemDetails = Problem.Customize);
        services.AddExceptionHandler<ProblemExceptionHandler>();

        services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .Configure<IConfiguration>((o, config) => o.ConnectionString = config.GetConnectionString("SignatureService") ?? "")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        services.AddSingleton(sp => DatabaseOptions.DataSourceBuilder(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString)
            .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
            .Build());
        services.AddDbContextPool<SignatureServiceDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(sp => MigrationConnection.CreateRunner(sp));
        services.AddSingleton<DatabaseStatus>();
        services.AddHostedService<DatabaseStartup>();

        services.AddSingleton<AuditTrail>();
        services.AddAuditChain();
        services.AddServiceTelemetry();
        services.AddProtection(builder.Configuration);
        AddClientAuthentication(builder);
        builder.AddIdentity();

        services.AddOptions<HsmOptions>().BindConfiguration(HsmOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HsmOptions>, HsmOptionsValidator>();
        services.AddSingleton<HsmConnection>();
        services.AddHostedService<HsmStartup>();
        services.AddScoped<ServiceKeys>();
        services.AddPki();
        services.AddProofing();

        AddSignatureRequests(builder);
        services.AddApprovals();
        services.AddSignerPages();

        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [HealthEndpoints.ReadyTag], timeout: TimeSpan.FromSeconds(3))
            .AddCheck<HsmHealthCheck>("hsm", tags: [HealthEndpoints.ReadyTag], timeout: TimeSpan.FromSeconds(3));
        return builder;
    }

    private static void AddClientAuthentication(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAuthentication()
            .AddScheme<ClientJwtOptions, ClientJwtAuthenticationHandler>(ClientJwtAuthenticationHandler.SchemeName, null);
        services.AddOptions<ClientJwtOptions>(ClientJwtAuthenticationHandler.SchemeName)
            .BindConfiguration("ClientAuthentication")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClientJwtOptions>, ClientJwtOptionsValidator>();
        services.AddAuthorizationBuilder()
            .AddPolicy(ClientEndpoints.ClientPolicy, policy => policy
                .AddAuthenticationSchemes(ClientJwtAuthenticationHandler.SchemeName)
                .RequireRole(ClientJwtAuthenticationHandler.ClientRole));
        services.AddScoped<IClientKeyResolver, DbClientKeyResolver>();
        services.AddScoped<ITokenReplayStore, DbTokenReplayStore>();
        services.AddScoped(sp => new ClientTokenValidator(
            new ClientTokenPolicy(sp.GetRequiredService<IOptionsMonitor<ClientJwtOptions>>().Get(ClientJwtAuthenticationHandler.SchemeName).Audience),
            sp.GetRequiredService<IClientKeyResolver>(),
            sp.GetRequiredService<ITokenReplayStore>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddScoped<ClientRegistration>();
    }

    private static void AddSignatureRequests(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(sp => Core.Documents.DocumentFormatRegistry.CreateDefault(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CallbackOutbox>();
        services.AddScoped<SignerQualification>();
        services.AddScoped<SignatureRequestWorkflows>();
        services.AddHostedService<RequestExpiry>();
        services.AddHostedService<CallbackDispatcher>();
        services.AddScoped<SignApprovedRequest>();
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<SignerCertificates>();
        services.AddSingleton(sp => new SignatureService.Pki.XAdES.XadesSigner(sp.GetRequiredService<TimeProvider>()));
        services.AddScoped<CollectValidationMaterial>();
        services.AddScoped<UpgradeSignedDocument>();
        services.AddOptions<SignatureTimestampOptions>().BindConfiguration(SignatureTimestampOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SignatureTimestampOptions>, SignatureTimestampOptionsValidator>();
        services.AddScoped<SignatureTimestamps>();
        services.AddHttpClient(SignatureTimestamps.HttpClientName, (sp, c) =>
            c.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<SignatureTimestampOptions>>().Value.TimeoutSeconds));
        services.AddHostedService<SigningWorker>();
        services.AddScoped<VerifySignedDocument>();
        services.AddOptions<VerificationOptions>().BindConfiguration(VerificationOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<VerificationOptions>, VerificationOptionsValidator>();
        services.AddSingleton<VerificationMaterial>();
        services.AddHttpClient(CallbackDispatcher.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    }

    public static WebApplication UseSignatureService(this WebApplication app)
    {
        app.UseProtectionHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSignInPage();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseProtectionRateLimits();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapHealthEndpoints();
        app.MapClientEndpoints();
        app.MapTelemetryEndpoints();
        app.MapSignatureRequestEndpoints();
        app.MapCallbackKeyEndpoints();
        app.MapVerificationEndpoints();
        app.MapPkiEndpoints();
        app.MapIdentityEndpoints();
        app.MapOperatorEndpoints();
        app.MapAuditEndpoints();
        app.MapApprovalEndpoints();
        app.MapCaOperatorEndpoints();
        app.MapProofingEndpoints();
        app.MapSignerPageEndpoints();
        return app;
    }
}
