using System.Runtime.InteropServices;

namespace SignatureService.Hsm.Cryptoki;

/// <summary>
/// A PKCS#11 session (CK_SESSION_HANDLE). Releasing it calls C_CloseSession. It keeps its module alive, so C_Finalize
/// never runs while a session is open. Not thread-safe: PKCS#11 sessions serve one operation at a time (base §5.6).
/// </summary>
internal sealed class SessionHandle : SafeHandle
{
    private readonly CryptokiModule _module;

    public SessionHandle(CryptokiModule module, ulong session, HsmToken owner)
        : base(nint.Zero, ownsHandle: true)
    {
        Owner = owner;
        var added = false;
        module.DangerousAddRef(ref added);
        _module = module;
        SetHandle((nint)session);
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>The CK_SESSION_HANDLE; only meaningful while the handle is not closed.</summary>
    public ulong Value => (ulong)handle;

    /// <summary>The token whose pool lent this session.</summary>
    public HsmToken Owner { get; }

    /// <summary>The module the session belongs to.</summary>
    public CryptokiModule Module => _module;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        // Note: errors are ignored: a session on a removed device is already gone, and there is nothing else to do.
        _ = _module.CloseSession((ulong)handle);
        _module.DangerousRelease();
        return true;
    }
}
