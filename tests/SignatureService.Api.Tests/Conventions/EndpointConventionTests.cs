using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Core.Errors;

namespace SignatureService.Api.Tests.Conventions;

public sealed class EndpointConventionTests
{
    [Fact]
    public async Task EveryEndpoint_RequiresAuthorizationOrStatesAllowAnonymous()
    {
        var (factory, db) = await ServiceFactory.CreateAsync();
        await using var _ = db;
        await using var __ = factory;
        using var client = await factory.StartAsync();

        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var undecided = endpoints
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && e.Metadata.GetMetadata<IAuthorizeData>() is null)
            .Select(e => e.RoutePattern.RawText)
            .ToList();

        Assert.NotEmpty(endpoints);
        Assert.Empty(undecided);
    }

    [Fact]
    public void PageProblemTexts_NameOnlyCatalogueCodes()
    {
        // Note: the pages' Japanese texts for problem codes (wwwroot/problems.js) must not drift from the catalogue.
        var file = ProblemsScript();
        var keys = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(file), @"^\s*'([a-z]+\.[a-z-]+)':", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToList();
        var codes = ErrorCatalogue.All.Select(e => e.Code).ToHashSet(StringComparer.Ordinal);

        Assert.True(keys.Count >= 40, $"only {keys.Count} texts found in {file}");
        Assert.All(keys, key => Assert.Contains(key, codes));
    }

    [Fact]
    public void ErrorCatalogue_CodesAreUniqueAndWellFormed()
    {
        var codes = ErrorCatalogue.All.Select(e => e.Code).ToList();

        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, code => Assert.Matches("^[a-z]+\\.[a-z0-9]+(-[a-z0-9]+)*$", code));
        Assert.All(ErrorCatalogue.All, e => Assert.InRange(e.Status, 400, 599));
    }

    private static string ProblemsScript([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "src", "SignatureService.Api", "wwwroot", "problems.js"));
}
