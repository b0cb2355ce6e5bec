using System.Globalization;
using System.Text.Json.Nodes;
using SignatureService.Api.Features.ApiDescription;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Core.Errors;

namespace SignatureService.Api.Tests.Conventions;

/// <summary>
/// The published API description in openapi/ must equal what the code serves. Every local build regenerates the file
/// (<c>OpenApiExport</c>); CI builds with <c>CI=true</c> and does not, so a change committed without its file fails here.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private static string CommittedPath([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "openapi", "signature-service.v1.json"));

    [Fact]
    public async Task ServedDocument_EqualsCommittedFile()
    {
        var served = Normalize(await ServedAsync());
        var path = CommittedPath();
        if (Environment.GetEnvironmentVariable("SIGNSVC_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, served);
        }

        Assert.True(File.Exists(path), $"{path} is missing; generate it with SIGNSVC_UPDATE_OPENAPI=1.");
        var committed = await File.ReadAllTextAsync(path);
        Assert.True(committed == served,
            $"openapi/signature-service.v1.json differs from the served document. If the API change is intended, build without " +
            "CI=true (the build regenerates the file) and commit it.");
    }

    [Fact]
    public async Task ServedDocument_DescribesEveryMappedRoute()
    {
        var document = JsonNode.Parse(await ServedAsync())!;
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();

        Assert.Contains("/v1/clients/me", paths);
    }

    [Fact]
    public async Task EveryOperation_DocumentsItsProblemsWithCatalogueCodesAndExamples()
    {
        var document = JsonNode.Parse(await ServedAsync())!;
        var catalogue = ErrorCatalogue.All.ToDictionary(e => e.Code, e => e.Status, StringComparer.Ordinal);

        var failures = new List<string>();
        var operations = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                operations++;
                var name = $"{method.ToUpperInvariant()} {path}";
                var responses = operation!["responses"]!.AsObject();
                var problems = responses.Where(r => int.Parse(r.Key, CultureInfo.InvariantCulture) >= 400).ToList();
                if (problems.Count == 0)
                {
                    failures.Add($"{name}: no problem responses");
                }

                foreach (var (status, response) in problems)
                {
                    var examples = response!["content"]?["application/problem+json"]?["examples"]?.AsObject();
                    if (examples is null || examples.Count == 0)
                    {
                        failures.Add($"{name} {status}: no problem examples");
                        continue;
                    }

                    foreach (var (code, example) in examples)
                    {
                        var value = example!["value"]!;
                        if (!catalogue.TryGetValue(code, out var catalogued) || catalogued.ToString(CultureInfo.InvariantCulture) != status
                            || (string?)value["code"] != code || (int?)value["status"] != catalogued)
                        {
                            failures.Add($"{name} {status}: example {code} is not the catalogue's");
                        }
                    }
                }

                // Note: an endpoint behind authorization documents both refusals; a login may answer 401 alone.
                var secured = responses["401"]?["content"]?["application/problem+json"]?["examples"]?[ErrorCatalogue.Unauthenticated.Code] is not null;
                if (secured && !responses.ContainsKey("403"))
                {
                    failures.Add($"{name}: documents 401 without 403");
                }
            }
        }

        Assert.True(operations > 20, $"only {operations} operations were described");
        Assert.Empty(failures);
    }

    [Fact]
    public async Task AuthorizedOperations_DocumentUnauthenticatedAndCsrfFailures()
    {
        var document = JsonNode.Parse(await ServedAsync())!;

        static string[] Codes(JsonNode operation, string status) =>
            operation["responses"]?[status]?["content"]?["application/problem+json"]?["examples"]?.AsObject().Select(e => e.Key).ToArray() ?? [];

        var logout = document["paths"]!["/v1/identity/logout"]!["post"]!;
        Assert.Contains(ErrorCatalogue.Unauthenticated.Code, Codes(logout, "401"));
        Assert.Contains(ErrorCatalogue.CsrfTokenInvalid.Code, Codes(logout, "403"));
        var created = document["paths"]!["/v1/signature-requests"]!["post"]!;
        Assert.Contains(ErrorCatalogue.TokenReplayed.Code, Codes(created, "401"));
        Assert.Contains(ErrorCatalogue.IdempotencyKeyReused.Code, Codes(created, "409"));
        Assert.DoesNotContain(ErrorCatalogue.CsrfTokenInvalid.Code, Codes(created, "403"));
        var caCertificate = document["paths"]!["/pki/ca/{name}.cer"]!["get"]!;
        Assert.Empty(Codes(caCertificate, "401"));
    }

    private static string Normalize(string json) => OpenApiExport.Normalize(json);

    private static async Task<string> ServedAsync()
    {
        var (factory, db) = await ServiceFactory.CreateAsync();
        await using var _ = db;
        await using var __ = factory;
        using var client = await factory.StartAsync();
        return await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
    }
}
