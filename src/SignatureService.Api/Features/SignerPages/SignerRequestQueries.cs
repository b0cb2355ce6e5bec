using System.Buffers.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SignatureService.Core.Documents;
using SignatureService.Core.Errors;
using SignatureService.Core.Signing;
using SignatureService.Data;
using SignatureService.Data.Signing;

namespace SignatureService.Api.Features.SignerPages;

/// <summary>
/// Read access for the signer's pages: only requests naming the caller as signer are ever found, so another signer's
/// request answers exactly like one that does not exist (404), never 403 (no oracle for ids).
/// </summary>
internal sealed class SignerRequestQueries(SignatureServiceDbContext db)
{
    /// <summary>Largest page.</summary>
    public const int MaxLimit = 100;

    /// <summary>The signer's requests, newest first, filtered by status, a document type they contain, and the client id.</summary>
    public async Task<SignerRequestPage> ListAsync(
        Guid signerUserId, string? status, string? type, string? client, int limit, string? cursor, CancellationToken cancellationToken)
    {
        if (status is not null && !SignatureRequestStatus.All.Contains(status, StringComparer.Ordinal))
        {
            throw Invalid("status", $"One of: {string.Join(", ", SignatureRequestStatus.All)}.");
        }

        if (type is not null && !DocumentTypeNames.All.Contains(type, StringComparer.Ordinal))
        {
            throw Invalid("type", $"One of: {string.Join(", ", DocumentTypeNames.All)}.");
        }

        if (client is { Length: 0 or > 64 })
        {
            throw Invalid("client", "1–64 characters.");
        }

        if (limit is < 1 or > MaxLimit)
        {
            throw Invalid("limit", $"1–{MaxLimit}.");
        }

        var query = db.SignatureRequests.AsNoTracking().Include(r => r.Documents.OrderBy(d => d.Ordinal))
            .Where(r => r.SignerUserId == signerUserId);
        if (status is not null)
        {
            query = query.Where(r => r.Status == status);
        }

        if (type is not null)
        {
            query = query.Where(r => r.Documents.Any(d => d.DocumentType == type));
        }

        if (client is not null)
        {
            query = query.Where(r => db.EhrClients.Any(c => c.Id == r.ClientId && c.ClientId == client));
        }

        if (cursor is not null)
        {
            var (createdAt, id) = DecodeCursor(cursor);
            query = query.Where(r => r.CreatedAt < createdAt || (r.CreatedAt == createdAt && r.Id.CompareTo(id) < 0));
        }

        var items = await query.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var next = items.Count > limit ? EncodeCursor(items[limit - 1]) : null;
        var page = items.Take(limit).ToList();
        var clients = await ClientsAsync(page.Select(r => r.ClientId), cancellationToken);
        return new SignerRequestPage(page.Select(r => View(r, clients[r.ClientId], withDisplay: false)).ToList(), next);
    }

    /// <summary>One of the signer's requests with every document's display model, or null (also when it is someone else's).</summary>
    public async Task<SignerRequestView?> FindAsync(Guid signerUserId, Guid id, CancellationToken cancellationToken)
    {
        var request = await FindRecordAsync(signerUserId, id, cancellationToken);
        if (request is null)
        {
            return null;
        }

        var clients = await ClientsAsync([request.ClientId], cancellationToken);
        return View(request, clients[request.ClientId], withDisplay: true);
    }

    /// <summary>One document of one of the signer's requests, or null.</summary>
    public async Task<(SignatureRequestRecord Request, SignatureRequestDocumentRecord Document)?> FindDocumentAsync(
        Guid signerUserId, Guid id, int index, CancellationToken cancellationToken)
    {
        var request = await FindRecordAsync(signerUserId, id, cancellationToken);
        var document = request?.Documents.SingleOrDefault(d => d.Ordinal == index);
        return document is null ? null : (request!, document);
    }

    private Task<SignatureRequestRecord?> FindRecordAsync(Guid signerUserId, Guid id, CancellationToken cancellationToken) =>
        db.SignatureRequests.AsNoTracking().Include(r => r.Documents.OrderBy(d => d.Ordinal))
            .SingleOrDefaultAsync(r => r.Id == id && r.SignerUserId == signerUserId, cancellationToken);

    private async Task<Dictionary<Guid, SignerRequestClient>> ClientsAsync(IEnumerable<Guid> rowIds, CancellationToken cancellationToken)
    {
        var ids = rowIds.Distinct().ToList();
        return await db.EhrClients.AsNoTracking().Where(c => ids.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => new SignerRequestClient(c.ClientId, c.Name), cancellationToken);
    }

    private static SignerRequestView View(SignatureRequestRecord r, SignerRequestClient client, bool withDisplay) => new(
        r.Id, r.Status, client, r.StatusReason, r.SignatureLevel, r.CreatedAt, r.UpdatedAt, r.ExpiresAt,
        r.Documents.OrderBy(d => d.Ordinal).Select(d => new SignerRequestDocument(
            d.Ordinal, d.DocumentType, d.DocumentId, d.MediaType, Convert.ToHexStringLower(d.Sha256), d.Summary, d.SignedContent is not null,
            d.SignatureLevel, d.SignedAt, withDisplay ? d.Display.RootElement.Clone() : null)).ToList());

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
