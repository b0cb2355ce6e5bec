using System.Runtime.InteropServices;
using System.Text;

namespace SignatureService.Hsm.Cryptoki;

/// <summary>
/// A loaded and initialised PKCS#11 module: the library handle and its CK_FUNCTION_LIST (base §5.2). One instance per
/// module path per process, shared by reference count, because C_Initialize may be called only once per process
/// (base §5.4, CKR_CRYPTOKI_ALREADY_INITIALIZED). Thread-safe: initialised with CKF_OS_LOCKING_OK.
/// </summary>
internal sealed unsafe class CryptokiModule : SafeHandle
{
    /// <summary>Longest attribute value read (64 KiB): keys and labels are far smaller; a larger one is refused.</summary>
    public const int MaxAttributeLength = 64 * 1024;

    private static readonly Dictionary<string, CryptokiModule> Loaded = new(StringComparer.Ordinal);
    private static readonly Lock LoadedLock = new();

    private readonly string _path;
    private readonly CK_FUNCTION_LIST* _functions;
    private readonly bool _ownsInitialization;
    private int _references;

    private CryptokiModule(string path, nint library, CK_FUNCTION_LIST* functions, bool ownsInitialization)
        : base(nint.Zero, ownsHandle: true)
    {
        _path = path;
        _functions = functions;
        _ownsInitialization = ownsInitialization;
        SetHandle(library);
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>The function list; valid while this handle is not released.</summary>
    public CK_FUNCTION_LIST* Functions => _functions;

    /// <summary>
    /// Loads (or shares) the module at <paramref name="path"/> and initialises it with CKF_OS_LOCKING_OK.
    /// Each call must be paired with <see cref="ReleaseShared"/>.
    /// </summary>
    /// <exception cref="HsmException"><see cref="HsmErrorCode.ModuleNotLoadable"/> when the file is missing or not a Cryptoki module.</exception>
    /// <exception cref="Pkcs11Exception">C_Initialize failed.</exception>
    public static CryptokiModule AcquireShared(string path)
    {
        var fullPath = Path.GetFullPath(path);
        lock (LoadedLock)
        {
            if (!Loaded.TryGetValue(fullPath, out var module))
            {
                module = Load(fullPath);
                Loaded.Add(fullPath, module);
            }

            module._references++;
            return module;
        }
    }

    /// <summary>
    /// Drops one reference taken by <see cref="AcquireShared"/>. The module stays initialised for the life of the process.
    /// </summary>
    /// <remarks>
    /// Note: finalising on the last release raced with a later <see cref="AcquireShared"/> of the same library: the old handle's
    /// C_Finalize runs only when its last session handle closes, which can be after the new C_Initialize, and then pulls the
    /// library out from under the new sessions (a native crash of the test host, seen in CI). PKCS#11 modules need no
    /// C_Finalize at process exit, and a service opens its token once, so keeping it initialised costs nothing.
    /// </remarks>
    public void ReleaseShared()
    {
        lock (LoadedLock)
        {
            _references--;
        }
    }

    /// <summary>Throws a <see cref="Pkcs11Exception"/> unless <paramref name="rv"/> is CKR_OK.</summary>
    public static void Check(CkReturnValue rv, string function, string? hint = null)
    {
        if (rv != CkReturnValue.CKR_OK)
        {
            throw new Pkcs11Exception(function, rv, hint);
        }
    }

    /// <summary>C_GetSlotList with tokenPresent = CK_TRUE (base §5.5).</summary>
    public ulong[] GetSlotsWithToken()
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            ulong count = 0;
            Check(_functions->C_GetSlotList(Ck.CK_TRUE, null, &count), "C_GetSlotList");
            var slots = new ulong[count];
            if (count == 0)
            {
                return slots;
            }

            fixed (ulong* p = slots)
            {
                var rv = _functions->C_GetSlotList(Ck.CK_TRUE, p, &count);
                if (rv == CkReturnValue.CKR_BUFFER_TOO_SMALL)
                {
                    continue;
                }

                Check(rv, "C_GetSlotList");
            }

            return slots.AsSpan(0, (int)count).ToArray();
        }

        throw new Pkcs11Exception("C_GetSlotList", CkReturnValue.CKR_BUFFER_TOO_SMALL);
    }

    /// <summary>C_GetTokenInfo (base §5.5): the label with its blank padding removed, and the flags.</summary>
    public (string Label, ulong Flags) GetTokenLabel(ulong slot)
    {
        CK_TOKEN_INFO info;
        Check(_functions->C_GetTokenInfo(slot, &info), "C_GetTokenInfo");
        var label = Encoding.UTF8.GetString(new ReadOnlySpan<byte>(info.label, 32)).TrimEnd(' ', '\0');
        return (label, info.flags);
    }

    /// <summary>C_GetMechanismList (base §5.5).</summary>
    public ulong[] GetMechanisms(ulong slot)
    {
        ulong count = 0;
        Check(_functions->C_GetMechanismList(slot, null, &count), "C_GetMechanismList");
        var mechanisms = new ulong[count];
        if (count > 0)
        {
            fixed (ulong* p = mechanisms)
            {
                Check(_functions->C_GetMechanismList(slot, p, &count), "C_GetMechanismList");
            }
        }

        return mechanisms.AsSpan(0, (int)count).ToArray();
    }

    /// <summary>C_OpenSession with CKF_SERIAL_SESSION | CKF_RW_SESSION (base §5.6).</summary>
    public SessionHandle OpenSession(ulong slot, HsmToken owner)
    {
        ulong session;
        Check(_functions->C_OpenSession(slot, Ck.CKF_SERIAL_SESSION | Ck.CKF_RW_SESSION, null, null, &session), "C_OpenSession");
        return new SessionHandle(this, session, owner);
    }

    /// <summary>C_CloseSession (base §5.6); returns the CK_RV instead of throwing (used on release paths).</summary>
    public CkReturnValue CloseSession(ulong session) => _functions->C_CloseSession(session);

    /// <summary>C_GetSessionInfo (base §5.6).</summary>
    public CK_SESSION_INFO GetSessionInfo(ulong session)
    {
        CK_SESSION_INFO info;
        Check(_functions->C_GetSessionInfo(session, &info), "C_GetSessionInfo");
        return info;
    }

    /// <summary>C_Login (base §5.6); returns the CK_RV so the caller can accept CKR_USER_ALREADY_LOGGED_IN.</summary>
    public CkReturnValue Login(ulong session, ulong userType, ReadOnlySpan<byte> pin)
    {
        fixed (byte* p = pin)
        {
            return _functions->C_Login(session, userType, p, (ulong)pin.Length);
        }
    }

    /// <summary>C_InitToken (base §5.5): initialises the token in <paramref name="slot"/> (used to make throw-away tokens).</summary>
    public void InitToken(ulong slot, ReadOnlySpan<byte> soPin, string label)
    {
        Span<byte> paddedLabel = stackalloc byte[32];
        paddedLabel.Fill((byte)' ');
        if (Encoding.UTF8.GetByteCount(label) > 32)
        {
            throw new HsmException(HsmErrorCode.InvalidInput, "A token label is at most 32 UTF-8 bytes.");
        }

        Encoding.UTF8.GetBytes(label, paddedLabel);
        fixed (byte* p = soPin)
        fixed (byte* l = paddedLabel)
        {
            Check(_functions->C_InitToken(slot, p, (ulong)soPin.Length, l), "C_InitToken");
        }
    }

    /// <summary>C_InitPIN (base §5.6) in a session logged in as the security officer.</summary>
    public void InitUserPin(ulong session, ReadOnlySpan<byte> pin)
    {
        fixed (byte* p = pin)
        {
            Check(_functions->C_InitPIN(session, p, (ulong)pin.Length), "C_InitPIN");
        }
    }

    /// <summary>C_Logout (base §5.6).</summary>
    public CkReturnValue Logout(ulong session) => _functions->C_Logout(session);

    /// <summary>C_FindObjectsInit / C_FindObjects / C_FindObjectsFinal (base §5.7), at most <paramref name="max"/> handles.</summary>
    public ulong[] FindObjects(ulong session, ReadOnlySpan<CK_ATTRIBUTE> template, int max)
    {
        fixed (CK_ATTRIBUTE* t = template)
        {
            Check(_functions->C_FindObjectsInit(session, t, (ulong)template.Length), "C_FindObjectsInit");
        }

        var found = new ulong[max];
        ulong count = 0;
        CkReturnValue rv;
        fixed (ulong* p = found)
        {
            rv = _functions->C_FindObjects(session, p, (ulong)max, &count);
        }

        // Note: C_FindObjectsFinal must run even when C_FindObjects failed, or the session stays in a find operation.
        var finalRv = _functions->C_FindObjectsFinal(session);
        Check(rv, "C_FindObjects");
        Check(finalRv, "C_FindObjectsFinal");
        return found.AsSpan(0, (int)count).ToArray();
    }

    /// <summary>
    /// C_GetAttributeValue for one attribute of variable length (base §5.7): asks the length, then reads the value.
    /// </summary>
    /// <exception cref="Pkcs11Exception">For example CKR_ATTRIBUTE_SENSITIVE for a sensitive private-key component.</exception>
    public byte[] GetAttribute(ulong session, ulong obj, ulong type)
    {
        var attribute = new CK_ATTRIBUTE { type = type };
        Check(_functions->C_GetAttributeValue(session, obj, &attribute, 1), "C_GetAttributeValue");
        if (attribute.ulValueLen == Ck.CK_UNAVAILABLE_INFORMATION)
        {
            throw new Pkcs11Exception("C_GetAttributeValue", CkReturnValue.CKR_ATTRIBUTE_SENSITIVE);
        }

        if (attribute.ulValueLen > MaxAttributeLength)
        {
            throw new HsmException(HsmErrorCode.UnsupportedKey, $"Attribute 0x{type:X} is longer than {MaxAttributeLength} bytes.");
        }

        var value = new byte[attribute.ulValueLen];
        fixed (byte* p = value)
        {
            attribute.pValue = p;
            Check(_functions->C_GetAttributeValue(session, obj, &attribute, 1), "C_GetAttributeValue");
        }

        return value.AsSpan(0, (int)attribute.ulValueLen).ToArray();
    }

    /// <summary>C_GetAttributeValue for a CK_BBOOL attribute.</summary>
    public bool GetBoolAttribute(ulong session, ulong obj, ulong type)
    {
        byte value = 0;
        var attribute = new CK_ATTRIBUTE { type = type, pValue = &value, ulValueLen = 1 };
        Check(_functions->C_GetAttributeValue(session, obj, &attribute, 1), "C_GetAttributeValue");
        return value != Ck.CK_FALSE;
    }

    /// <summary>C_GetAttributeValue for a CK_ULONG attribute.</summary>
    public ulong GetULongAttribute(ulong session, ulong obj, ulong type)
    {
        ulong value = 0;
        var attribute = new CK_ATTRIBUTE { type = type, pValue = &value, ulValueLen = sizeof(ulong) };
        Check(_functions->C_GetAttributeValue(session, obj, &attribute, 1), "C_GetAttributeValue");
        return value;
    }

    /// <summary>C_GenerateKeyPair (base §5.14).</summary>
    public (ulong PublicKey, ulong PrivateKey) GenerateKeyPair(
        ulong session, ulong mechanism, ReadOnlySpan<CK_ATTRIBUTE> publicTemplate, ReadOnlySpan<CK_ATTRIBUTE> privateTemplate)
    {
        var mech = new CK_MECHANISM { mechanism = mechanism };
        ulong publicKey;
        ulong privateKey;
        fixed (CK_ATTRIBUTE* pub = publicTemplate)
        fixed (CK_ATTRIBUTE* priv = privateTemplate)
        {
            Check(
                _functions->C_GenerateKeyPair(
                    session, &mech, pub, (ulong)publicTemplate.Length, priv, (ulong)privateTemplate.Length, &publicKey, &privateKey),
                "C_GenerateKeyPair");
        }

        return (publicKey, privateKey);
    }

    /// <summary>C_DestroyObject (base §5.7).</summary>
    public void DestroyObject(ulong session, ulong obj) => Check(_functions->C_DestroyObject(session, obj), "C_DestroyObject");

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        if (_ownsInitialization)
        {
            _ = _functions->C_Finalize(null);
        }

        // Note: the library stays mapped (no NativeLibrary.Free): modules such as SoftHSM2 register OpenSSL and atexit
        // handlers that crash the process when their code is unmapped; a later Open re-initialises the same mapping.
        return true;
    }

    private static CryptokiModule Load(string fullPath)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            // Note: the structures here assume LP64 (CK_ULONG = 64-bit unsigned long); Windows' CK_ULONG is 32-bit.
            throw new HsmException(HsmErrorCode.ModuleNotLoadable, "Hsm:ModulePath: this PKCS#11 binding supports 64-bit Unix only.");
        }

        if (!File.Exists(fullPath))
        {
            throw new HsmException(HsmErrorCode.ModuleNotLoadable, $"Hsm:ModulePath '{fullPath}' does not exist.");
        }

        if (!NativeLibrary.TryLoad(fullPath, out var library))
        {
            throw new HsmException(HsmErrorCode.ModuleNotLoadable, $"Hsm:ModulePath '{fullPath}' is not a loadable shared library.");
        }

        if (!NativeLibrary.TryGetExport(library, "C_GetFunctionList", out var getFunctionList))
        {
            throw new HsmException(
                HsmErrorCode.ModuleNotLoadable, $"Hsm:ModulePath '{fullPath}' does not export C_GetFunctionList: not a PKCS#11 module.");
        }

        CK_FUNCTION_LIST* functions = null;
        var rv = ((delegate* unmanaged<CK_FUNCTION_LIST**, CkReturnValue>)getFunctionList)(&functions);
        if (rv != CkReturnValue.CKR_OK || functions is null)
        {
            throw new HsmException(
                HsmErrorCode.ModuleNotLoadable,
                $"Hsm:ModulePath '{fullPath}': C_GetFunctionList failed: {Pkcs11Exception.FormatReturnValue(rv)}.");
        }

        if (functions->version.major != 2)
        {
            throw new HsmException(
                HsmErrorCode.ModuleNotLoadable,
                $"Hsm:ModulePath '{fullPath}': Cryptoki {functions->version.major}.{functions->version.minor} is not supported (2.x is).");
        }

        // 1. C_Initialize with CKF_OS_LOCKING_OK: the module may use the OS's locking; we call it from many threads (base §5.4).
        var args = new CK_C_INITIALIZE_ARGS { flags = Ck.CKF_OS_LOCKING_OK };
        rv = functions->C_Initialize(&args);
        if (rv is not (CkReturnValue.CKR_OK or CkReturnValue.CKR_CRYPTOKI_ALREADY_INITIALIZED))
        {
            throw new Pkcs11Exception("C_Initialize", rv, "check Hsm:ModulePath and the module's own configuration (e.g. SOFTHSM2_CONF)");
        }

        // Note: when something else in this process initialised the module first, it owns C_Finalize, not us.
        return new CryptokiModule(fullPath, library, functions, ownsInitialization: rv == CkReturnValue.CKR_OK);
    }
}
