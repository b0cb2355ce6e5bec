using System.Net;
using System.Reflection;
using System.Text.Json;
using SignatureService.Core.Documents;
using SignatureService.Core.Errors;
using SignatureService.Pki.XAdES;
using SignatureService.Testing.Fuzzing;

namespace SignatureService.Api.Tests.Hostile;

/// <summary>What every refused hostile request must look like: a problem+json body whose <c>code</c> is a catalogue code, never a 5xx.</summary>
internal static class HostileResponses
{
    /// <summary>Every code the API may answer with: the service catalogue, the document catalogue, and the XAdES verifier's codes.</summary>
    public static readonly HashSet<string> KnownCodes =
    [
        .. ErrorCatalogue.All.Select(e => e.Code),
        .. DocumentErrors.All.Select(e => e.Code),
        .. typeof(XadesErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!),
    ];

    /// <summary>Returns the status for a success, or the problem's code; throws <see cref="FuzzFailureException"/> for anything else.</summary>
    public static async Task<string> OutcomeAsync(HttpResponseMessage response, Func<HttpStatusCode, bool> isSuccess)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        if (status >= 500)
        {
            throw new FuzzFailureException($"HTTP {status}: {Shorten(text)}");
        }

        if (isSuccess(response.StatusCode))
        {
            return $"{status}";
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            throw new FuzzFailureException($"HTTP {status} with {response.Content.Headers.ContentType}: {Shorten(text)}");
        }

        string? code;
        try
        {
            using var problem = JsonDocument.Parse(text);
            code = problem.RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
            if (!problem.RootElement.TryGetProperty("traceId", out _))
            {
                throw new FuzzFailureException($"HTTP {status}: problem without traceId: {Shorten(text)}");
            }
        }
        catch (JsonException)
        {
            throw new FuzzFailureException($"HTTP {status}: problem+json that is not JSON: {Shorten(text)}");
        }

        if (code is null || !KnownCodes.Contains(code))
        {
            throw new FuzzFailureException($"HTTP {status}: code '{code}' is not in the catalogue: {Shorten(text)}");
        }

        return $"{status} {code}";
    }

    private static string Shorten(string text) => text.Length > 600 ? text[..600] + "…" : text;
}
