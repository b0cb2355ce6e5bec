using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using SignatureService.Api.Hosting;

namespace SignatureService.Api.Features.ApiDescription;

/// <summary>
/// Writes the published API description (<c>openapi/signature-service.v1.json</c>) from the code, without a database, an HSM
/// or a listening socket: the service is composed and its endpoints mapped, but never started. The Api project runs this after
/// every build (<c>dotnet SignatureService.Api.dll openapi FILE</c>) unless <c>CI=true</c>, so the committed file follows the
/// code and CI's drift test compares the committed file with what the service serves.
/// </summary>
internal static class OpenApiExport
{
    /// <summary>The document name served at <c>/openapi/v1.json</c>.</summary>
    public const string DocumentName = "v1";

    public static bool IsCommand(string[] args) => args is ["openapi", _];

    public static async Task<int> RunAsync(string[] args)
    {
        var path = Path.GetFullPath(args[1]);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.AddSignatureService();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var app = builder.Build();
        app.UseSignatureService();
        // Note: routing publishes the mapped endpoints to the document generator; a started host does this implicitly.
        app.UseRouting();
        app.UseEndpoints(_ => { });

        var provider = app.Services.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName);
        var document = await provider.GetOpenApiDocumentAsync();
        var json = await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1);
        var text = Normalize(json);
        if (File.Exists(path) && string.Equals(await File.ReadAllTextAsync(path), text, StringComparison.Ordinal))
        {
            return 0;
        }

        await File.WriteAllTextAsync(path, text);
        await Console.Out.WriteLineAsync($"Updated {path}: commit it with the API change.");
        return 0;
    }

    private static readonly JsonSerializerOptions Indented =
        new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The committed form: indented JSON ending in a newline, without <c>servers</c> (they name the host that served the
    /// document, not the API).
    /// </summary>
    public static string Normalize(string json)
    {
        var node = JsonNode.Parse(json) ?? throw new InvalidOperationException("The OpenAPI document is empty.");
        node.AsObject().Remove("servers");
        return node.ToJsonString(Indented) + "\n";
    }
}
