using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SignatureService.Core.Documents;
using SignatureService.Core.Errors;
using SignatureService.Core.Signing;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Signing;

namespace SignatureService.Api.Features.SignatureRequests;

/// <summary>Limits of the signing request API.</summary>
public static class SignatureRequestLimits
{
    /// <summary>Most documents in one request (inclusive).</summary>
    public const int MaxDocuments = 100;

    /// <summary>Most decoded bytes of all documents of one request (10 MiB, inclusive).</summary>
    public const int MaxTotalDocumentBytes = 10 * 1024 * 1024;

    /// <summary>Largest request body: base64 of <see cref="MaxTotalDocumentBytes"/> plus room for the JSON around it.</summary>
    public const int MaxBodyBytes = (MaxTotalDocumentBytes / 3 * 4) + (1024 * 1024);

    /// <summary>Shortest and longest wait for approval, and the default, in seconds.</summary>
    public const int MinExpirySeconds = 300, MaxExpirySeconds = 7 * 24 * 3600, DefaultExpirySeconds = 24 * 3600;
}

/// <summary>The outcome of a create call: the request, and whether it was created now (201) or replayed by idempotency.</summary>
public sealed record CreatedRequest(SignatureRequestRecord Request, bool Replayed);

/// <summary>
/// Creates, reads, lists and cancels signature requests for one EHR client. Each state change is written with its audit event and
/// its callback in one transaction; a client only ever sees its own requests (others' are "not found").
/// </summary>
public sealed class SignatureRequestWorkflows(
    SignatureServiceDbContext db,
    DocumentFormatRegistry formats,
    SignerQualification qualification,
    CallbackOutbox callbacks,
    AuditTrail audit,
    TimeProvider time,
    IHostEnvironment environment)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly JsonSerializerOptions InputJson = new(JsonSerializerDefaults.Web) { MaxDepth = 16 };

    /// <summary>Validates and stores a request. <paramref name="body"/> is the raw body (hashed for idempotency).</summary>
    public async Task<CreatedRequest> CreateAsync(
        Guid clientRowId, string clientId, ReadOnlyMemory<byte> body, string? idempotencyKey, CancellationToken cancellationToken)
    {
        byte[]? requestHash = null;
        if (idempotencyKey is not null)
        {
            if (idempotencyKey.Length is 0 or > 255 || idempotencyKey.Any(c => c is < '!' or > '~'))
            {
                throw Invalid("Idempotency-Key", "1–255 visible ASCII characters.");
            }

            requestHash = SHA256.HashData(body.Span);
            if (await FindIdempotentAsync(clientRowId, idempotencyKey, requestHash, cancellationToken) is { } replay)
            {
                return new CreatedRequest(replay, Replayed: true);
            }
        }

        var input = Parse(body);
        var documents = ValidateDocuments(input.Documents);
        var signerId = await qualification.RequireQualifiedAsync(
            input.Signer, documents.Select(d => d.Type).Distinct().ToArray(), cancellationToken);
        var callbackUrl = await ValidateCallbackAsync(clientRowId, input.CallbackUrl, cancellationToken);
        var expiresIn = input.ExpiresInSeconds ?? SignatureRequestLimits.DefaultExpirySeconds;
        if (expiresIn is < SignatureRequestLimits.MinExpirySeconds or > SignatureRequestLimits.MaxExpirySeconds)
        {
            throw Invalid("expiresInSeconds", $"{SignatureRequestLimits.MinExpirySeconds}–{SignatureRequestLimits.MaxExpirySeconds} seconds.");
        }

        var level = input.SignatureLevel ?? Signing.SignatureLevels.EsT;
        if (!Signing.SignatureLevels.IsRequestable(level))
        {
            throw Invalid("signatureLevel", $"One of: {string.Join(", ", Signing.SignatureLevels.Requestable)}.");
        }

        var now = time.GetUtcNow();
        var request = new SignatureRequestRecord
        {
            Id = Guid.CreateVersion7(),
            ClientId = clientRowId,
            SignerUserId = signerId,
            Status = SignatureRequestStatus.PendingApproval,
            DocumentCount = documents.Count,
            CallbackUrl = callbackUrl,
            IdempotencyKey = idempotencyKey,
            RequestHash = requestHash,
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now.AddSeconds(expiresIn),
            SignatureLevel = level,
        };
        for (var i = 0; i < documents.Count; i++)
        {
            var document = documents[i];
            request.Documents.Add(new SignatureRequestDocumentRecord
            {
                Id = Guid.CreateVersion7(),
                RequestId = request.Id,
                Ordinal = i + 1,
                DocumentType = document.Type.ToWireName(),
                DocumentId = document.DocumentId,
                MediaType = document.MediaType,
                Content = document.Content.ToArray(),
                Sha256 = document.Sha256.ToArray(),
                Summary = document.Summary,
                Display = JsonSerializer.SerializeToDocument(document.Display, Json),
            });
        }

        db.SignatureRequests.Add(request);
        audit.Record(db, new AuditActor("client", clientId), "signature-request.created", "signature-request", request.Id.ToString(),
            new
            {
                signerId,
                signatureLevel = level,
                documents = documents.Select(d => new { type = d.Type.ToWireName(), sha256 = d.Sha256Hex }),
            });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return new CreatedRequest(request, Replayed: false);
        }
        catch (DbUpdateException ex) when (idempotencyKey is not null &&
                                           ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Note: the same key raced in from another call; answer as that call's replay (or 409 if its body differs).
            db.ChangeTracker.Clear();
            var winner = await FindIdempotentAsync(clientRowId, idempotencyKey, requestHash!, cancellationToken);
            return new CreatedRequest(winner ?? throw new ServiceException(ErrorCatalogue.IdempotencyKeyReused), Replayed: true);
        }
    }

    /// <summary>The client's request with its documents, or null (also for another client's request).</summary>
    public Task<SignatureRequestRecord?> FindAsync(Guid clientRowId, Guid id, CancellationToken cancellationToken) =>
        db.SignatureRequests.AsNoTracking().Include(r => r.Documents.OrderBy(d => d.Ordinal))
            .SingleOrDefaultAsync(r => r.Id == id && r.ClientId == clientRowId, cancellationToken);

    /// <summary>A page of the client's requests, newest first, optionally filtered.</summary>
    public async Task<(IReadOnlyList<SignatureRequestRecord> Items, string? NextCursor)> ListAsync(
        Guid clientRowId, string? status, Guid? signerId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        if (status is not null && !SignatureRequestStatus.All.Contains(status, StringComparer.Ordinal))
        {
            throw Invalid("status", $"One of: {string.Join(", ", SignatureRequestStatus.All)}.");
        }

        if (limit is < 1 or > 100)
        {
            throw Invalid("limit", "1–100.");
        }

        var query = db.SignatureRequests.AsNoTracking().Include(r => r.Documents.OrderBy(d => d.Ordinal))
            .Where(r => r.ClientId == clientRowId);
        if (status is not null)
        {
            query = query.Where(r => r.Status == status);
        }

        if (signerId is { } signer)
        {
            query = query.Where(r => r.SignerUserId == signer);
        }

        if (cursor is not null)
        {
            var (createdAt, id) = DecodeCursor(cursor);
            query = query.Where(r => r.CreatedAt < createdAt || (r.CreatedAt == createdAt && r.Id.CompareTo(id) < 0));
        }

        var items = await query.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var next = items.Count > limit ? EncodeCursor(items[limit - 1]) : null;
        return (items.Take(limit).ToList(), next);
    }

    /// <summary>Cancels a pending request of the client (409 in any other state).</summary>
    public async Task<SignatureRequestRecord> CancelAsync(
        Guid clientRowId, string clientId, Guid id, string? reason, CancellationToken cancellationToken)
    {
        if (reason is { Length: > 500 })
        {
            throw Invalid("reason", "At most 500 characters.");
        }

        var request = await db.SignatureRequests.Include(r => r.Documents.OrderBy(d => d.Ordinal))
                          .SingleOrDefaultAsync(r => r.Id == id && r.ClientId == clientRowId, cancellationToken)
                      ?? throw new ServiceException(ErrorCatalogue.NotFound);
        Transition(request, SignatureRequestStatus.Cancelled, reason);
        audit.Record(db, new AuditActor("client", clientId), "signature-request.cancelled", "signature-request", id.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return request;
    }

    /// <summary>
    /// Moves <paramref name="request"/> to <paramref name="to"/> and queues its callback, or throws 409 when the lifecycle forbids it.
    /// The caller saves; the row version makes a concurrent change fail instead of being overwritten.
    /// </summary>
    public void Transition(SignatureRequestRecord request, string to, string? reason = null)
    {
        if (!SignatureRequestStatus.CanTransition(request.Status, to))
        {
            throw new ServiceException(ErrorCatalogue.StateConflict, $"The request is {request.Status}.");
        }

        request.Status = to;
        request.StatusReason = reason;
        request.UpdatedAt = time.GetUtcNow();
        callbacks.Enqueue(db, request);
    }

    private async Task<SignatureRequestRecord?> FindIdempotentAsync(
        Guid clientRowId, string key, byte[] requestHash, CancellationToken cancellationToken)
    {
        var existing = await db.SignatureRequests.AsNoTracking().Include(r => r.Documents.OrderBy(d => d.Ordinal))
            .SingleOrDefaultAsync(r => r.ClientId == clientRowId && r.IdempotencyKey == key, cancellationToken);
        if (existing is not null && !CryptographicOperations.FixedTimeEquals(existing.RequestHash, requestHash))
        {
            throw new ServiceException(ErrorCatalogue.IdempotencyKeyReused);
        }

        return existing;
    }

    private static CreateSignatureRequest Parse(ReadOnlyMemory<byte> body)
    {
        CreateSignatureRequest? input;
        try
        {
            input = JsonSerializer.Deserialize<CreateSignatureRequest>(body.Span, InputJson);
        }
        catch (JsonException)
        {
            throw new ServiceException(ErrorCatalogue.MalformedBody, "The body is not a signature request in JSON.");
        }

        var errors = new Dictionary<string, string[]>();
        if (input?.Signer is null)
        {
            errors["signer"] = ["Required: userId, or profession and licenseNumber."];
        }
        else if (input.Signer.UserId is null == (input.Signer.Profession is null || input.Signer.LicenseNumber is null) ||
                 input.Signer.Profession is { Length: > 32 } || input.Signer.LicenseNumber is { Length: > 20 })
        {
            errors["signer"] = ["Give either userId, or profession and licenseNumber (not both)."];
        }

        if (input?.Documents is null || input.Documents.Count is 0 or > SignatureRequestLimits.MaxDocuments)
        {
            errors["documents"] = [$"1–{SignatureRequestLimits.MaxDocuments} documents."];
        }

        if (errors.Count > 0)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "The signature request is not valid.", errors);
        }

        return input!;
    }

    private List<ValidatedDocument> ValidateDocuments(IReadOnlyList<DocumentSubmission> submissions)
    {
        var documents = new List<ValidatedDocument>(submissions.Count);
        long total = 0;
        for (var i = 0; i < submissions.Count; i++)
        {
            var submission = submissions[i];
            if (submission?.Content is null || submission.Type is null || submission.MediaType is null)
            {
                throw Invalid($"documents[{i}]", "type, mediaType and content are required.");
            }

            if (submission.Content.Length > (DocumentLimits.MaxDocumentBytes / 3 * 4) + 4)
            {
                throw new ServiceException(ErrorCatalogue.PayloadTooLarge, $"documents[{i}] exceeds 1 MiB.");
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(submission.Content);
            }
            catch (FormatException)
            {
                throw Invalid($"documents[{i}].content", "Base64 required.");
            }

            total += bytes.Length;
            if (total > SignatureRequestLimits.MaxTotalDocumentBytes)
            {
                throw new ServiceException(ErrorCatalogue.PayloadTooLarge, "The documents exceed 10 MiB in all.");
            }

            try
            {
                documents.Add(formats.Validate(submission.Type, bytes, submission.MediaType));
            }
            catch (DocumentValidationException ex)
            {
                var path = ex.FieldPath is null ? $"documents[{i}]" : $"documents[{i}].{ex.FieldPath}";
                throw new ServiceException(new ErrorDescriptor(ex.Error.Code, ex.Error.HttpStatus, ex.Error.Title),
                    $"{path}: {ex.Error.Title}", new Dictionary<string, string[]> { [path] = [ex.Error.Title] });
            }
        }

        return documents;
    }

    private async Task<string?> ValidateCallbackAsync(Guid clientRowId, string? url, CancellationToken cancellationToken)
    {
        if (url is null)
        {
            return null;
        }

        var origins = await db.EhrClients.AsNoTracking().Where(c => c.Id == clientRowId).Select(c => c.AllowedCallbackOrigins)
            .SingleAsync(cancellationToken);
        if (url.Length > 2048 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.UserInfo) ||
            !string.IsNullOrEmpty(uri.Fragment) ||
            !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback && !environment.IsProduction())) ||
            !origins.Contains(uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant(), StringComparer.Ordinal))
        {
            throw new ServiceException(ErrorCatalogue.CallbackNotAllowed,
                "Use an https URL on one of the client's registered callback origins.");
        }

        return uri.AbsoluteUri;
    }

    private static ServiceException Invalid(string field, string message) =>
        new(ErrorCatalogue.ValidationFailed, $"{field}: {message}", new Dictionary<string, string[]> { [field] = [message] });

    private static string EncodeCursor(SignatureRequestRecord last) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { t = last.CreatedAt.UtcTicks, id = last.Id }));

    private static (DateTimeOffset CreatedAt, Guid Id) DecodeCursor(string cursor)
    {
        try
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(cursor));
            var ticks = document.RootElement.GetProperty("t").GetInt64();
            return (new DateTimeOffset(ticks, TimeSpan.Zero), document.RootElement.GetProperty("id").GetGuid());
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            throw Invalid("cursor", "Not a cursor this API issued.");
        }
    }
}
