using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.EntityFrameworkCore;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Identity;

namespace SignatureService.Api.Features.Identity;

/// <summary>
/// Server-side WebAuthn ceremony state: challenges of 32 random bytes, stored as SHA-256, bound to a purpose and a user,
/// valid 5 minutes and consumed at most once by an atomic conditional UPDATE (any replica can finish a ceremony).
/// </summary>
public sealed class CeremonyChallenges(SignatureServiceDbContext db, TimeProvider time)
{
    /// <summary>Challenge length in bytes.</summary>
    public const int ChallengeLength = 32;

    /// <summary>Issues a challenge and stores its hash; returns the raw challenge (to send to the browser only).</summary>
    public async Task<byte[]> IssueAsync(string purpose, Guid? userId, object? payload, CancellationToken cancellationToken)
    {
        var challenge = RandomNumberGenerator.GetBytes(ChallengeLength);
        var now = time.GetUtcNow();
        db.CeremonyChallenges.Add(new CeremonyChallengeRecord
        {
            Id = Guid.CreateVersion7(),
            ChallengeHash = SHA256.HashData(challenge),
            Purpose = purpose,
            UserId = userId,
            Payload = JsonSerializer.SerializeToDocument(payload ?? new { }),
            CreatedAt = now,
            ExpiresAt = now + RelyingParty.CeremonyTimeout,
        });
        await db.SaveChangesAsync(cancellationToken);
        return challenge;
    }

    /// <summary>
    /// Takes the challenge out of <paramref name="clientDataJson"/> and consumes the matching stored challenge if it was issued
    /// for <paramref name="purpose"/> and <paramref name="userId"/> (<c>null</c>: issued for no particular user), is unexpired
    /// and unused. Returns the raw challenge (the expected value for the verifier) and the stored record.
    /// </summary>
    /// <exception cref="ServiceException"><see cref="ErrorCatalogue.ChallengeUnknown"/>, <see cref="ErrorCatalogue.ChallengeConsumed"/>,
    /// <see cref="ErrorCatalogue.ChallengeExpired"/>, or <see cref="ErrorCatalogue.WebAuthnMalformed"/>.</exception>
    public async Task<(byte[] Challenge, CeremonyChallengeRecord Record)> ConsumeAsync(
        ReadOnlyMemory<byte> clientDataJson, string purpose, Guid? userId, CancellationToken cancellationToken)
    {
        var challenge = ReadChallenge(clientDataJson);
        var hash = SHA256.HashData(challenge);
        var now = time.GetUtcNow();
        // Note: one statement decides; two concurrent completions of one ceremony cannot both see consumed_at IS NULL.
        var consumed = await db.CeremonyChallenges
            .Where(c => c.ChallengeHash == hash && c.Purpose == purpose && c.UserId == userId && c.ConsumedAt == null && c.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ConsumedAt, now), cancellationToken);
        var record = await db.CeremonyChallenges.AsNoTracking().SingleOrDefaultAsync(c => c.ChallengeHash == hash, cancellationToken);
        if (consumed == 1 && record is not null)
        {
            return (challenge, record);
        }

        if (record is null || record.Purpose != purpose || record.UserId != userId)
        {
            throw new ServiceException(ErrorCatalogue.ChallengeUnknown);
        }

        throw new ServiceException(record.ConsumedAt is not null ? ErrorCatalogue.ChallengeConsumed : ErrorCatalogue.ChallengeExpired);
    }

    private static byte[] ReadChallenge(ReadOnlyMemory<byte> clientDataJson)
    {
        // Note: JsonDocument checks the UTF-8 inside a string only when it is read, and then throws InvalidOperationException
        //       (a 500); clientDataJSON must be UTF-8 (WebAuthn §5.8.1), so anything else is malformed before parsing.
        if (!Utf8.IsValid(clientDataJson.Span))
        {
            throw new ServiceException(ErrorCatalogue.WebAuthnMalformed, "clientDataJSON is not UTF-8.");
        }

        try
        {
            using var document = JsonDocument.Parse(clientDataJson, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("challenge", out var value)
                && value.ValueKind == JsonValueKind.String)
            {
                var challenge = Base64Url.DecodeFromChars(value.GetString());
                if (challenge.Length == ChallengeLength)
                {
                    return challenge;
                }

                throw new ServiceException(ErrorCatalogue.ChallengeUnknown);
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException)
        {
            throw new ServiceException(ErrorCatalogue.WebAuthnMalformed, "clientDataJSON is not valid.");
        }

        throw new ServiceException(ErrorCatalogue.WebAuthnMalformed, "clientDataJSON has no challenge.");
    }
}
