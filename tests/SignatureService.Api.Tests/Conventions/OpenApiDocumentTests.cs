using System.Text.Json;
using System.Text.Json.Nodes;
using SignatureService.Api.Tests.Infrastructure;

namespace SignatureService.Api.Tests.Conventions;

/// <summary>
/// The published API description in openapi/ must equal what the code serves. After an intended API change, regenerate it with
/// <c>SIGNSVC_UPDATE_OPENAPI=1 ./scripts/test.sh --filter OpenApiDocumentTests</c> and commit the file.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private static string CommittedPath([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "openapi", "signature-service.v1.json"));

    [Fact]
    public async Task ServedDocument_EqualsCommittedFile()
    {
        var (factory, db) = await ServiceFactory.CreateAsync();
        await using var _ = db;
        await using var __ = factory;
        using var client = await factory.StartAsync();

        var served = Normalize(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var path = CommittedPath();
        if (Environment.GetEnvironmentVariable("SIGNSVC_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, served);
        }

        Assert.True(File.Exists(path), $"{path} is missing; generate it with SIGNSVC_UPDATE_OPENAPI=1.");
        var committed = await File.ReadAllTextAsync(path);
        Assert.True(committed == served,
            $"openapi/signature-service.v1.json differs from the served document. If the API change is intended, run " +
            "SIGNSVC_UPDATE_OPENAPI=1 ./scripts/test.sh --filter OpenApiDocumentTests and commit the file.");
    }

    [Fact]
    public async Task ServedDocument_DescribesEveryMappedRoute()
    {
        var (factory, db) = await ServiceFactory.CreateAsync();
        await using var _ = db;
        await using var __ = factory;
        using var client = await factory.StartAsync();

        var document = JsonNode.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!;
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();

        Assert.Contains("/v1/clients/me", paths);
    }

    private static string Normalize(string json)
    {
        var node = JsonNode.Parse(json)!;
        // Note: the servers list reflects the test host's address, not the API.
        node.AsObject().Remove("servers");
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
