using System.Buffers.Text;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SignatureService.Core.Errors;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Identity;
using SignatureService.Data.Users;
using SignatureService.WebAuthn.Authentication;
using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Registration;

namespace SignatureService.Api.Features.Identity;

/// <summary>
/// The WebAuthn ceremonies of people: key registration (with an enrollment code, or as a backup key after a fresh login),
/// login, logout and key revocation. The library verifies (W3C WebAuthn L3 §7.1/§7.2); this class holds the state around it:
/// challenges consumed once, the duplicate-credential rule (§7.1 step 26), the counter with suspension, sessions, audit.
/// Every state change and its audit event commit in one transaction; failures are audited and throttled.
/// </summary>
public sealed partial class IdentityCeremonies(
    SignatureServiceDbContext db,
    CeremonyChallenges challenges,
    EnrollmentCodes enrollments,
    RelyingParty relyingParty,
    FailureThrottle throttle,
    AuditTrail audit,
    IOptions<SessionSettings> sessionSettings,
    TimeProvider time,
    ILogger<IdentityCeremonies> logger,
    IEnumerable<IEnrollmentCompletion> completions)
{
    /// <summary>Largest registration body (attestation object ≤ 64 KiB as base64url plus the rest).</summary>
    public const int MaxRegistrationBody = 128 * 1024;

    /// <summary>Largest login body.</summary>
    public const int MaxLoginBody = 32 * 1024;

    /// <summary>Largest body of the options requests.</summary>
    public const int MaxOptionsBody = 4 * 1024;

    private const string DefaultNickname = "Security key";

    /// <summary>The user handle of a user: the 16 bytes of the user id (no personal data).</summary>
    public static byte[] UserHandle(Guid userId) => userId.ToByteArray(bigEndian: true);

    /// <summary>Creation options for a user holding an enrollment code.</summary>
    public async Task<CreationOptionsResponse> RegistrationOptionsAsync(HttpContext context, EnrollmentProof proof, CancellationToken cancellationToken)
    {
        var (enrollmentId, code) = RequireEnrollment(proof.EnrollmentId, proof.Code);
        throttle.ThrowIfBlocked(context, enrollmentId.ToString());
        var enrollment = await VerifyEnrollmentAsync(context, enrollmentId, code, cancellationToken);
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == enrollment.UserId, cancellationToken);
        var challenge = await challenges.IssueAsync(CeremonyPurpose.Registration, user.Id, new { enrollmentId }, cancellationToken);
        return new CreationOptionsResponse(await CreationOptionsAsync(user, challenge, cancellationToken));
    }

    /// <summary>Registers a key with an enrollment code; activates a pending user. Returns the stored key.</summary>
    public async Task<SecurityKeyView> RegisterAsync(HttpContext context, RegisterKeyRequest request, CancellationToken cancellationToken)
    {
        var (enrollmentId, code) = RequireEnrollment(request.EnrollmentId, request.Code);
        var nickname = Nickname(request.Nickname);
        var credential = DecodeRegistration(request.Credential);
        throttle.ThrowIfBlocked(context, enrollmentId.ToString());
        var enrollment = await VerifyEnrollmentAsync(context, enrollmentId, code, cancellationToken);
        var user = await db.Users.SingleAsync(u => u.Id == enrollment.UserId, cancellationToken);
        var actor = Actor(user);
        var (challenge, ceremony) = await AuditedAsync(context, actor, "identity.key-registration-failed", user.Id.ToString(),
            () => challenges.ConsumeAsync(credential.ClientDataJson, CeremonyPurpose.Registration, user.Id, cancellationToken));
        if (!PayloadIs(ceremony, "enrollmentId", enrollmentId.ToString()))
        {
            await FailAsync(context, actor, "identity.key-registration-failed", user.Id.ToString(), ErrorCatalogue.ChallengeUnknown);
        }

        var result = await VerifyRegistrationAsync(context, actor, user.Id, credential, challenge);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await enrollments.ConsumeAsync(enrollmentId, cancellationToken))
        {
            throw new ServiceException(ErrorCatalogue.EnrollmentInvalid);
        }

        var now = time.GetUtcNow();
        if (user.Status == "pending")
        {
            user.Status = "active";
            user.UpdatedAt = now;
            audit.Record(db, actor, "identity.user-activated", "user", user.Id.ToString());
        }

        var key = await StoreCredentialAsync(context, actor, user.Id, result, nickname, new { enrollmentId }, cancellationToken);
        var completion = completions.SingleOrDefault(c => c.Purpose == enrollment.Purpose);
        var undo = completion is null ? null : await completion.CompleteAsync(enrollment, user, actor, cancellationToken);
        try
        {
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            undo?.Invoke();
            throw;
        }

        return View(key);
    }

    /// <summary>Creation options for a further (backup) key: needs a login within the fresh-login window.</summary>
    public async Task<CreationOptionsResponse> AddKeyOptionsAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var (userId, sessionId) = RequireFreshSession(principal);
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, cancellationToken);
        var challenge = await challenges.IssueAsync(CeremonyPurpose.Registration, user.Id, new { sessionId = sessionId.ToString() }, cancellationToken);
        return new CreationOptionsResponse(await CreationOptionsAsync(user, challenge, cancellationToken));
    }

    /// <summary>Adds a (backup) key to the logged-in user's account.</summary>
    public async Task<SecurityKeyView> AddKeyAsync(HttpContext context, AddKeyRequest request, CancellationToken cancellationToken)
    {
        var (userId, sessionId) = RequireFreshSession(context.User);
        var nickname = Nickname(request.Nickname);
        var credential = DecodeRegistration(request.Credential);
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, cancellationToken);
        var actor = Actor(user);
        var (challenge, ceremony) = await AuditedAsync(context, actor, "identity.key-registration-failed", user.Id.ToString(),
            () => challenges.ConsumeAsync(credential.ClientDataJson, CeremonyPurpose.Registration, user.Id, cancellationToken));
        if (!PayloadIs(ceremony, "sessionId", sessionId.ToString()))
        {
            await FailAsync(context, actor, "identity.key-registration-failed", user.Id.ToString(), ErrorCatalogue.ChallengeUnknown);
        }

        var result = await VerifyRegistrationAsync(context, actor, user.Id, credential, challenge);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var key = await StoreCredentialAsync(context, actor, user.Id, result, nickname, new { sessionId }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return View(key);
    }

    /// <summary>Request options for a username-less login (the key is discoverable and returns the user handle).</summary>
    public async Task<RequestOptionsResponse> LoginOptionsAsync(CancellationToken cancellationToken)
    {
        var challenge = await challenges.IssueAsync(CeremonyPurpose.Login, null, null, cancellationToken);
        return new RequestOptionsResponse(PublicKeyCredentialRequestOptionsJson.Create(relyingParty.Options, challenge, RelyingParty.CeremonyTimeout, []));
    }

    /// <summary>Verifies a login assertion, starts a session and sets its cookie.</summary>
    public async Task<SessionView> LoginAsync(HttpContext context, LoginRequest request, CancellationToken cancellationToken)
    {
        var assertion = DecodeAssertion(request.Credential);
        throttle.ThrowIfBlocked(context, null);
        var anonymous = new AuditActor("anonymous", "unknown");
        var (challenge, _) = await AuditedAsync(context, anonymous, "identity.login-failed", null,
            () => challenges.ConsumeAsync(assertion.ClientDataJson, CeremonyPurpose.Login, null, cancellationToken));
        var key = await db.WebAuthnCredentials.SingleOrDefaultAsync(c => c.CredentialId == assertion.CredentialId, cancellationToken);
        if (key is null)
        {
            await FailAsync(context, anonymous, "identity.login-failed", null, ErrorCatalogue.CredentialNotUsable);
        }

        var user = await db.Users.SingleAsync(u => u.Id == key!.UserId, cancellationToken);
        var actor = Actor(user);
        throttle.ThrowIfBlocked(context, user.Id.ToString());
        if (key!.Status != CredentialStatus.Active || user.Status != "active")
        {
            await FailAsync(context, actor, "identity.login-failed", key.Id.ToString(), ErrorCatalogue.CredentialNotUsable, user.Id.ToString());
        }

        AssertionResult verified;
        try
        {
            verified = new AssertionVerifier(relyingParty.Options).Verify(
                new AssertionRequest(assertion.CredentialId, assertion.ClientDataJson, assertion.AuthenticatorData, assertion.Signature,
                    assertion.UserHandle, challenge, UserIdentifiedBeforehand: false),
                new StoredCredential(key.CredentialId, key.PublicKey, (uint)key.SignCount, UserHandle(user.Id), key.BackupEligible));
        }
        catch (WebAuthnException ex) when (ex.Code == WebAuthnErrorCodes.SignCountRegressed)
        {
            await SuspendForCounterAsync(key, actor, cancellationToken);
            throttle.RecordFailure(context, user.Id.ToString());
            throw new ServiceException(ErrorCatalogue.WebAuthnSignCountRegressed);
        }
        catch (WebAuthnException ex)
        {
            var error = Map(ex);
            await FailAsync(context, actor, "identity.login-failed", key.Id.ToString(), error, user.Id.ToString());
            throw;
        }

        var now = time.GetUtcNow();
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var settings = sessionSettings.Value;
        var session = new UserSessionRecord
        {
            Id = Guid.CreateVersion7(),
            TokenHash = SessionAuthenticationHandler.TokenHash(token),
            UserId = user.Id,
            CredentialId = key.Id,
            Acr = SessionClaims.Aal3,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now + settings.AbsoluteLifetime,
        };
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var oldCount = key.SignCount;
            // Note: conditional on the counter we verified against, so two racing logins cannot both move it.
            var updated = await db.WebAuthnCredentials
                .Where(c => c.Id == key.Id && c.SignCount == oldCount && c.Status == CredentialStatus.Active)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.SignCount, (long)verified.SignCount).SetProperty(c => c.LastUsedAt, now), cancellationToken);
            if (updated != 1)
            {
                throw new ServiceException(ErrorCatalogue.StateConflict, "The key was used concurrently; log in again.");
            }

            db.UserSessions.Add(session);
            audit.Record(db, actor, "identity.login", "session", session.Id.ToString(), new { credential = key.Id, acr = SessionClaims.Aal3 });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        LogLogin(logger, user.Id, session.Id);
        context.Response.Cookies.Append(SessionAuthenticationHandler.CookieName(relyingParty), token, new CookieOptions
        {
            HttpOnly = true,
            Secure = relyingParty.SecureCookies,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
            Expires = session.ExpiresAt,
        });
        return new SessionView(user.Id, user.DisplayName, user.Roles, SessionClaims.Aal3, session.CreatedAt, session.ExpiresAt,
            SessionAuthenticationHandler.CsrfToken(token));
    }

    /// <summary>Ends the caller's session and clears its cookie.</summary>
    public async Task LogoutAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var sessionId = Guid.Parse(context.User.FindFirstValue(SessionClaims.SessionId)!, CultureInfo.InvariantCulture);
        var userId = context.User.FindFirstValue(SessionClaims.UserId)!;
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ended = await db.UserSessions.Where(s => s.Id == sessionId && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndReason, "logout"), cancellationToken);
        if (ended != 1)
        {
            throw new ServiceException(ErrorCatalogue.StateConflict, "The session has already ended.");
        }

        audit.Record(db, ActorOf(context.User), "identity.logout", "session", sessionId.ToString(), new { user = userId });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        context.Response.Cookies.Delete(SessionAuthenticationHandler.CookieName(relyingParty), new CookieOptions
        {
            HttpOnly = true,
            Secure = relyingParty.SecureCookies,
            SameSite = SameSiteMode.Strict,
            Path = "/",
        });
    }

    /// <summary>The caller's keys, newest last.</summary>
    public async Task<IReadOnlyList<SecurityKeyView>> ListKeysAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var userId = UserIdOf(principal);
        var keys = await db.WebAuthnCredentials.AsNoTracking().Where(c => c.UserId == userId).OrderBy(c => c.CreatedAt).ToListAsync(cancellationToken);
        return [.. keys.Select(View)];
    }

    /// <summary>Revokes one of the caller's keys (never the last active one); sessions made with it end.</summary>
    public async Task RevokeKeyAsync(ClaimsPrincipal principal, Guid keyId, CancellationToken cancellationToken)
    {
        var userId = UserIdOf(principal);
        var key = await db.WebAuthnCredentials.SingleOrDefaultAsync(c => c.Id == keyId && c.UserId == userId, cancellationToken)
                  ?? throw new ServiceException(ErrorCatalogue.NotFound, "No such key on your account.");
        if (key.Status == CredentialStatus.Revoked)
        {
            throw new ServiceException(ErrorCatalogue.StateConflict, "The key is already revoked.");
        }

        if (!await db.WebAuthnCredentials.AnyAsync(c => c.UserId == userId && c.Id != keyId && c.Status == CredentialStatus.Active, cancellationToken))
        {
            throw new ServiceException(ErrorCatalogue.LastActiveCredential);
        }

        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        key.Status = CredentialStatus.Revoked;
        key.StatusChangedAt = now;
        await db.UserSessions.Where(s => s.CredentialId == keyId && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndReason, "credential-revoked"), cancellationToken);
        audit.Record(db, ActorOf(principal), "identity.key-revoked", "webauthn-credential", keyId.ToString(), new { user = userId });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The session view of an authenticated principal (the cookie gives the anti-forgery token).</summary>
    public SessionView Describe(HttpContext context)
    {
        var principal = context.User;
        var token = context.Request.Cookies[SessionAuthenticationHandler.CookieName(relyingParty)] ?? "";
        return new SessionView(
            UserIdOf(principal),
            principal.Identity!.Name!,
            [.. principal.FindAll(ClaimTypes.Role).Select(c => c.Value)],
            principal.FindFirstValue(SessionClaims.Acr)!,
            UnixClaim(principal, SessionClaims.AuthTime),
            UnixClaim(principal, SessionClaims.ExpiresAt),
            SessionAuthenticationHandler.CsrfToken(token));
    }

    /// <summary>The catalogue entry of a library failure.</summary>
    internal static ErrorDescriptor Map(WebAuthnException exception) =>
        ErrorCatalogue.All.FirstOrDefault(e => e.Code == exception.Code) ?? ErrorCatalogue.WebAuthnMalformed;

    private async Task<PublicKeyCredentialCreationOptionsJson> CreationOptionsAsync(UserRecord user, byte[] challenge, CancellationToken cancellationToken)
    {
        var existing = await db.WebAuthnCredentials.AsNoTracking().Where(c => c.UserId == user.Id && c.Status != CredentialStatus.Revoked)
            .Select(c => c.CredentialId).ToListAsync(cancellationToken);
        var options = PublicKeyCredentialCreationOptionsJson.Create(relyingParty.Options, relyingParty.Trust, relyingParty.Name,
            UserHandle(user.Id), user.DisplayName, user.DisplayName, challenge, RelyingParty.CeremonyTimeout,
            existing.Select(id => (ReadOnlyMemory<byte>)id));
        // Note: logins are username-less, so the key must store the credential (discoverable) and return the user handle.
        return options with { AuthenticatorSelection = options.AuthenticatorSelection with { ResidentKey = "required", RequireResidentKey = true } };
    }

    private async Task<RegistrationResult> VerifyRegistrationAsync(
        HttpContext context, AuditActor actor, Guid userId, DecodedRegistration credential, byte[] challenge)
    {
        RegistrationResult result;
        try
        {
            result = new RegistrationVerifier(relyingParty.Options, relyingParty.Trust, time)
                .Verify(new RegistrationRequest(credential.ClientDataJson, credential.AttestationObject, challenge));
        }
        catch (WebAuthnException ex)
        {
            await FailAsync(context, actor, "identity.key-registration-failed", userId.ToString(), Map(ex), userId.ToString());
            throw;
        }

        if (!result.CredentialId.Span.SequenceEqual(credential.RawId))
        {
            await FailAsync(context, actor, "identity.key-registration-failed", userId.ToString(), ErrorCatalogue.WebAuthnCredentialMismatch, userId.ToString());
        }

        // §7.1 step 26: a credential id registered to anyone is refused (a unique index also catches a concurrent insert).
        var credentialId = result.CredentialId.ToArray();
        if (await db.WebAuthnCredentials.AnyAsync(c => c.CredentialId == credentialId))
        {
            await FailAsync(context, actor, "identity.key-registration-failed", userId.ToString(), ErrorCatalogue.CredentialAlreadyRegistered, userId.ToString());
        }

        return result;
    }

    private async Task<WebAuthnCredentialRecord> StoreCredentialAsync(
        HttpContext context, AuditActor actor, Guid userId, RegistrationResult result, string nickname, object via, CancellationToken cancellationToken)
    {
        var credentialId = result.CredentialId.ToArray();
        var now = time.GetUtcNow();
        var key = new WebAuthnCredentialRecord
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            CredentialId = credentialId,
            PublicKey = result.PublicKey.ToArray(),
            Algorithm = (int)result.Algorithm,
            SignCount = result.SignCount,
            Aaguid = result.Aaguid,
            AttestationFormat = result.AttestationFormat,
            BackupEligible = result.BackupEligible,
            Status = CredentialStatus.Active,
            Nickname = nickname,
            CreatedAt = now,
        };
        db.WebAuthnCredentials.Add(key);
        audit.Record(db, actor, "identity.key-registered", "webauthn-credential", key.Id.ToString(),
            new { user = userId, aaguid = result.Aaguid, format = result.AttestationFormat, attestation = result.AttestationType.ToString(), via });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw new ServiceException(ErrorCatalogue.CredentialAlreadyRegistered);
        }

        LogKeyRegistered(logger, userId, key.Id, result.Aaguid);
        return key;
    }

    private async Task SuspendForCounterAsync(WebAuthnCredentialRecord key, AuditActor actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.WebAuthnCredentials.Where(c => c.Id == key.Id && c.Status == CredentialStatus.Active)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CredentialStatus.Suspended).SetProperty(c => c.StatusChangedAt, now), cancellationToken);
        await db.UserSessions.Where(s => s.CredentialId == key.Id && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndReason, "credential-suspended"), cancellationToken);
        audit.Record(db, actor, "identity.key-suspended", "webauthn-credential", key.Id.ToString(),
            new { user = key.UserId, reason = ErrorCatalogue.WebAuthnSignCountRegressed.Code, storedSignCount = key.SignCount }, success: false);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogKeySuspended(logger, key.UserId, key.Id);
    }

    private async Task<EnrollmentCodeRecord> VerifyEnrollmentAsync(HttpContext context, Guid enrollmentId, string code, CancellationToken cancellationToken)
    {
        var record = await AuditedAsync(context, new AuditActor("anonymous", "unknown"), "identity.enrollment-code-refused", enrollmentId.ToString(),
            () => enrollments.VerifyAsync(enrollmentId, code, cancellationToken), enrollmentId.ToString());
        if (await db.Users.AnyAsync(u => u.Id == record.UserId && u.Status == "suspended", cancellationToken))
        {
            await FailAsync(context, new AuditActor("anonymous", "unknown"), "identity.enrollment-code-refused", enrollmentId.ToString(),
                ErrorCatalogue.EnrollmentInvalid, enrollmentId.ToString());
        }

        return record;
    }

    /// <summary>Runs a step; a <see cref="ServiceException"/> from it is audited as a failure and counted before it propagates.</summary>
    private async Task<T> AuditedAsync<T>(HttpContext context, AuditActor actor, string action, string? target, Func<Task<T>> step, string? userKey = null)
    {
        try
        {
            return await step();
        }
        catch (ServiceException ex)
        {
            await RecordFailureAsync(context, actor, action, target, ex.Error, userKey);
            throw;
        }
    }

    private async Task FailAsync(HttpContext context, AuditActor actor, string action, string? target, ErrorDescriptor error, string? userKey = null)
    {
        await RecordFailureAsync(context, actor, action, target, error, userKey);
        throw new ServiceException(error);
    }

    private async Task RecordFailureAsync(HttpContext context, AuditActor actor, string action, string? target, ErrorDescriptor error, string? userKey)
    {
        throttle.RecordFailure(context, userKey);
        db.ChangeTracker.Clear();
        var targetType = target is null ? null
            : action.Contains("login", StringComparison.Ordinal) ? "webauthn-credential"
            : action.Contains("enrollment", StringComparison.Ordinal) ? "enrollment" : "user";
        audit.Record(db, actor, action, targetType, target, new { code = error.Code }, success: false);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private (Guid UserId, Guid SessionId) RequireFreshSession(ClaimsPrincipal principal)
    {
        var authTime = UnixClaim(principal, SessionClaims.AuthTime);
        if (time.GetUtcNow() - authTime > sessionSettings.Value.FreshLoginWindow)
        {
            throw new ServiceException(ErrorCatalogue.FreshLoginRequired);
        }

        return (UserIdOf(principal), Guid.Parse(principal.FindFirstValue(SessionClaims.SessionId)!, CultureInfo.InvariantCulture));
    }

    private static bool PayloadIs(CeremonyChallengeRecord ceremony, string name, string value) =>
        ceremony.Payload.RootElement.TryGetProperty(name, out var element)
        && element.ValueKind == System.Text.Json.JsonValueKind.String
        && string.Equals(element.GetString(), value, StringComparison.OrdinalIgnoreCase);

    private static Guid UserIdOf(ClaimsPrincipal principal) => Guid.Parse(principal.FindFirstValue(SessionClaims.UserId)!, CultureInfo.InvariantCulture);

    private static DateTimeOffset UnixClaim(ClaimsPrincipal principal, string type) =>
        DateTimeOffset.FromUnixTimeSeconds(long.Parse(principal.FindFirstValue(type)!, CultureInfo.InvariantCulture));

    private static AuditActor Actor(UserRecord user) =>
        new(user.Roles.Contains(UserRoles.Signer) ? "signer" : "operator", user.Id.ToString());

    private static AuditActor ActorOf(ClaimsPrincipal principal) =>
        new(principal.IsInRole(UserRoles.Signer) ? "signer" : "operator", principal.FindFirstValue(SessionClaims.UserId)!);

    private static SecurityKeyView View(WebAuthnCredentialRecord c) =>
        new(c.Id, c.Nickname, c.Aaguid, c.AttestationFormat, c.Status, c.CreatedAt, c.LastUsedAt);

    private static (Guid EnrollmentId, string Code) RequireEnrollment(Guid? enrollmentId, string? code)
    {
        var errors = new Dictionary<string, string[]>();
        if (enrollmentId is null || enrollmentId == Guid.Empty)
        {
            errors["enrollmentId"] = ["Required."];
        }

        if (string.IsNullOrWhiteSpace(code) || code.Length > 64)
        {
            errors["code"] = ["Required, at most 64 characters."];
        }

        return errors.Count > 0
            ? throw new ServiceException(ErrorCatalogue.ValidationFailed, "The enrollment is missing.", errors)
            : (enrollmentId!.Value, code!);
    }

    private static string Nickname(string? nickname)
    {
        if (nickname is null)
        {
            return DefaultNickname;
        }

        var trimmed = nickname.Trim();
        return trimmed.Length is >= 1 and <= 100 && !trimmed.Any(char.IsControl)
            ? trimmed
            : throw new ServiceException(ErrorCatalogue.ValidationFailed, "nickname: 1–100 printable characters.",
                new Dictionary<string, string[]> { ["nickname"] = ["1–100 printable characters."] });
    }

    private static DecodedRegistration DecodeRegistration(RegistrationCredentialJson? credential)
    {
        if (credential?.Response is null || credential.RawId is null || credential.Response.ClientDataJson is null
            || credential.Response.AttestationObject is null || credential.Type != "public-key")
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "credential: a PublicKeyCredential JSON with rawId, type public-key, clientDataJSON and attestationObject.",
                new Dictionary<string, string[]> { ["credential"] = ["Required fields are missing."] });
        }

        return new DecodedRegistration(
            Decode(credential.RawId), Decode(credential.Response.ClientDataJson), Decode(credential.Response.AttestationObject));
    }

    /// <summary>The assertion's fields from its PublicKeyCredential JSON (base64url); 400 when fields are missing or malformed.</summary>
    internal static DecodedAssertion DecodeAssertion(AssertionCredentialJson? credential)
    {
        var response = credential?.Response;
        if (response is null || credential!.RawId is null || response.ClientDataJson is null || response.AuthenticatorData is null
            || response.Signature is null || credential.Type != "public-key")
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, "credential: a PublicKeyCredential JSON with rawId, type public-key, clientDataJSON, authenticatorData and signature.",
                new Dictionary<string, string[]> { ["credential"] = ["Required fields are missing."] });
        }

        var rawId = Decode(credential.RawId);
        if (rawId.Length is 0 or > 1023)
        {
            throw new ServiceException(ErrorCatalogue.WebAuthnMalformed, "rawId must be 1–1023 bytes.");
        }

        return new DecodedAssertion(rawId, Decode(response.ClientDataJson), Decode(response.AuthenticatorData), Decode(response.Signature),
            response.UserHandle is null ? [] : Decode(response.UserHandle));
    }

    private static byte[] Decode(string value)
    {
        try
        {
            return Base64Url.DecodeFromChars(value);
        }
        catch (FormatException)
        {
            throw new ServiceException(ErrorCatalogue.WebAuthnMalformed, "A field is not base64url.");
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "User {UserId} logged in (session {SessionId})")]
    private static partial void LogLogin(ILogger logger, Guid userId, Guid sessionId);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "User {UserId} registered key {KeyId} (AAGUID {Aaguid})")]
    private static partial void LogKeyRegistered(ILogger logger, Guid userId, Guid keyId, Guid aaguid);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Key {KeyId} of user {UserId} suspended: signature counter regressed")]
    private static partial void LogKeySuspended(ILogger logger, Guid userId, Guid keyId);

    private sealed record DecodedRegistration(byte[] RawId, byte[] ClientDataJson, byte[] AttestationObject);

    internal sealed record DecodedAssertion(byte[] CredentialId, byte[] ClientDataJson, byte[] AuthenticatorData, byte[] Signature, byte[] UserHandle);
}
