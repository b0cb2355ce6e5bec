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

await using var app = builder.Build();
app.UseSignatureService();
// Note: StartAsync + WaitForShutdownAsync rather than RunAsync. RunAsync disposes the host the moment a start is refused (bad
// configuration), which races WebApplicationFactory reading that refusal in the tests: it then saw an ObjectDisposedException
// instead of the validation error, now and then under load. Here the host is disposed when Main returns.
await app.StartAsync();
await app.WaitForShutdownAsync();
return Environment.ExitCode;

/// <summary>Entry point, visible to the integration tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;
