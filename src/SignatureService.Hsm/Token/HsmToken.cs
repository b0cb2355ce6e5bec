using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SignatureService.Hsm.Cryptoki;
using SignatureService.Hsm.Keys;
using SignatureService.Hsm.Sessions;

namespace SignatureService.Hsm;

/// <summary>An operation run on a borrowed session; <typeparamref name="TState"/> may be a ref struct (spans).</summary>
internal delegate TResult SessionCall<TState, TResult>(SessionHandle session, ref TState state)
    where TState : allows ref struct;

/// <summary>
/// One PKCS#11 token, opened by label, with a user login and a pool of sessions. Generates, finds and destroys key
/// pairs; signing goes through <see cref="HsmKey"/>. Thread-safe: every operation borrows its own session. A lost
/// session, login or device is re-opened and the operation retried once; then <see cref="HsmUnavailableException"/>.
/// <para>
/// PKCS#11 keeps one login state per process and token (base §5.6): several instances opened on the same token in one
/// process share it, and the module is initialised once per process and shared by reference count.
/// </para>
/// </summary>
public sealed class HsmToken : IDisposable
{
    /// <summary>Longest accepted CKA_ID in bytes (inclusive).</summary>
    public const int MaxKeyIdLength = 64;

    /// <summary>Longest accepted CKA_LABEL in UTF-8 bytes (inclusive).</summary>
    public const int MaxKeyLabelLength = 255;

    private static readonly string PinHint =
        $"check the user PIN in {HsmOptions.SectionName}:{nameof(HsmOptions.PinFile)} or " +
        $"{HsmOptions.SectionName}:{nameof(HsmOptions.PinEnvironmentVariable)}";

    private readonly CryptokiModule _module;
    private readonly ILogger _logger;
    private readonly PinSource _pin;
    private readonly SessionPool _pool;
    private readonly Lock _keyManagementLock = new();
    private readonly Lock _recoveryLock = new();
    private readonly byte[] _pinDigestKey = RandomNumberGenerator.GetBytes(32);
    private ulong _slotId;
    private int _handleGeneration;
    private byte[]? _refusedPinDigest;
    private int _disposed;

    private HsmToken(CryptokiModule module, HsmOptions options, ILogger logger)
    {
        _module = module;
        _logger = logger;
        TokenLabel = options.TokenLabel;
        ModulePath = options.ModulePath;
        _pin = new PinSource(
            string.IsNullOrWhiteSpace(options.PinFile) ? null : options.PinFile,
            string.IsNullOrWhiteSpace(options.PinEnvironmentVariable) ? null : options.PinEnvironmentVariable);
        _slotId = FindSlot(module, options.TokenLabel);
        _pool = new SessionPool(options.SessionPoolSize, options.SessionAcquireTimeout, OpenLoggedInSession);
    }

    /// <summary>The label of the opened token.</summary>
    public string TokenLabel { get; }

    /// <summary>The module path the token was opened with.</summary>
    public string ModulePath { get; }

    /// <summary>The PKCS#11 slot currently holding the token (it may change after the device is re-attached).</summary>
    public ulong SlotId => Volatile.Read(ref _slotId);

    /// <summary>Most operations run on the token at once (<see cref="HsmOptions.SessionPoolSize"/>).</summary>
    public int SessionPoolSize => _pool.Size;

    internal CryptokiModule Module => _module;

    /// <summary>Increases whenever sessions were closed for a failure, since object handles may change then (base §2.4).</summary>
    internal int HandleGeneration => Volatile.Read(ref _handleGeneration);

    internal SessionPool Pool => _pool;

    /// <summary>
    /// Loads the module, finds the token by label, opens a first session and logs in as the user (CKU_USER).
    /// </summary>
    /// <param name="options">Validated with <see cref="HsmOptions.Validate"/> first.</param>
    /// <param name="logger">Receives opening, recovery, login-failure and key-management events (never secrets); optional.</param>
    /// <returns>The open token; dispose it to log out and close its sessions.</returns>
    /// <exception cref="HsmException">
    /// <see cref="HsmErrorCode.InvalidOptions"/>, <see cref="HsmErrorCode.ModuleNotLoadable"/>,
    /// <see cref="HsmErrorCode.TokenNotFound"/> or <see cref="HsmErrorCode.PinUnavailable"/>, each naming the setting.
    /// </exception>
    /// <exception cref="Pkcs11Exception">For example C_Login with CKR_PIN_INCORRECT.</exception>
    public static HsmToken Open(HsmOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new HsmException(HsmErrorCode.InvalidOptions, "Invalid HSM settings: " + string.Join(" ", problems));
        }

        var module = CryptokiModule.AcquireShared(options.ModulePath);
        HsmToken? token = null;
        try
        {
            token = new HsmToken(module, options, logger ?? NullLogger.Instance);

            // Note: the first session logs in now, so a wrong PIN or missing token fails at start-up, not at the first signature.
            var session = token._pool.Rent();
            token._pool.Return(session);
            HsmLog.TokenOpened(token._logger, token.TokenLabel, token.SlotId, token.SessionPoolSize);
            return token;
        }
        catch
        {
            if (token is null)
            {
                module.ReleaseShared();
            }
            else
            {
                token.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Generates a key pair inside the token: private key CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, CKA_SIGN true and
    /// CKA_EXTRACTABLE false (no decrypt, unwrap or derive); public key CKA_TOKEN and CKA_VERIFY true. Both carry
    /// <paramref name="id"/> as CKA_ID and <paramref name="label"/> as CKA_LABEL. Generation and destruction are
    /// serialised per token (RSA-3072 can take seconds on SoftHSM2); signing is not blocked meanwhile. A generation the device
    /// answers with CKR_GENERAL_ERROR is cleaned up and tried again (see <see cref="GenerateKeyPairWith"/>).
    /// </summary>
    /// <param name="algorithm">RSA-2048, RSA-3072 or EC P-256.</param>
    /// <param name="label">CKA_LABEL, 1 to <see cref="MaxKeyLabelLength"/> UTF-8 bytes (e.g. <c>signer/&lt;id&gt;</c>).</param>
    /// <param name="id">CKA_ID, 1 to <see cref="MaxKeyIdLength"/> bytes (e.g. 16 random bytes); must be unused on the token.</param>
    /// <returns>The new key.</returns>
    /// <exception cref="HsmException"><see cref="HsmErrorCode.KeyIdInUse"/> or <see cref="HsmErrorCode.InvalidInput"/>.</exception>
    public HsmKey GenerateKeyPair(HsmKeyAlgorithm algorithm, string label, ReadOnlySpan<byte> id) =>
        GenerateKeyPairWith(GenerateInSession, algorithm, label, id);

    /// <summary>How many times <see cref="GenerateKeyPair"/> tries a generation that fails with CKR_GENERAL_ERROR.</summary>
    internal const int MaxGenerationAttempts = 3;

    /// <summary>
    /// <see cref="GenerateKeyPair"/> with the generation itself given (tests wrap <see cref="GenerateInSession"/> to make the
    /// device fail).
    /// </summary>
    /// <remarks>
    /// Note: SoftHSM2 2.6.1, Debian's, now and then answers CKR_GENERAL_ERROR to C_GenerateKeyPair when another thread of the
    /// process reads the token's objects meanwhile (SoftHSMv2 issue 573, fixed after 2.6.1; seen in our tests, where many
    /// services share one token). The id is ours: it was unused when checked under this lock. So whatever a failed attempt left
    /// under it is destroyed, and the generation is tried again, at most <see cref="MaxGenerationAttempts"/> times. A key pair
    /// is never half-made: after the last failure nothing with the id stays on the token either. Other errors are not retried.
    /// </remarks>
    internal HsmKey GenerateKeyPairWith(SessionCall<KeyRequest, HsmKey> generate, HsmKeyAlgorithm algorithm, string label, ReadOnlySpan<byte> id)
    {
        ArgumentNullException.ThrowIfNull(label);
        ValidateId(id);
        var labelBytes = Encoding.UTF8.GetBytes(label);
        if (labelBytes.Length is 0 or > MaxKeyLabelLength)
        {
            throw new HsmException(HsmErrorCode.InvalidInput, $"A key label is 1 to {MaxKeyLabelLength} UTF-8 bytes.");
        }

        if (!Enum.IsDefined(algorithm))
        {
            throw new HsmException(HsmErrorCode.InvalidInput, $"Unknown key algorithm {algorithm}.");
        }

        var state = new KeyRequest { Id = id, Label = labelBytes, Algorithm = algorithm };
        lock (_keyManagementLock)
        {
            if (FindKey(id) is not null)
            {
                throw new HsmException(HsmErrorCode.KeyIdInUse, "A key with this CKA_ID already exists on the token.");
            }

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var key = Execute(generate, ref state);
                    HsmLog.KeyPairGenerated(_logger, algorithm, label, TokenLabel);
                    return key;
                }
                catch (Pkcs11Exception ex) when (ex.ReturnValue == CkReturnValue.CKR_GENERAL_ERROR)
                {
                    Execute(DestroyInSession, ref state);
                    if (attempt == MaxGenerationAttempts)
                    {
                        throw;
                    }

                    HsmLog.KeyGenerationRetried(_logger, algorithm, label, TokenLabel, attempt);
                }
            }
        }
    }

    /// <summary>Finds the key pair whose private key has CKA_ID = <paramref name="id"/>.</summary>
    /// <param name="id">CKA_ID, 1 to <see cref="MaxKeyIdLength"/> bytes.</param>
    /// <returns>The key, or null when no private key has this id.</returns>
    /// <exception cref="HsmException"><see cref="HsmErrorCode.UnsupportedKey"/> when the object is ambiguous or of another algorithm.</exception>
    public HsmKey? FindKey(ReadOnlySpan<byte> id)
    {
        ValidateId(id);
        var state = new KeyRequest { Id = id };
        return Execute(FindInSession, ref state);
    }

    /// <summary>Destroys the private and public key objects with CKA_ID = <paramref name="id"/>.</summary>
    /// <param name="id">CKA_ID, 1 to <see cref="MaxKeyIdLength"/> bytes.</param>
    /// <returns>True when at least one object was destroyed.</returns>
    public bool DestroyKey(ReadOnlySpan<byte> id)
    {
        ValidateId(id);
        var state = new KeyRequest { Id = id };
        lock (_keyManagementLock)
        {
            var destroyed = Execute(DestroyInSession, ref state);
            if (destroyed)
            {
                HsmLog.KeyPairDestroyed(_logger, id, TokenLabel);
            }

            return destroyed;
        }
    }

    /// <summary>Reads the protection attributes of <paramref name="key"/>'s private key object.</summary>
    /// <param name="key">A key of this token.</param>
    /// <returns>The attributes as the token reports them.</returns>
    public HsmPrivateKeyAttributes ReadPrivateKeyAttributes(HsmKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var state = key;
        return Execute(
            static (SessionHandle session, ref HsmKey k) =>
            {
                var handle = k.GetPrivateHandle(session);
                var m = session.Module;
                var s = session.Value;
                return new HsmPrivateKeyAttributes(
                    Sensitive: m.GetBoolAttribute(s, handle, Ck.CKA_SENSITIVE),
                    Extractable: m.GetBoolAttribute(s, handle, Ck.CKA_EXTRACTABLE),
                    AlwaysSensitive: m.GetBoolAttribute(s, handle, Ck.CKA_ALWAYS_SENSITIVE),
                    NeverExtractable: m.GetBoolAttribute(s, handle, Ck.CKA_NEVER_EXTRACTABLE),
                    Token: m.GetBoolAttribute(s, handle, Ck.CKA_TOKEN),
                    Private: m.GetBoolAttribute(s, handle, Ck.CKA_PRIVATE),
                    Sign: m.GetBoolAttribute(s, handle, Ck.CKA_SIGN),
                    Local: m.GetBoolAttribute(s, handle, Ck.CKA_LOCAL));
            },
            ref state);
    }

    /// <summary>The mechanisms (CKM_* values) the token's slot offers (C_GetMechanismList).</summary>
    public IReadOnlyList<ulong> GetMechanisms() => _module.GetMechanisms(SlotId);

    /// <summary>
    /// Checks that a pooled session is usable and logged in (C_GetSessionInfo), re-opening it once if needed.
    /// For health endpoints; costs one PKCS#11 call.
    /// </summary>
    /// <exception cref="HsmUnavailableException">The token cannot be reached.</exception>
    public void CheckAvailable()
    {
        var unused = 0;
        Execute(
            static (SessionHandle session, ref int _) =>
            {
                var info = session.Module.GetSessionInfo(session.Value);
                if (info.state is not (Ck.CKS_RO_USER_FUNCTIONS or Ck.CKS_RW_USER_FUNCTIONS))
                {
                    throw new Pkcs11Exception("C_GetSessionInfo", CkReturnValue.CKR_USER_NOT_LOGGED_IN);
                }

                return 0;
            },
            ref unused);
    }

    /// <summary>Closes the pooled sessions (which logs out) and releases the module.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _pool.Dispose();
        _module.ReleaseShared();
    }

    /// <summary>Reads one attribute of a key's private key object, e.g. to prove CKA_VALUE is refused (tests).</summary>
    internal byte[] ReadPrivateKeyAttribute(HsmKey key, ulong attributeType)
    {
        var state = (key, attributeType);
        return Execute(
            static (SessionHandle session, ref (HsmKey Key, ulong Type) s) =>
                session.Module.GetAttribute(session.Value, s.Key.GetPrivateHandle(session), s.Type),
            ref state);
    }

    /// <summary>
    /// Runs <paramref name="call"/> on a borrowed session. When the session, login or device is lost
    /// (<see cref="Pkcs11Exception.IsSessionLost"/>), re-opens (new session, login again, slot found again by label)
    /// and retries once; a second loss becomes <see cref="HsmUnavailableException"/>. Other failures propagate.
    /// </summary>
    internal TResult Execute<TState, TResult>(SessionCall<TState, TResult> call, ref TState state)
        where TState : allows ref struct
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        for (var attempt = 0; ; attempt++)
        {
            SessionHandle session;
            try
            {
                session = _pool.Rent();
            }
            catch (Pkcs11Exception ex) when (ex.IsSessionLost || ex.ReturnValue == CkReturnValue.CKR_SLOT_ID_INVALID)
            {
                if (attempt > 0)
                {
                    throw Unavailable(ex);
                }

                Recover(ex);
                continue;
            }

            var healthy = true;
            try
            {
                return call(session, ref state);
            }
            catch (Pkcs11Exception ex) when (ex.IsSessionLost)
            {
                healthy = false;
                if (attempt > 0)
                {
                    throw Unavailable(ex);
                }

                Recover(ex);
            }
            catch (Pkcs11Exception ex) when (ex.ReturnValue is CkReturnValue.CKR_OPERATION_ACTIVE or CkReturnValue.CKR_BUFFER_TOO_SMALL)
            {
                // Note: the session may still hold an unfinished operation; never lend it again.
                healthy = false;
                throw;
            }
            finally
            {
                if (healthy)
                {
                    _pool.Return(session);
                }
                else
                {
                    Interlocked.Increment(ref _handleGeneration);
                    _pool.Discard(session);
                }
            }
        }
    }

    private static ulong FindSlot(CryptokiModule module, string label)
    {
        Pkcs11Exception? unreadable = null;
        foreach (var slot in module.GetSlotsWithToken())
        {
            (string Label, ulong Flags) info;
            try
            {
                info = module.GetTokenLabel(slot);
            }
            catch (Pkcs11Exception ex)
            {
                // Note: one broken or vanished token (e.g. deleted while loaded) must not hide the one we look for.
                unreadable = ex;
                continue;
            }

            if ((info.Flags & Ck.CKF_TOKEN_INITIALIZED) != 0 && string.Equals(info.Label, label, StringComparison.Ordinal))
            {
                return slot;
            }
        }

        throw new HsmException(
            HsmErrorCode.TokenNotFound,
            $"No initialised token labelled '{label}' ({HsmOptions.SectionName}:{nameof(HsmOptions.TokenLabel)}) is present in the module's slots.",
            unreadable);
    }

    private static void ValidateId(ReadOnlySpan<byte> id)
    {
        if (id.Length is 0 or > MaxKeyIdLength)
        {
            throw new HsmException(HsmErrorCode.InvalidInput, $"A key id (CKA_ID) is 1 to {MaxKeyIdLength} bytes.");
        }
    }

    internal static HsmKey GenerateInSession(SessionHandle session, ref KeyRequest request)
    {
        var token = session.Owner;
        using var publicTemplate = new AttributeTemplate()
            .Bool(Ck.CKA_TOKEN, true)
            .Bool(Ck.CKA_PRIVATE, false)
            .Bool(Ck.CKA_VERIFY, true)
            .Bool(Ck.CKA_ENCRYPT, false)
            .Bool(Ck.CKA_WRAP, false)
            .Bytes(Ck.CKA_ID, request.Id)
            .Bytes(Ck.CKA_LABEL, request.Label);
        using var privateTemplate = new AttributeTemplate()
            .Bool(Ck.CKA_TOKEN, true)
            .Bool(Ck.CKA_PRIVATE, true)
            .Bool(Ck.CKA_SENSITIVE, true)
            .Bool(Ck.CKA_EXTRACTABLE, false)
            .Bool(Ck.CKA_SIGN, true)
            .Bool(Ck.CKA_DECRYPT, false)
            .Bool(Ck.CKA_UNWRAP, false)
            .Bool(Ck.CKA_DERIVE, false)
            .Bytes(Ck.CKA_ID, request.Id)
            .Bytes(Ck.CKA_LABEL, request.Label);
        ulong mechanism;
        switch (request.Algorithm)
        {
            case HsmKeyAlgorithm.Rsa2048 or HsmKeyAlgorithm.Rsa3072:
                mechanism = Ck.CKM_RSA_PKCS_KEY_PAIR_GEN;
                publicTemplate
                    .ULong(Ck.CKA_MODULUS_BITS, request.Algorithm == HsmKeyAlgorithm.Rsa2048 ? 2048UL : 3072UL)
                    .Bytes(Ck.CKA_PUBLIC_EXPONENT, [0x01, 0x00, 0x01]);
                break;
            default:
                mechanism = Ck.CKM_EC_KEY_PAIR_GEN;
                publicTemplate.Bytes(Ck.CKA_EC_PARAMS, SubjectPublicKeyInfoEncoding.P256Parameters);
                break;
        }

        var (publicKey, privateKey) = session.Module.GenerateKeyPair(
            session.Value, mechanism, publicTemplate.Attributes, privateTemplate.Attributes);
        try
        {
            return HsmKey.Load(token, session, request.Id, privateKey, publicKey);
        }
        catch
        {
            // Note: a key pair we cannot describe must not stay on the token half-registered.
            TryDestroy(session, privateKey);
            TryDestroy(session, publicKey);
            throw;
        }
    }

    private static HsmKey? FindInSession(SessionHandle session, ref KeyRequest request)
    {
        var privateKeys = FindObjects(session, Ck.CKO_PRIVATE_KEY, request.Id, 2);
        if (privateKeys.Length == 0)
        {
            return null;
        }

        if (privateKeys.Length > 1)
        {
            throw new HsmException(HsmErrorCode.UnsupportedKey, "More than one private key on the token has this CKA_ID.");
        }

        var publicKeys = FindObjects(session, Ck.CKO_PUBLIC_KEY, request.Id, 2);
        return HsmKey.Load(session.Owner, session, request.Id, privateKeys[0], publicKeys.Length == 1 ? publicKeys[0] : null);
    }

    private static bool DestroyInSession(SessionHandle session, ref KeyRequest request)
    {
        var destroyed = false;
        foreach (var objectClass in (ReadOnlySpan<ulong>)[Ck.CKO_PRIVATE_KEY, Ck.CKO_PUBLIC_KEY])
        {
            foreach (var handle in FindObjects(session, objectClass, request.Id, 16))
            {
                session.Module.DestroyObject(session.Value, handle);
                destroyed = true;
            }
        }

        return destroyed;
    }

    internal static ulong[] FindObjects(SessionHandle session, ulong objectClass, ReadOnlySpan<byte> id, int max)
    {
        using var template = new AttributeTemplate().ULong(Ck.CKA_CLASS, objectClass).Bytes(Ck.CKA_ID, id);
        return session.Module.FindObjects(session.Value, template.Attributes, max);
    }

    private static void TryDestroy(SessionHandle session, ulong handle)
    {
        try
        {
            session.Module.DestroyObject(session.Value, handle);
        }
        catch (Pkcs11Exception)
        {
            // Note: best effort; the original failure is what the caller needs to see.
        }
    }

    private SessionHandle OpenLoggedInSession()
    {
        var session = _module.OpenSession(SlotId, this);
        try
        {
            // 1. Login state is shared by all sessions of the application (base §5.6): a new session may already be in
            //    a user state; otherwise log in with the PIN, read now and zeroed right after.
            var info = _module.GetSessionInfo(session.Value);
            if (info.state is not (Ck.CKS_RO_USER_FUNCTIONS or Ck.CKS_RW_USER_FUNCTIONS))
            {
                Login(session);
            }

            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private void Login(SessionHandle session)
    {
        // 1. Read the PIN (pinned bytes, zeroed after use). A PIN the token already refused is not offered again, so a
        //    stale PIN file cannot walk the token's retry counter to a lock-out (HPKI cards lock after 15 failures) while
        //    every request re-opens sessions; a changed PIN file is tried at once. Only a keyed digest of the refused PIN
        //    is kept (HMAC-SHA256 under a per-instance random key), never the PIN.
        var (rv, repeated) = _pin.Use(pin =>
        {
            var digest = HMACSHA256.HashData(_pinDigestKey, pin.Span);
            var refused = Volatile.Read(ref _refusedPinDigest);
            if (refused is not null && CryptographicOperations.FixedTimeEquals(refused, digest))
            {
                return (CkReturnValue.CKR_PIN_INCORRECT, true);
            }

            // 2. C_Login as CKU_USER (base §5.6); CKR_USER_ALREADY_LOGGED_IN means another session did it first.
            var result = _module.Login(session.Value, Ck.CKU_USER, pin.Span);
            if (result is CkReturnValue.CKR_PIN_INCORRECT or CkReturnValue.CKR_PIN_INVALID or CkReturnValue.CKR_PIN_LEN_RANGE)
            {
                Volatile.Write(ref _refusedPinDigest, digest);
            }
            else
            {
                CryptographicOperations.ZeroMemory(digest);
            }

            return (result, false);
        });
        if (rv is CkReturnValue.CKR_OK or CkReturnValue.CKR_USER_ALREADY_LOGGED_IN)
        {
            return;
        }

        var hint = rv is CkReturnValue.CKR_PIN_INCORRECT or CkReturnValue.CKR_PIN_INVALID or CkReturnValue.CKR_PIN_LEN_RANGE
            or CkReturnValue.CKR_PIN_LOCKED or CkReturnValue.CKR_PIN_EXPIRED or CkReturnValue.CKR_USER_PIN_NOT_INITIALIZED
            ? PinHint
            : null;
        if (repeated)
        {
            throw new Pkcs11Exception("C_Login", rv, PinHint + "; this PIN was already refused and is not offered to the token again");
        }

        HsmLog.LoginFailed(_logger, TokenLabel, Pkcs11Exception.FormatReturnValue(rv));
        throw new Pkcs11Exception("C_Login", rv, hint);
    }

    private void Recover(Pkcs11Exception cause)
    {
        HsmLog.SessionLost(_logger, cause.Function, Pkcs11Exception.FormatReturnValue(cause.ReturnValue), TokenLabel);
        lock (_recoveryLock)
        {
            // 1. Every idle session shares the fate of the one that failed (same device, same login): close them all,
            //    so the retry opens a fresh session and logs in again.
            _pool.DiscardIdle();
            Interlocked.Increment(ref _handleGeneration);

            // 2. After a device loss the token may come back in another slot: find it again by label.
            if (cause.ReturnValue is CkReturnValue.CKR_DEVICE_REMOVED or CkReturnValue.CKR_TOKEN_NOT_PRESENT or CkReturnValue.CKR_DEVICE_ERROR
                or CkReturnValue.CKR_TOKEN_NOT_RECOGNIZED or CkReturnValue.CKR_SLOT_ID_INVALID)
            {
                try
                {
                    var previous = SlotId;
                    var slot = FindSlot(_module, TokenLabel);
                    Volatile.Write(ref _slotId, slot);
                    if (slot != previous)
                    {
                        HsmLog.TokenMovedSlot(_logger, TokenLabel, slot, previous);
                    }
                }
                catch (HsmException ex)
                {
                    throw Unavailable(ex);
                }
            }
        }
    }

    private HsmUnavailableException Unavailable(Exception cause)
    {
        HsmLog.TokenUnavailable(_logger, TokenLabel, cause.Message);
        return new($"The HSM token '{TokenLabel}' is unavailable: {cause.Message}", cause);
    }

    internal ref struct KeyRequest
    {
        public ReadOnlySpan<byte> Id;
        public byte[] Label;
        public HsmKeyAlgorithm Algorithm;
    }
}
