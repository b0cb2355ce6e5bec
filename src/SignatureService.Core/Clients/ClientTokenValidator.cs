using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using SignatureService.Core.Errors;

namespace SignatureService.Core.Clients;

/// <summary>Limits and expectations for EHR client tokens.</summary>
/// <param name="Audience">The <c>aud</c> value that names this service (required, exact match).</param>
public sealed record ClientTokenPolicy(string Audience)
{
    /// <summary>Longest accepted <c>exp</c> − <c>iat</c> (default 5 minutes).</summary>
    public TimeSpan MaxLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Tolerated clock difference for <c>exp</c>, <c>iat</c>, <c>nbf</c> (default 60 s).</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest accepted compact token, in characters (default 8 KiB).</summary>
    public int MaxTokenLength { get; init; } = 8 * 1024;
}

/// <summary>What the key resolver knows of a client key.</summary>
/// <param name="ClientActive">False for a disabled client: its tokens are refused.</param>
/// <param name="Key">The registered public key, bound to one algorithm.</param>
public sealed record ClientKeyLookup(bool ClientActive, ClientPublicKey Key);

/// <summary>Finds an active key of a client by <c>kid</c>.</summary>
public interface IClientKeyResolver
{
    /// <summary>The key, or null when the client or the active key does not exist.</summary>
    ValueTask<ClientKeyLookup?> FindAsync(string clientId, string kid, CancellationToken cancellationToken);
}

/// <summary>Single-use token ids.</summary>
public interface ITokenReplayStore
{
    /// <summary>Records (issuer, jti) until <paramref name="keepUntil"/>; false when it was already recorded.</summary>
    ValueTask<bool> TryConsumeAsync(string issuer, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken);
}

/// <summary>The outcome of validating a client token: the client id on success, else the catalogue error.</summary>
public sealed record ClientTokenResult(string? ClientId, ErrorDescriptor? Error)
{
    /// <summary>True when the token was accepted.</summary>
    public bool Succeeded => Error is null;

    internal static ClientTokenResult Fail(ErrorDescriptor error) => new(null, error);
}

/// <summary>
/// Validates an EHR client's bearer token, an RFC 7523-style JWT signed with the client's registered key:
/// compact JWS only (no JWE, no <c>none</c>, no HMAC), the header <c>alg</c> must equal the algorithm the key is registered for,
/// <c>kid</c> selects the key, <c>iss</c> = <c>sub</c> = client id, <c>aud</c> = this service, <c>exp</c> at most
/// <see cref="ClientTokenPolicy.MaxLifetime"/> after <c>iat</c>, <c>nbf</c> honoured, <c>jti</c> single use. Thread-safe.
/// </summary>
public sealed class ClientTokenValidator(
    ClientTokenPolicy policy, IClientKeyResolver keys, ITokenReplayStore replay, TimeProvider time)
{
    private const int MaxJtiLength = 128;

    /// <summary>Validates <paramref name="token"/>; never throws for hostile input.</summary>
    public async Task<ClientTokenResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        // 1. Shape: exactly three base64url parts (a JWE has five), bounded size.
        if (token.Length > policy.MaxTokenLength)
        {
            return ClientTokenResult.Fail(ErrorCatalogue.TokenMalformed);
        }

        var parts = token.Split('.');
        // Note: an empty signature part is let through to fail at the algorithm or signature step, so that the classic
        // unsigned "alg":"none" token is reported as what it is.
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return ClientTokenResult.Fail(ErrorCatalogue.TokenMalformed);
        }

        if (!TryDecode(parts[0], out var headerBytes) || !TryDecode(parts[1], out var payloadBytes) ||
            !TryDecode(parts[2], out var signature))
        {
            return ClientTokenResult.Fail(ErrorCatalogue.TokenMalformed);
        }

        // Note: JsonDocument does not check the UTF-8 inside string values until they are read, and then throws
        //       InvalidOperationException; RFC 7515 §5.2 requires UTF-8, so anything else is refused here.
        if (!Utf8.IsValid(headerBytes) || !Utf8.IsValid(payloadBytes))
        {
            return ClientTokenResult.Fail(ErrorCatalogue.TokenMalformed);
        }

        JsonDocument header, payload;
        try
        {
            header = JsonDocument.Parse(headerBytes, new JsonDocumentOptions { MaxDepth = 8 });
            payload = JsonDocument.Parse(payloadBytes, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            return ClientTokenResult.Fail(ErrorCatalogue.TokenMalformed);
        }

        using (header)
        using (payload)
        {
            if (header.RootElement.ValueKind != JsonValueKind.Object || payload.RootElement.ValueKind != JsonValueKind.Object)
            {
                return ClientTokenResult.Fail(ErrorCatalogue.TokenMalformed);
            }

            // 2. Header: an allowed asymmetric alg, a kid, and no critical extensions we would have to understand.
            var alg = GetString(header.RootElement, "alg");
            var kid = GetString(header.RootElement, "kid");
            if (alg is null || !ClientPublicKey.SupportedAlgorithms.Contains(alg, StringComparer.Ordinal))
            {
                return ClientTokenResult.Fail(ErrorCatalogue.TokenAlgorithmNotAllowed);
            }

            if (kid is null or { Length: 0 or > 128 } || header.RootElement.TryGetProperty("crit", out _))
            {
                return ClientTokenResult.Fail(ErrorCatalogue.TokenMalformed);
            }

            // 3. Claims present with the right types.
            var claims = payload.RootElement;
            var iss = GetString(claims, "iss");
            var sub = GetString(claims, "sub");
            var jti = GetString(claims, "jti");
            if (iss is null || sub is null || jti is null or { Length: 0 or > MaxJtiLength } ||
                !TryGetTime(claims, "exp", out var expClaim) || expClaim is not { } exp ||
                !TryGetTime(claims, "iat", out var iatClaim) || iatClaim is not { } iat ||
                !TryGetTime(claims, "nbf", out var nbf) || !claims.TryGetProperty("aud", out var aud))
            {
                return ClientTokenResult.Fail(ErrorCatalogue.TokenMalformed);
            }

            // 4. The key: the issuing client's active key with this kid, registered for exactly this alg.
            var lookup = await keys.FindAsync(iss, kid, cancellationToken);
            if (lookup is null || !lookup.ClientActive)
            {
                return ClientTokenResult.Fail(ErrorCatalogue.TokenUnknownKey);
            }

            if (lookup.Key.Algorithm != alg)
            {
                return ClientTokenResult.Fail(ErrorCatalogue.TokenAlgorithmNotAllowed);
            }

            // 5. The signature over the ASCII of "header.payload" (RFC 7515 §5.2), before any claim is trusted.
            var signingInput = Encoding.ASCII.GetBytes(string.Concat(parts[0], ".", parts[1]));
            if (!lookup.Key.Verify(signingInput, signature))
            {
                return ClientTokenResult.Fail(ErrorCatalogue.TokenSignatureInvalid);
            }

            // 6. Who and for whom.
            if (!string.Equals(iss, sub, StringComparison.Ordinal))
            {
                return ClientTokenResult.Fail(ErrorCatalogue.TokenIssuerMismatch);
            }

            if (!AudienceMatches(aud, policy.Audience))
            {
                return ClientTokenResult.Fail(ErrorCatalogue.TokenAudienceMismatch);
            }

            // 7. When: within exp (with skew), issued not in the future, nbf reached, lifetime bounded.
            var now = time.GetUtcNow();
            if (exp + policy.ClockSkew <= now)
            {
                return ClientTokenResult.Fail(ErrorCatalogue.TokenExpired);
            }

            if (iat - policy.ClockSkew > now || (nbf is { } notBefore && notBefore - policy.ClockSkew > now))
            {
                return ClientTokenResult.Fail(ErrorCatalogue.TokenNotYetValid);
            }

            if (exp - iat > policy.MaxLifetime || exp < iat)
            {
                return ClientTokenResult.Fail(ErrorCatalogue.TokenLifetimeTooLong);
            }

            // 8. Single use: record the jti until the token could no longer be accepted anyway.
            if (!await replay.TryConsumeAsync(iss, jti, exp + policy.ClockSkew, cancellationToken))
            {
                return ClientTokenResult.Fail(ErrorCatalogue.TokenReplayed);
            }

            return new ClientTokenResult(iss, null);
        }
    }

    private static bool TryDecode(string part, out byte[] bytes)
    {
        bytes = [];
        if (part.Length == 0)
        {
            return true;
        }

        if (!Base64Url.IsValid(part) || part.Contains('=', StringComparison.Ordinal))
        {
            return false;
        }

        bytes = Base64Url.DecodeFromChars(part);
        return true;
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>False when the claim is present but not a valid NumericDate; an absent claim gives true and null.</summary>
    private static bool TryGetTime(JsonElement claims, string name, out DateTimeOffset? value)
    {
        value = null;
        if (!claims.TryGetProperty(name, out var element))
        {
            return true;
        }

        // NumericDate (RFC 7519 §2): seconds since the epoch; bounded so the conversion cannot overflow.
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var seconds) || seconds is < 0 or > 253402300799)
        {
            return false;
        }

        value = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    private static bool AudienceMatches(JsonElement aud, string expected) => aud.ValueKind switch
    {
        JsonValueKind.String => aud.GetString() == expected,
        JsonValueKind.Array => aud.GetArrayLength() is > 0 and <= 8 &&
                               aud.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && a.GetString() == expected),
        _ => false,
    };
}
