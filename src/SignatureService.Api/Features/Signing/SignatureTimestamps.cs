using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Pki;
using SignatureService.Pki.Errors;
using SignatureService.Pki.Timestamping;

namespace SignatureService.Api.Features.Signing;

/// <summary>
/// Settings of the time-stamping authority used for signature and archive time-stamps (section
/// <c>Signing:TimestampAuthority</c>). Empty <see cref="Url"/>: the service's own TSA (its key in the HSM, certificate from the
/// CA). Statutory documents need an accredited TSA in production: set its RFC 3161 HTTP address here, and add its root to the
/// verifier's trust anchors.
/// </summary>
public sealed class SignatureTimestampOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Signing:TimestampAuthority";

    /// <summary>RFC 3161 over HTTP (POST <c>application/timestamp-query</c>); https, or http on loopback outside Production.</summary>
    public Uri? Url { get; set; }

    /// <summary>The TSA policy OID to ask for (reqPolicy), or empty for the TSA's default.</summary>
    public string? PolicyOid { get; set; }

    /// <summary>Time allowed for one time-stamp (1–60 s, default 10).</summary>
    public int TimeoutSeconds { get; set; } = 10;
}

internal sealed class SignatureTimestampOptionsValidator(IHostEnvironment environment) : IValidateOptions<SignatureTimestampOptions>
{
    public ValidateOptionsResult Validate(string? name, SignatureTimestampOptions options)
    {
        var failures = new List<string>();
        if (options.Url is { } url && (!url.IsAbsoluteUri || !(url.Scheme == Uri.UriSchemeHttps ||
                                                                (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback && !environment.IsProduction()))))
        {
            failures.Add("Signing:TimestampAuthority:Url must be an absolute https URL (http only on loopback outside Production).");
        }

        if (!string.IsNullOrEmpty(options.PolicyOid) && !System.Text.RegularExpressions.Regex.IsMatch(options.PolicyOid, "^[0-2](\\.[0-9]+)+$"))
        {
            failures.Add("Signing:TimestampAuthority:PolicyOid must be a dotted OID.");
        }

        if (options.TimeoutSeconds is < 1 or > 60)
        {
            failures.Add("Signing:TimestampAuthority:TimeoutSeconds must be between 1 and 60.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The time-stamping authority signatures use: the configured remote TSA, or the service's own.</summary>
public sealed class SignatureTimestamps(IOptions<SignatureTimestampOptions> options, IHttpClientFactory httpClients, CertificateAuthorities authorities)
{
    /// <summary>The named HTTP client for the remote TSA.</summary>
    public const string HttpClientName = "timestamp-authority";

    /// <summary>The TSA to use now.</summary>
    /// <exception cref="SignatureService.Core.Errors.ServiceException">When the local CA (and so its TSA) is not initialised.</exception>
    public async Task<ITimestampAuthority> AuthorityAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        return o.Url is { } url
            ? new HttpTimestampAuthority(httpClients.CreateClient(HttpClientName), url, string.IsNullOrEmpty(o.PolicyOid) ? null : o.PolicyOid)
            : new LocalTimestampAuthority((await authorities.RequireAsync(cancellationToken)).Tsa);
    }
}

/// <summary>
/// RFC 3161 §3.4 over HTTP: POSTs a TimeStampReq (<c>application/timestamp-query</c>) and validates the TimeStampResp
/// (status, imprint, nonce, policy, ESS signing-certificate binding) with <see cref="TimestampClient"/>. The TSA's chain is
/// the verifier's business. Answers over <see cref="TimestampClient.MaxResponseLength"/> bytes are refused.
/// </summary>
internal sealed class HttpTimestampAuthority(HttpClient http, Uri url, string? policy) : ITimestampAuthority
{
    public async Task<byte[]> TimestampAsync(ReadOnlyMemory<byte> data, HashAlgorithmName hash, CancellationToken cancellationToken)
    {
        var request = TimestampClient.CreateRequest(data.Span, hash, policy);
        using var content = new ByteArrayContent(request.Encode());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/timestamp-query");
        byte[] body;
        try
        {
            using var response = await http.PostAsync(url, content, cancellationToken);
            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "application/timestamp-reply")
            {
                throw new PkiException(PkiErrorCodes.TimestampRejected, $"The TSA answered HTTP {(int)response.StatusCode}.");
            }

            if (response.Content.Headers.ContentLength is > TimestampClient.MaxResponseLength)
            {
                throw new PkiException(PkiErrorCodes.TimestampRejected, "The time-stamp response is too large.");
            }

            body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new PkiException(PkiErrorCodes.TimestampRejected, "The TSA could not be reached.");
        }

        return TimestampClient.ValidateResponse(request, body, data.Span).Encoded;
    }
}
