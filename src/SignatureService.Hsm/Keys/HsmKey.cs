using System.Security.Cryptography;
using System.Text;
using SignatureService.Hsm.Cryptoki;
using SignatureService.Hsm.Keys;
using SignatureService.Hsm.Signing;

namespace SignatureService.Hsm;

/// <summary>
/// A key pair stored in an <see cref="HsmToken"/>: its CKA_ID, CKA_LABEL, algorithm and public key. The private key
/// never leaves the token; <see cref="Sign(HsmSignatureMechanism, ReadOnlySpan{byte})"/> runs C_SignInit/C_Sign on a pooled session. Thread-safe.
/// </summary>
public sealed class HsmKey
{
    /// <summary>Largest input of <see cref="HsmSignatureMechanism.Sha256RsaPkcs"/> in bytes (16 MiB, inclusive).</summary>
    public const int MaxDataLength = 16 * 1024 * 1024;

    private readonly byte[] _id;
    private readonly byte[] _subjectPublicKeyInfo;
    private CachedHandle _privateHandle;

    private HsmKey(
        HsmToken token, byte[] id, string label, HsmKeyAlgorithm algorithm, byte[] subjectPublicKeyInfo, CachedHandle privateHandle)
    {
        Token = token;
        _id = id;
        Label = label;
        Algorithm = algorithm;
        _subjectPublicKeyInfo = subjectPublicKeyInfo;
        _privateHandle = privateHandle;
        SignatureLength = algorithm switch
        {
            HsmKeyAlgorithm.Rsa2048 => 256,
            HsmKeyAlgorithm.Rsa3072 => 384,
            _ => 64,
        };
    }

    /// <summary>The token holding the key.</summary>
    public HsmToken Token { get; }

    /// <summary>CKA_ID (a copy; 1 to <see cref="HsmToken.MaxKeyIdLength"/> bytes).</summary>
#pragma warning disable CA1819 // Note: the integrator's contract names byte[]; a fresh copy is returned each time.
    public byte[] Id => (byte[])_id.Clone();

    /// <summary>DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) built from the public key attributes (a copy).</summary>
    public byte[] SubjectPublicKeyInfo => (byte[])_subjectPublicKeyInfo.Clone();
#pragma warning restore CA1819

    /// <summary>CKA_LABEL of the private key object.</summary>
    public string Label { get; }

    /// <summary>The key pair's algorithm.</summary>
    public HsmKeyAlgorithm Algorithm { get; }

    /// <summary>Length of a signature in bytes: the modulus length for RSA (256 or 384), 64 (r || s) for P-256.</summary>
    public int SignatureLength { get; }

    /// <summary>Whether the key is RSA (2048 or 3072 bits).</summary>
    public bool IsRsa => Algorithm is HsmKeyAlgorithm.Rsa2048 or HsmKeyAlgorithm.Rsa3072;

    /// <summary>Signs <paramref name="input"/> inside the token.</summary>
    /// <param name="mechanism">The mechanism; it fixes what <paramref name="input"/> is (data or hash, see each value).</param>
    /// <param name="input">Data (≤ <see cref="MaxDataLength"/> bytes) or a hash of the length the mechanism requires.</param>
    /// <returns>The signature: <see cref="SignatureLength"/> bytes (raw r || s for ECDSA).</returns>
    /// <exception cref="HsmException"><see cref="HsmErrorCode.MechanismMismatch"/> or <see cref="HsmErrorCode.InvalidInput"/>.</exception>
    /// <exception cref="Pkcs11Exception">The token refused the operation.</exception>
    /// <exception cref="HsmUnavailableException">The token could not be reached even after one re-open.</exception>
    public byte[] Sign(HsmSignatureMechanism mechanism, ReadOnlySpan<byte> input)
    {
        var signature = new byte[SignatureLength];
        var written = Sign(mechanism, input, signature);
        return written == signature.Length ? signature : signature[..written];
    }

    /// <summary>Signs <paramref name="input"/> into <paramref name="destination"/> (at least <see cref="SignatureLength"/> bytes).</summary>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="HsmException">As <see cref="Sign(HsmSignatureMechanism, ReadOnlySpan{byte})"/>; <see cref="HsmErrorCode.InvalidInput"/> when the destination is too short.</exception>
    public int Sign(HsmSignatureMechanism mechanism, ReadOnlySpan<byte> input, Span<byte> destination)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        string? error = "exception";
        try
        {
            var written = SignUnmeasured(mechanism, input, destination);
            error = null;
            return written;
        }
        catch (Pkcs11Exception ex)
        {
            error = ex.ReturnValue.ToString();
            throw;
        }
        catch (HsmException ex)
        {
            error = ex.Code.ToString();
            throw;
        }
        finally
        {
            HsmMetrics.Record("sign", mechanism.ToString(), start, error);
        }
    }

    private int SignUnmeasured(HsmSignatureMechanism mechanism, ReadOnlySpan<byte> input, Span<byte> destination)
    {
        switch (mechanism)
        {
            case HsmSignatureMechanism.Sha256RsaPkcs:
                RequireRsa(mechanism);
                if (input.Length > MaxDataLength)
                {
                    throw new HsmException(HsmErrorCode.InvalidInput, $"Data to sign is at most {MaxDataLength} bytes.");
                }

                return SignCore(Ck.CKM_SHA256_RSA_PKCS, default, input, destination);
            case HsmSignatureMechanism.RsaPkcsSha256DigestInfo:
                RequireRsa(mechanism);
                return SignRsaPkcs1Hash(HashAlgorithmName.SHA256, input, destination);
            case HsmSignatureMechanism.RsaPkcsPssSha256:
                RequireRsa(mechanism);
                return SignRsaPssHash(HashAlgorithmName.SHA256, input, destination);
            case HsmSignatureMechanism.Ecdsa:
                if (Algorithm != HsmKeyAlgorithm.EcP256)
                {
                    throw Mismatch(mechanism);
                }

                return SignEcdsaHash(input, destination);
            default:
                throw new HsmException(HsmErrorCode.InvalidInput, $"Unknown signature mechanism {mechanism}.");
        }
    }

    /// <summary>A .NET <see cref="RSA"/> view of this key; private export throws <see cref="CryptographicException"/>.</summary>
    /// <exception cref="HsmException"><see cref="HsmErrorCode.MechanismMismatch"/> for an EC key.</exception>
    public RSA AsRsa() => IsRsa
        ? new HsmRsa(this)
        : throw new HsmException(HsmErrorCode.MechanismMismatch, "This key is not an RSA key.");

    /// <summary>A .NET <see cref="ECDsa"/> view of this key; private export throws <see cref="CryptographicException"/>.</summary>
    /// <exception cref="HsmException"><see cref="HsmErrorCode.MechanismMismatch"/> for an RSA key.</exception>
    public ECDsa AsECDsa() => Algorithm == HsmKeyAlgorithm.EcP256
        ? new HsmECDsa(this)
        : throw new HsmException(HsmErrorCode.MechanismMismatch, "This key is not an EC key.");

    /// <summary>EMSA-PKCS1-v1_5 over a hash: DigestInfo (RFC 8017 §9.2 step 2) then CKM_RSA_PKCS (mechanisms §2.1.6).</summary>
    internal int SignRsaPkcs1Hash(HashAlgorithmName hashAlgorithm, ReadOnlySpan<byte> hash, Span<byte> destination)
    {
        Span<byte> digestInfo = stackalloc byte[DigestInfoEncoding.MaxLength];
        var length = DigestInfoEncoding.Write(hashAlgorithm, hash, digestInfo);
        return SignCore(Ck.CKM_RSA_PKCS, default, digestInfo[..length], destination);
    }

    /// <summary>RSASSA-PSS over a hash with MGF1 of the same hash and a salt as long as the hash (RFC 8017 §9.1; mechanisms §2.1.10).</summary>
    internal int SignRsaPssHash(HashAlgorithmName hashAlgorithm, ReadOnlySpan<byte> hash, Span<byte> destination)
    {
        CK_RSA_PKCS_PSS_PARAMS parameters;
        if (hashAlgorithm == HashAlgorithmName.SHA256)
        {
            parameters = new CK_RSA_PKCS_PSS_PARAMS { hashAlg = Ck.CKM_SHA256, mgf = Ck.CKG_MGF1_SHA256, sLen = 32 };
        }
        else if (hashAlgorithm == HashAlgorithmName.SHA384)
        {
            parameters = new CK_RSA_PKCS_PSS_PARAMS { hashAlg = Ck.CKM_SHA384, mgf = Ck.CKG_MGF1_SHA384, sLen = 48 };
        }
        else if (hashAlgorithm == HashAlgorithmName.SHA512)
        {
            parameters = new CK_RSA_PKCS_PSS_PARAMS { hashAlg = Ck.CKM_SHA512, mgf = Ck.CKG_MGF1_SHA512, sLen = 64 };
        }
        else
        {
            throw new HsmException(
                HsmErrorCode.InvalidInput, $"Hash algorithm '{hashAlgorithm.Name}' is not supported for PSS (SHA-256/384/512 are).");
        }

        if (hash.Length != (int)parameters.sLen)
        {
            throw new HsmException(
                HsmErrorCode.InvalidInput, $"A {hashAlgorithm.Name} hash is {parameters.sLen} bytes, not {hash.Length}.");
        }

        return SignCore(Ck.CKM_RSA_PKCS_PSS, parameters, hash, destination);
    }

    /// <summary>CKM_ECDSA over a hash (mechanisms §2.3.6): raw r || s.</summary>
    internal int SignEcdsaHash(ReadOnlySpan<byte> hash, Span<byte> destination)
    {
        if (hash.Length is < 20 or > 64)
        {
            throw new HsmException(HsmErrorCode.InvalidInput, "An ECDSA hash is 20 to 64 bytes.");
        }

        return SignCore(Ck.CKM_ECDSA, default, hash, destination);
    }

    /// <summary>Builds a key from its objects, reading the public attributes in <paramref name="session"/>.</summary>
    internal static HsmKey Load(HsmToken token, SessionHandle session, ReadOnlySpan<byte> id, ulong privateKey, ulong? publicKey)
    {
        var module = session.Module;
        var s = session.Value;
        var keyType = module.GetULongAttribute(s, privateKey, Ck.CKA_KEY_TYPE);
        var label = Encoding.UTF8.GetString(module.GetAttribute(s, privateKey, Ck.CKA_LABEL));
        HsmKeyAlgorithm algorithm;
        byte[] spki;
        if (keyType == Ck.CKK_RSA)
        {
            // Note: RSA private key objects carry CKA_MODULUS and CKA_PUBLIC_EXPONENT too (mechanisms §2.1.3), so a
            //       missing public key object is tolerated.
            var source = publicKey ?? privateKey;
            var modulus = module.GetAttribute(s, source, Ck.CKA_MODULUS);
            var exponent = module.GetAttribute(s, source, Ck.CKA_PUBLIC_EXPONENT);
            var modulusBytes = modulus.AsSpan().TrimStart((byte)0).Length;
            algorithm = modulusBytes switch
            {
                256 => HsmKeyAlgorithm.Rsa2048,
                384 => HsmKeyAlgorithm.Rsa3072,
                _ => throw new HsmException(HsmErrorCode.UnsupportedKey, $"RSA keys of {modulusBytes * 8} bits are not used here."),
            };
            spki = SubjectPublicKeyInfoEncoding.FromRsa(modulus, exponent);
        }
        else if (keyType == Ck.CKK_EC)
        {
            if (publicKey is not { } publicHandle)
            {
                throw new HsmException(HsmErrorCode.UnsupportedKey, "The EC key has no public key object with the same CKA_ID.");
            }

            var parameters = module.GetAttribute(s, publicHandle, Ck.CKA_EC_PARAMS);
            if (SubjectPublicKeyInfoEncoding.ReadNamedCurve(parameters) != SubjectPublicKeyInfoEncoding.P256Oid)
            {
                throw new HsmException(HsmErrorCode.UnsupportedKey, "Only EC keys on P-256 are used here.");
            }

            algorithm = HsmKeyAlgorithm.EcP256;
            var point = module.GetAttribute(s, publicHandle, Ck.CKA_EC_POINT);
            if (SubjectPublicKeyInfoEncoding.UnwrapEcPoint(point).Length != SubjectPublicKeyInfoEncoding.P256PointLength)
            {
                throw new HsmException(HsmErrorCode.UnsupportedKey, "CKA_EC_POINT is not an uncompressed P-256 point.");
            }

            spki = SubjectPublicKeyInfoEncoding.FromEc(parameters, point);
        }
        else
        {
            throw new HsmException(HsmErrorCode.UnsupportedKey, $"Key type CKK 0x{keyType:X} is not used here.");
        }

        return new HsmKey(token, id.ToArray(), label, algorithm, spki, new CachedHandle(privateKey, token.HandleGeneration));
    }

    /// <summary>
    /// The private key's object handle for <paramref name="session"/>: the cached one unless sessions were lost since
    /// (handles may change after a logout, base §2.4), in which case the key is found again by CKA_ID.
    /// </summary>
    internal ulong GetPrivateHandle(SessionHandle session)
    {
        var cached = Volatile.Read(ref _privateHandle);
        return cached.Generation == Token.HandleGeneration ? cached.Handle : RefreshPrivateHandle(session);
    }

    /// <summary>Finds the private key again by CKA_ID and caches its handle.</summary>
    /// <exception cref="HsmException"><see cref="HsmErrorCode.KeyNotFound"/> when it was destroyed.</exception>
    internal ulong RefreshPrivateHandle(SessionHandle session)
    {
        var generation = Token.HandleGeneration;
        var handles = HsmToken.FindObjects(session, Ck.CKO_PRIVATE_KEY, _id, 2);
        if (handles.Length != 1)
        {
            // Note: private objects are invisible without a login (base §4.4), so an empty search in a session that lost
            //       its login must trigger re-login, not report the key as gone.
            var state = session.Module.GetSessionInfo(session.Value).state;
            if (state is not (Ck.CKS_RO_USER_FUNCTIONS or Ck.CKS_RW_USER_FUNCTIONS))
            {
                throw new Pkcs11Exception("C_FindObjects", CkReturnValue.CKR_USER_NOT_LOGGED_IN);
            }

            throw new HsmException(HsmErrorCode.KeyNotFound, "The private key with this CKA_ID is no longer on the token.");
        }

        Volatile.Write(ref _privateHandle, new CachedHandle(handles[0], generation));
        return handles[0];
    }

    private int SignCore(ulong mechanism, CK_RSA_PKCS_PSS_PARAMS pss, ReadOnlySpan<byte> input, Span<byte> destination)
    {
        if (destination.Length < SignatureLength)
        {
            throw new HsmException(HsmErrorCode.InvalidInput, $"The signature buffer must hold {SignatureLength} bytes.");
        }

        var state = new SignRequest { Key = this, Mechanism = mechanism, Pss = pss, Input = input, Output = destination };
        return Token.Execute(SignInSession, ref state);
    }

    private static unsafe int SignInSession(SessionHandle session, ref SignRequest request)
    {
        var functions = session.Module.Functions;
        var s = session.Value;
        var pss = request.Pss;
        var mechanism = new CK_MECHANISM { mechanism = request.Mechanism };
        if (request.Mechanism == Ck.CKM_RSA_PKCS_PSS)
        {
            mechanism.pParameter = &pss;
            mechanism.ulParameterLen = (ulong)sizeof(CK_RSA_PKCS_PSS_PARAMS);
        }

        // 1. C_SignInit with the private key (base §5.12). A stale handle (CKR_KEY_HANDLE_INVALID or
        //    CKR_OBJECT_HANDLE_INVALID) is looked up again by CKA_ID once.
        var key = request.Key.GetPrivateHandle(session);
        var rv = functions->C_SignInit(s, &mechanism, key);
        if (rv is CkReturnValue.CKR_KEY_HANDLE_INVALID or CkReturnValue.CKR_OBJECT_HANDLE_INVALID)
        {
            key = request.Key.RefreshPrivateHandle(session);
            rv = functions->C_SignInit(s, &mechanism, key);
        }

        CryptokiModule.Check(rv, "C_SignInit");

        // 2. C_Sign, single part, into a buffer known to be large enough (base §5.12): no length query round trip.
        var length = (ulong)request.Output.Length;
        byte empty = 0;
        fixed (byte* input = request.Input)
        fixed (byte* output = request.Output)
        {
            // Note: an empty span pins to NULL, which modules may refuse as CKR_ARGUMENTS_BAD even with length 0.
            rv = functions->C_Sign(s, input is null ? &empty : input, (ulong)request.Input.Length, output, &length);
        }

        CryptokiModule.Check(rv, "C_Sign");
        return (int)length;
    }

    private void RequireRsa(HsmSignatureMechanism mechanism)
    {
        if (!IsRsa)
        {
            throw Mismatch(mechanism);
        }
    }

    private HsmException Mismatch(HsmSignatureMechanism mechanism) =>
        new(HsmErrorCode.MechanismMismatch, $"Mechanism {mechanism} does not fit a {Algorithm} key.");

    private sealed record CachedHandle(ulong Handle, int Generation);

    private ref struct SignRequest
    {
        public HsmKey Key;
        public ulong Mechanism;
        public CK_RSA_PKCS_PSS_PARAMS Pss;
        public ReadOnlySpan<byte> Input;
        public Span<byte> Output;
    }
}
