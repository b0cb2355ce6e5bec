using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using SignatureService.Api.Features.Clients;
using SignatureService.Core.Errors;

namespace SignatureService.Api.Features.ApiDescription;

/// <summary>The catalogue errors an endpoint can answer with besides those every endpoint of its kind has.</summary>
/// <param name="Errors">Catalogue entries; their status decides the response they are listed under.</param>
public sealed record EndpointErrors(IReadOnlyList<ErrorDescriptor> Errors);

/// <summary>
/// Documents every endpoint's problem responses in the OpenAPI description: one response per status, as
/// <c>application/problem+json</c> with the shared <c>Problem</c> schema and one named example per stable error code.
/// The codes are those the endpoint declares (<see cref="ProducesErrors{TBuilder}"/>) plus those that follow from what it is:
/// authorization (401/403, the bearer-token failures for EHR clients, the CSRF check for unsafe session calls), a request body
/// (400/413/415), the global rate limiter (429), the database (503) and the generic 500.
/// </summary>
public static class ProblemResponses
{
    /// <summary>The component schema name of a problem.</summary>
    public const string SchemaName = "Problem";

    private const string ProblemMediaType = "application/problem+json";

    private static readonly ErrorDescriptor[] ClientTokenErrors =
    [
        ErrorCatalogue.TokenMalformed, ErrorCatalogue.TokenAlgorithmNotAllowed, ErrorCatalogue.TokenUnknownKey,
        ErrorCatalogue.TokenSignatureInvalid, ErrorCatalogue.TokenIssuerMismatch, ErrorCatalogue.TokenAudienceMismatch,
        ErrorCatalogue.TokenExpired, ErrorCatalogue.TokenNotYetValid, ErrorCatalogue.TokenLifetimeTooLong, ErrorCatalogue.TokenReplayed,
    ];

    /// <summary>Declares catalogue errors this endpoint answers with (documented in the OpenAPI description).</summary>
    public static TBuilder ProducesErrors<TBuilder>(this TBuilder builder, params ErrorDescriptor[] errors)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new EndpointErrors(errors));
    }

    /// <summary>Registers the schema and the operation transformer on an OpenAPI document's options.</summary>
    public static OpenApiOptions AddProblemResponses(this OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
            document.Components.Schemas[SchemaName] = ProblemSchema();
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            Describe(operation, context);
            return Task.CompletedTask;
        });
        return options;
    }

    /// <summary>The errors documented for an endpoint, from its metadata and its shape.</summary>
    internal static IReadOnlyList<ErrorDescriptor> ErrorsOf(IEnumerable<object> metadata, string httpMethod, bool hasRequestBody)
    {
        var errors = new List<ErrorDescriptor>();
        errors.AddRange(metadata.OfType<EndpointErrors>().SelectMany(e => e.Errors));
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
        if (!anonymous && policies.Count > 0)
        {
            errors.Add(ErrorCatalogue.Unauthenticated);
            errors.Add(ErrorCatalogue.Forbidden);
            if (policies.Contains(ClientEndpoints.ClientPolicy))
            {
                errors.AddRange(ClientTokenErrors);
            }
            else if (!HttpMethods.IsGet(httpMethod) && !HttpMethods.IsHead(httpMethod))
            {
                errors.Add(ErrorCatalogue.CsrfTokenInvalid);
            }
        }

        if (hasRequestBody)
        {
            errors.Add(ErrorCatalogue.MalformedBody);
            errors.Add(ErrorCatalogue.PayloadTooLarge);
            errors.Add(ErrorCatalogue.UnsupportedMediaType);
        }

        errors.Add(ErrorCatalogue.RateLimited);
        errors.Add(ErrorCatalogue.DatabaseUnavailable);
        errors.Add(ErrorCatalogue.Internal);
        return errors.DistinctBy(e => e.Code).ToList();
    }

    private static void Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var description = context.Description;
        var errors = ErrorsOf(description.ActionDescriptor.EndpointMetadata, description.HttpMethod ?? "GET", operation.RequestBody is not null)
            .ToList();
        operation.Responses ??= [];

        // Note: a status documented by the framework (Produces/ProducesProblem) without a declared code gets the catalogue's
        // generic entry for it, so no problem response is left without its codes.
        foreach (var status in operation.Responses.Keys.Select(k => int.TryParse(k, out var s) ? s : 0).Where(s => s >= 400).ToList())
        {
            if (!errors.Any(e => e.Status == status))
            {
                errors.Add(GenericFor(status));
            }
        }

        foreach (var group in errors.GroupBy(e => e.Status).OrderBy(g => g.Key))
        {
            var examples = new Dictionary<string, IOpenApiExample>(StringComparer.Ordinal);
            foreach (var error in group.OrderBy(e => e.Code, StringComparer.Ordinal))
            {
                examples[error.Code] = new OpenApiExample { Summary = error.Title, Value = Example(error) };
            }

            var key = group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var existing = operation.Responses.TryGetValue(key, out var response) ? response : null;
            operation.Responses[key] = new OpenApiResponse
            {
                Description = existing?.Description is { Length: > 0 } text && !text.StartsWith("Bad Request", StringComparison.Ordinal)
                    ? text
                    : group.Count() == 1 ? group.First().Title : StatusText(group.Key),
                Headers = group.Key is 429 or 503 ? RetryAfterHeader() : null,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                {
                    [ProblemMediaType] = new()
                    {
                        Schema = new OpenApiSchemaReference(SchemaName, context.Document),
                        Examples = examples,
                    },
                },
            };
        }
    }

    private static ErrorDescriptor GenericFor(int status) => status switch
    {
        400 => ErrorCatalogue.ValidationFailed,
        401 => ErrorCatalogue.Unauthenticated,
        403 => ErrorCatalogue.Forbidden,
        404 => ErrorCatalogue.NotFound,
        405 => ErrorCatalogue.MethodNotAllowed,
        409 => ErrorCatalogue.StateConflict,
        413 => ErrorCatalogue.PayloadTooLarge,
        415 => ErrorCatalogue.UnsupportedMediaType,
        429 => ErrorCatalogue.RateLimited,
        503 => ErrorCatalogue.DatabaseUnavailable,
        _ => ErrorCatalogue.Internal,
    };

    private static string StatusText(int status) => status switch
    {
        400 => "The request is not valid.",
        401 => "Not authenticated.",
        403 => "Not allowed.",
        404 => "Not found.",
        409 => "Conflicts with the current state.",
        503 => "A dependency is unavailable; retry after Retry-After seconds.",
        _ => "See the code.",
    };

    private static JsonObject Example(ErrorDescriptor error)
    {
        var example = new JsonObject
        {
            ["type"] = $"https://signature-service.invalid/errors/{error.Code}",
            ["title"] = error.Title,
            ["status"] = error.Status,
            ["code"] = error.Code,
            ["traceId"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        };
        if (error == ErrorCatalogue.ValidationFailed)
        {
            example["errors"] = new JsonObject { ["documents[0].content"] = new JsonArray("The field is required.") };
        }

        return example;
    }

    private static Dictionary<string, IOpenApiHeader> RetryAfterHeader() => new(StringComparer.Ordinal)
    {
        ["Retry-After"] = new OpenApiHeader
        {
            Description = "Seconds to wait before retrying.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
        },
    };

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details. `code` is stable and machine-readable; `title` and `detail` are for people.",
        Required = new HashSet<string>(StringComparer.Ordinal) { "type", "title", "status", "code", "traceId" },
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri" },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[a-z0-9]+(-[a-z0-9]+)*\\.[a-z0-9]+(-[a-z0-9]+)*$" },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Validation failures by field name.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
    };
}
