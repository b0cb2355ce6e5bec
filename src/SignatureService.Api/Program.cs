using SignatureService.Api.Cli;
using SignatureService.Api.Features.ApiDescription;
using SignatureService.Api.Hosting;

if (OpenApiExport.IsCommand(args))
{
    return await OpenApiExport.RunAsync(args);
}

if (CommandLine.IsCommand(args))
{
    return await CommandLine.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddSignatureService();

var app = builder.Build();
app.UseSignatureService();
await app.RunAsync();
return Environment.ExitCode;

/// <summary>Entry point, visible to the integration tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;
