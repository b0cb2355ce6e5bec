using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Identity;

namespace SignatureService.Api.Features.Identity;

/// <summary>An enrollment as issued: the id and the code, to be shown once.</summary>
public sealed record IssuedEnrollment(Guid EnrollmentId, string Code, DateTimeOffset ExpiresAt);

/// <summary>
/// One-time enrollment codes: 20 random bytes (160 bits) as 32 Crockford base32 characters, stored as SHA-256 only,
/// single use, expiring, and locked after <see cref="EnrollmentCodeRecord.MaxFailedAttempts"/> wrong codes.
/// </summary>
public sealed class EnrollmentCodes(SignatureServiceDbContext db, TimeProvider time)
{
    /// <summary>Default validity of a code.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(3);

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>Stages a new code for <paramref name="userId"/> on the context (the caller saves it with its audit event).</summary>
    public IssuedEnrollment Stage(Guid userId, string purpose, string createdBy, TimeSpan lifetime)
    {
        var code = NewCode();
        var now = time.GetUtcNow();
        var record = new EnrollmentCodeRecord
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Purpose = purpose,
            CodeHash = Hash(code),
            CreatedAt = now,
            ExpiresAt = now + lifetime,
            CreatedBy = createdBy,
        };
        db.EnrollmentCodes.Add(record);
        return new IssuedEnrollment(record.Id, code, record.ExpiresAt);
    }

    /// <summary>
    /// Checks an enrollment id and code without consuming it. A wrong code counts an attempt (atomically) and locks the
    /// enrollment at the fifth.
    /// </summary>
    /// <exception cref="ServiceException"><see cref="ErrorCatalogue.EnrollmentInvalid"/> or <see cref="ErrorCatalogue.EnrollmentLocked"/>.</exception>
    public async Task<EnrollmentCodeRecord> VerifyAsync(Guid enrollmentId, string code, CancellationToken cancellationToken)
    {
        var record = await db.EnrollmentCodes.AsNoTracking().SingleOrDefaultAsync(e => e.Id == enrollmentId, cancellationToken);
        var now = time.GetUtcNow();
        if (record is null)
        {
            throw new ServiceException(ErrorCatalogue.EnrollmentInvalid);
        }

        if (record.LockedAt is not null)
        {
            throw new ServiceException(ErrorCatalogue.EnrollmentLocked);
        }

        if (!CryptographicOperations.FixedTimeEquals(record.CodeHash, Hash(Normalize(code))))
        {
            var max = EnrollmentCodeRecord.MaxFailedAttempts;
            await db.EnrollmentCodes
                .Where(e => e.Id == enrollmentId && e.LockedAt == null)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(e => e.FailedAttempts, e => e.FailedAttempts + 1)
                    .SetProperty(e => e.LockedAt, e => e.FailedAttempts + 1 >= max ? now : e.LockedAt), cancellationToken);
            throw new ServiceException(ErrorCatalogue.EnrollmentInvalid);
        }

        if (record.ConsumedAt is not null || record.ExpiresAt <= now)
        {
            throw new ServiceException(ErrorCatalogue.EnrollmentInvalid);
        }

        return record;
    }

    /// <summary>Consumes the enrollment (conditional UPDATE) inside the caller's transaction; false if it was used meanwhile.</summary>
    public async Task<bool> ConsumeAsync(Guid enrollmentId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await db.EnrollmentCodes
            .Where(e => e.Id == enrollmentId && e.ConsumedAt == null && e.LockedAt == null && e.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.ConsumedAt, now), cancellationToken) == 1;
    }

    private static string NewCode()
    {
        var bytes = RandomNumberGenerator.GetBytes(20);
        var text = new StringBuilder(32);
        for (var bit = 0; bit < 160; bit += 5)
        {
            var value = 0;
            for (var i = 0; i < 5; i++)
            {
                var b = bit + i;
                value = (value << 1) | ((bytes[b / 8] >> (7 - (b % 8))) & 1);
            }

            text.Append(Alphabet[value]);
        }

        return text.ToString();
    }

    /// <summary>Accepts the code as printed (groups, lower case, O/I/L look-alikes).</summary>
    private static string Normalize(string code) => code
        .Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal)
        .ToUpperInvariant().Replace('O', '0').Replace('I', '1').Replace('L', '1');

    private static byte[] Hash(string code) => SHA256.HashData(Encoding.ASCII.GetBytes(code));

    /// <summary>The code in groups of four for display (accepted back as is).</summary>
    public static string Format(string code) => string.Join('-', code.Chunk(4).Select(c => new string(c)));
}
