using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Pki.Ocsp;
using SignatureService.Pki.Timestamping;

namespace SignatureService.Api.Features.Pki;

/// <summary>
/// The relying-party endpoints (anonymous, as relying parties have no account): CA certificates, CRLs, the OCSP responder
/// (RFC 6960 Appendix A: POST and GET) and the RFC 3161 TSA (over HTTP, RFC 3161 §3.4). Bodies are read with a hard limit.
/// </summary>
internal static class PkiEndpoints
{
    public const string OcspRequestType = "application/ocsp-request";
    public const string OcspResponseType = "application/ocsp-response";
    public const string TimestampQueryType = "application/timestamp-query";
    public const string TimestampReplyType = "application/timestamp-reply";

    public static IEndpointRouteBuilder MapPkiEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/pki").WithTags("PKI (relying parties)").AllowAnonymous();
        group.MapGet("/ca/{name}.cer", GetCaCertificateAsync)
            .WithSummary("A CA certificate (DER, application/pkix-cert): root, signing or authentication.");
        group.MapGet("/crl/{name}.crl", GetCrlAsync)
            .WithSummary("The CA's newest full CRL (DER, application/pkix-crl); the root's is the ARL.");
        group.MapPost("/ocsp", PostOcspAsync)
            .Accepts<byte[]>(OcspRequestType)
            .Produces<byte[]>(StatusCodes.Status200OK, OcspResponseType)
            .WithSummary("OCSP (RFC 6960): a DER OCSPRequest in, a signed OCSPResponse out; malformed input gets malformedRequest.");
        group.MapGet("/ocsp/{**request}", GetOcspAsync)
            .Produces<byte[]>(StatusCodes.Status200OK, OcspResponseType)
            .WithSummary("OCSP over GET (RFC 6960 A.1): the URL-encoded base64 of the DER OCSPRequest.");
        group.MapPost("/tsa", PostTimestampAsync)
            .Accepts<byte[]>(TimestampQueryType)
            .Produces<byte[]>(StatusCodes.Status200OK, TimestampReplyType)
            .WithSummary("RFC 3161 time-stamping: a DER TimeStampReq in, a TimeStampResp out (key in the HSM).");
        return app;
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> GetCaCertificateAsync(
        string name, SignatureServiceDbContext db, CancellationToken cancellationToken)
    {
        var der = await db.CertificateAuthorities.AsNoTracking().Where(c => c.Name == name).Select(c => c.CertificateDer)
            .SingleOrDefaultAsync(cancellationToken);
        return der is null ? TypedResults.NotFound() : TypedResults.File(der, "application/pkix-cert", $"{name}.cer");
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> GetCrlAsync(
        string name, SignatureServiceDbContext db, HttpContext context, CancellationToken cancellationToken)
    {
        var crl = await (
                from c in db.Crls
                join a in db.CertificateAuthorities on c.CaId equals a.Id
                where a.Name == name
                orderby c.CrlNumber descending
                select new { c.Der, c.NextUpdate })
            .AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        if (crl is null)
        {
            return TypedResults.NotFound();
        }

        // Note: caches may keep the CRL until its nextUpdate at most; a status change publishes a new one at once.
        context.Response.Headers.CacheControl = "public, max-age=60";
        return TypedResults.File(crl.Der, "application/pkix-crl", $"{name}.crl");
    }

    private static async Task<FileContentHttpResult> PostOcspAsync(
        HttpContext context, CertificateAuthorities authorities, CancellationToken cancellationToken)
    {
        RequireMediaType(context, OcspRequestType);
        var body = await ReadBodyAsync(context, OcspRequestParser.MaxRequestLength, cancellationToken);
        return await AnswerOcspAsync(body, authorities, cancellationToken);
    }

    private static async Task<FileContentHttpResult> GetOcspAsync(
        string request, CertificateAuthorities authorities, CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            // Note: routing leaves %2F encoded in the catch-all value (base64 has no '%', so unescaping again is safe);
            //       base64url is accepted too, as some clients send it.
            var text = Uri.UnescapeDataString(request).Replace('-', '+').Replace('_', '/');
            if (text.Length > OcspRequestParser.MaxRequestLength * 4 / 3 + 4)
            {
                throw new FormatException();
            }

            body = Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
        }
        catch (FormatException)
        {
            return Ocsp(OcspResponder.EncodeError(OcspResponseStatus.MalformedRequest));
        }

        return await AnswerOcspAsync(body, authorities, cancellationToken);
    }

    private static async Task<FileContentHttpResult> AnswerOcspAsync(byte[] body, CertificateAuthorities authorities, CancellationToken cancellationToken)
    {
        var hierarchy = await authorities.TryGetAsync(cancellationToken);
        if (hierarchy is null)
        {
            return Ocsp(OcspResponder.EncodeError(OcspResponseStatus.TryLater));
        }

        var response = await hierarchy.Ocsp.RespondAsync(body, cancellationToken);
        return Ocsp(response.Encoded);
    }

    private static async Task<FileContentHttpResult> PostTimestampAsync(
        HttpContext context, CertificateAuthorities authorities, CancellationToken cancellationToken)
    {
        RequireMediaType(context, TimestampQueryType);
        var body = await ReadBodyAsync(context, TimeStampRequestParser.MaxRequestLength, cancellationToken);
        var hierarchy = await authorities.TryGetAsync(cancellationToken);
        var response = hierarchy is null ? TimestampAuthority.Reject(PkiFailureInfo.SystemFailure) : hierarchy.Tsa.Respond(body);
        return TypedResults.File(response.Encoded, TimestampReplyType);
    }

    private static FileContentHttpResult Ocsp(byte[] encoded) => TypedResults.File(encoded, OcspResponseType);

    private static void RequireMediaType(HttpContext context, string mediaType)
    {
        var contentType = context.Request.ContentType;
        var actual = contentType?.Split(';')[0].Trim();
        if (!string.Equals(actual, mediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw new ServiceException(ErrorCatalogue.UnsupportedMediaType, $"Send {mediaType}.");
        }
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; a longer body is 413 without reading the rest.</summary>
    internal static async Task<byte[]> ReadBodyAsync(HttpContext context, int limit, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength > limit)
        {
            throw new ServiceException(ErrorCatalogue.PayloadTooLarge, $"At most {limit} bytes.");
        }

        var buffer = new byte[limit + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        return total > limit
            ? throw new ServiceException(ErrorCatalogue.PayloadTooLarge, $"At most {limit} bytes.")
            : buffer[..total];
    }
}
