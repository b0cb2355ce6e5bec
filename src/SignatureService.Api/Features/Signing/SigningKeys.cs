using System.Collections.Concurrent;
using SignatureService.Api.Features.Hsm;
using SignatureService.Hsm;

namespace SignatureService.Api.Features.Signing;

/// <summary>
/// The signers' HSM keys the signing worker has found, by CKA_ID, for the token connected now. Finding a key is a
/// <c>C_FindObjects</c> search plus attribute reads: 0.8 ms per request measured here with about 70 keys on the token, more
/// than one RSA signature, and SoftHSM2's search grows with the number of objects. An <see cref="HsmKey"/> stays usable across
/// sessions and re-finds its handle after a reconnect; an entry of an earlier token is never returned. A key destroyed behind
/// the cache fails its next signature with <see cref="HsmErrorCode.KeyNotFound"/>, and the caller then <see cref="Forget"/>s it,
/// so the request after finds it missing as before. Only keys of signing certificates are cached: the service destroys keys
/// only when issuing their certificate failed. Thread-safe singleton.
/// </summary>
public sealed class SigningKeys(HsmConnection hsm)
{
    /// <summary>Entries kept at most; the cache is emptied when it is full (a new signer costs one search again).</summary>
    internal const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, HsmKey> _keys = new(StringComparer.Ordinal);

    /// <summary>The key with CKA_ID <paramref name="ckId"/> on the connected token, or null when the token has none.</summary>
    /// <exception cref="HsmUnavailableException">No token is connected.</exception>
    public HsmKey? Find(byte[] ckId)
    {
        ArgumentNullException.ThrowIfNull(ckId);
        var token = hsm.RequireToken();
        var name = Convert.ToHexString(ckId);
        if (_keys.TryGetValue(name, out var cached) && ReferenceEquals(cached.Token, token))
        {
            return cached;
        }

        var key = token.FindKey(ckId);
        if (key is null)
        {
            _keys.TryRemove(name, out _);
            return null;
        }

        if (_keys.Count >= MaxEntries)
        {
            _keys.Clear();
        }

        _keys[name] = key;
        return key;
    }

    /// <summary>Drops the entry of <paramref name="ckId"/>, after its key was found gone.</summary>
    public void Forget(byte[] ckId)
    {
        ArgumentNullException.ThrowIfNull(ckId);
        _keys.TryRemove(Convert.ToHexString(ckId), out _);
    }
}
