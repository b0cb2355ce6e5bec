using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SignatureService.Core.Clients;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Clients;

namespace SignatureService.Api.Features.Clients;

/// <summary>A public key to register: its kid, the one algorithm it is for, and the public JWK JSON.</summary>
public sealed record ClientKeyInput(string Kid, string Algorithm, JsonElement Jwk);

/// <summary>A new EHR client.</summary>
public sealed record RegisterClientInput(string ClientId, string Name, IReadOnlyList<ClientKeyInput> Keys, IReadOnlyList<string> CallbackOrigins);

/// <summary>
/// Registers EHR clients and manages their keys: each change is validated first, then written with its audit event in one
/// transaction. Key rotation without downtime: add the new key, switch the client over, retire the old key.
/// </summary>
public sealed partial class ClientRegistration(SignatureServiceDbContext db, AuditTrail audit, TimeProvider time)
{
    /// <summary>Most keys one client may hold at once.</summary>
    public const int MaxKeys = 10;

    /// <summary>Registers a client; <see cref="ServiceException"/> with a catalogue code on invalid input or a duplicate id.</summary>
    public async Task<EhrClientRecord> RegisterAsync(RegisterClientInput input, AuditActor actor, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ClientIdPattern().IsMatch(input.ClientId))
        {
            errors["clientId"] = ["3–64 characters of A–Z, a–z, 0–9, '.', '_' or '-'."];
        }

        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Length > 200)
        {
            errors["name"] = ["1–200 characters."];
        }

        if (input.Keys.Count is 0 or > MaxKeys)
        {
            errors["keys"] = [$"1–{MaxKeys} keys."];
        }

        if (input.Keys.Select(k => k.Kid).Distinct(StringComparer.Ordinal).Count() != input.Keys.Count)
        {
            errors["keys"] = ["Key ids must be unique."];
        }

        for (var i = 0; i < input.Keys.Count; i++)
        {
            ValidateKey(input.Keys[i], $"keys[{i}]", errors);
        }

        var origins = ValidateOrigins(input.CallbackOrigins, errors);
        if (errors.Count > 0)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The client registration is not valid.", errors);
        }

        var now = time.GetUtcNow();
        var client = new EhrClientRecord
        {
            Id = Guid.CreateVersion7(),
            ClientId = input.ClientId,
            Name = input.Name.Trim(),
            Status = "active",
            AllowedCallbackOrigins = origins,
            CreatedAt = now,
            UpdatedAt = now,
        };
        foreach (var key in input.Keys)
        {
            client.Keys.Add(NewKey(client.Id, key, now));
        }

        db.EhrClients.Add(client);
        audit.Record(db, actor, "client.registered", "ehr-client", client.ClientId,
            new { keys = input.Keys.Select(k => new { k.Kid, k.Algorithm }), callbackOrigins = origins });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw new ServiceException(ErrorCatalogue.ClientAlreadyExists);
        }

        return client;
    }

    /// <summary>Adds a key (rotation step 1). The kid must be new for this client.</summary>
    public async Task AddKeyAsync(string clientId, ClientKeyInput key, AuditActor actor, CancellationToken cancellationToken)
    {
        var client = await FindAsync(clientId, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        ValidateKey(key, "key", errors);
        if (errors.Count > 0)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The key is not valid.", errors);
        }

        if (client.Keys.Any(k => k.Kid == key.Kid))
        {
            throw new ServiceException(ErrorCatalogue.ClientKeyAlreadyExists);
        }

        if (client.Keys.Count(k => k.Status == "active") >= MaxKeys)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, $"A client may hold at most {MaxKeys} active keys.");
        }

        var now = time.GetUtcNow();
        db.EhrClientKeys.Add(NewKey(client.Id, key, now));
        client.UpdatedAt = now;
        audit.Record(db, actor, "client.key-added", "ehr-client", clientId, new { key.Kid, key.Algorithm });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Retires a key (rotation step 3): tokens signed with it are refused from now on.</summary>
    public async Task RetireKeyAsync(string clientId, string kid, AuditActor actor, CancellationToken cancellationToken)
    {
        var client = await FindAsync(clientId, cancellationToken);
        var key = client.Keys.SingleOrDefault(k => k.Kid == kid && k.Status == "active")
                  ?? throw new ServiceException(ErrorCatalogue.NotFound, "No active key with this kid.");
        if (client.Keys.Count(k => k.Status == "active") == 1)
        {
            throw new ServiceException(ErrorCatalogue.ClientLastActiveKey);
        }

        var now = time.GetUtcNow();
        key.Status = "retired";
        key.RetiredAt = now;
        client.UpdatedAt = now;
        audit.Record(db, actor, "client.key-retired", "ehr-client", clientId, new { kid });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Enables or disables a client; a disabled client's tokens are refused at once.</summary>
    public async Task SetStatusAsync(string clientId, bool active, AuditActor actor, CancellationToken cancellationToken)
    {
        var client = await FindAsync(clientId, cancellationToken);
        var status = active ? "active" : "disabled";
        if (client.Status == status)
        {
            throw new ServiceException(ErrorCatalogue.StateConflict, $"The client is already {status}.");
        }

        client.Status = status;
        client.UpdatedAt = time.GetUtcNow();
        audit.Record(db, actor, active ? "client.enabled" : "client.disabled", "ehr-client", clientId);
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<EhrClientRecord> FindAsync(string clientId, CancellationToken cancellationToken) =>
        await db.EhrClients.Include(c => c.Keys).SingleOrDefaultAsync(c => c.ClientId == clientId, cancellationToken)
        ?? throw new ServiceException(ErrorCatalogue.NotFound, "No client with this client id.");

    private static EhrClientKeyRecord NewKey(Guid clientRowId, ClientKeyInput key, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        ClientId = clientRowId,
        Kid = key.Kid,
        Algorithm = key.Algorithm,
        PublicJwk = JsonDocument.Parse(key.Jwk.GetRawText()),
        Status = "active",
        CreatedAt = now,
    };

    private static void ValidateKey(ClientKeyInput key, string path, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(key.Kid) || key.Kid.Length > 128)
        {
            errors[$"{path}.kid"] = ["1–128 characters."];
        }

        try
        {
            _ = ClientPublicKey.Parse(key.Jwk, key.Algorithm);
        }
        catch (FormatException ex)
        {
            errors[$"{path}.jwk"] = [ex.Message];
        }
    }

    private static string[] ValidateOrigins(IReadOnlyList<string> origins, Dictionary<string, string[]> errors)
    {
        var result = new List<string>();
        for (var i = 0; i < origins.Count; i++)
        {
            if (CallbackOrigin.TryNormalize(origins[i], out var origin))
            {
                result.Add(origin);
            }
            else
            {
                errors[$"callbackOrigins[{i}]"] = ["An https origin (scheme://host[:port], no path), or http://localhost for development."];
            }
        }

        return result.Distinct(StringComparer.Ordinal).ToArray();
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{3,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ClientIdPattern();
}

/// <summary>Callback origins: https only, except loopback http for development.</summary>
public static class CallbackOrigin
{
    /// <summary>Normalises <c>scheme://host[:port]</c> (lower-case, no default port); false for anything else.</summary>
    public static bool TryNormalize(string value, out string origin)
    {
        origin = "";
        if (value.Length > 255 || !Uri.TryCreate(value, UriKind.Absolute, out var uri) ||
            uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) ||
            !string.IsNullOrEmpty(uri.UserInfo) || value.TrimEnd('/').Length != value.TrimEnd('/').TrimEnd().Length)
        {
            return false;
        }

        var loopback = uri.IsLoopback && uri.Scheme == Uri.UriSchemeHttp;
        if (uri.Scheme != Uri.UriSchemeHttps && !loopback)
        {
            return false;
        }

        origin = uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
        return true;
    }
}
