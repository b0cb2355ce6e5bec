namespace SignatureService.Core.Errors;

/// <summary>
/// One entry of the error catalogue: a stable machine-readable <paramref name="Code"/> (clients and tests match on it, never on
/// the title), the HTTP status it always maps to, and a short human title. Answered as RFC 9457 problem+json.
/// </summary>
/// <param name="Code">Stable code, <c>area.reason</c> in lower kebab case, unique across the catalogue.</param>
/// <param name="Status">HTTP status: validation 400, unauthenticated 401, forbidden 403, unknown 404, state conflict 409,
/// payload too large 413, rate limited 429, dependency unavailable 503.</param>
/// <param name="Title">A short, constant, human-readable summary (no request data in it).</param>
public sealed record ErrorDescriptor(string Code, int Status, string Title);
