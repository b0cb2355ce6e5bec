using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using SignatureService.Core.Errors;

namespace SignatureService.Api.Features.Identity;

/// <summary>
/// Reads a JSON request body under an explicit size limit (413 above it, also without Content-Length), requiring
/// <c>application/json</c> (415 otherwise: a cross-site form cannot send it without a CORS preflight).
/// </summary>
internal static class JsonBody
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { MaxDepth = 16 };

    public static async Task<T> ReadAsync<T>(HttpContext context, int maxBytes)
        where T : class
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            throw new ServiceException(ErrorCatalogue.UnsupportedMediaType, "Send application/json.");
        }

        if (request.ContentLength > maxBytes)
        {
            throw new ServiceException(ErrorCatalogue.PayloadTooLarge, $"At most {maxBytes} bytes.");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new ServiceException(ErrorCatalogue.PayloadTooLarge, $"At most {maxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Json)
                   ?? throw new ServiceException(ErrorCatalogue.MalformedBody, "The body must be a JSON object.");
        }
        catch (JsonException)
        {
            throw new ServiceException(ErrorCatalogue.MalformedBody, "The body is not JSON of the expected shape.");
        }
    }
}
