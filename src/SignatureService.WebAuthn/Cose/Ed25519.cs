using System.Numerics;
using System.Security.Cryptography;

namespace SignatureService.WebAuthn.Cose;

/// <summary>
/// Ed25519 signature verification after RFC 8032 §5.1.7 (pure Ed25519, no context), because .NET 10 ships no
/// Ed25519 class. Verification handles only public data, so it need not be constant-time. Thread-safe (stateless).
/// </summary>
public static class Ed25519
{
    /// <summary>Length in bytes of an encoded public key (RFC 8032 §5.1.5).</summary>
    public const int PublicKeyLength = 32;

    /// <summary>Length in bytes of a signature (RFC 8032 §5.1.6).</summary>
    public const int SignatureLength = 64;

    // RFC 8032 §5.1: p = 2^255 - 19, d = -121665/121666, L = 2^252 + 27742317777372353535851937790883648493.
    private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;
    private static readonly BigInteger D = Mod(-121665 * Inverse(121666));
    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly BigInteger SqrtMinusOne = BigInteger.ModPow(2, (P - 1) / 4, P);
    private static readonly Point BasePoint = CreateBasePoint();

    /// <summary>Verifies an Ed25519 signature.</summary>
    /// <param name="publicKey">The 32-byte encoded public key A.</param>
    /// <param name="message">The signed message (any length).</param>
    /// <param name="signature">The 64-byte signature R || S.</param>
    /// <returns><c>true</c> only if the signature is valid; malformed keys or signatures return <c>false</c>.</returns>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeyLength || signature.Length != SignatureLength)
        {
            return false;
        }

        // 1. Decode A and R as points and S as an integer; reject S >= L (RFC 8032 §5.1.7 step 1).
        if (!TryDecodePoint(publicKey, out var a))
        {
            return false;
        }

        var rBytes = signature[..32];
        if (!TryDecodePoint(rBytes, out _))
        {
            return false;
        }

        var s = new BigInteger(signature[32..], isUnsigned: true, isBigEndian: false);
        if (s >= L)
        {
            return false;
        }

        // 2. k = SHA-512(dom2(F, C) || R || A || PH(M)) mod L; for Ed25519 dom2 is empty and PH the identity.
        var hashInput = new byte[64 + message.Length];
        rBytes.CopyTo(hashInput);
        publicKey.CopyTo(hashInput.AsSpan(32));
        message.CopyTo(hashInput.AsSpan(64));
        var k = new BigInteger(SHA512.HashData(hashInput), isUnsigned: true, isBigEndian: false) % L;

        // 3. Check [S]B = R + [k]A, as encode([S]B - [k]A) == R: comparing encodings also refuses non-canonical R.
        var check = Add(Multiply(BasePoint, s), Negate(Multiply(a, k)));
        Span<byte> encoded = stackalloc byte[32];
        Encode(check, encoded);
        return CryptographicOperations.FixedTimeEquals(encoded, rBytes);
    }

    private static BigInteger Mod(BigInteger x)
    {
        var r = x % P;
        return r.Sign < 0 ? r + P : r;
    }

    private static BigInteger Inverse(BigInteger x) => BigInteger.ModPow(Mod(x), P - 2, P);

    // RFC 8032 §5.1.3: decoding a point.
    private static bool TryDecodePoint(ReadOnlySpan<byte> encoded, out Point point)
    {
        point = default;
        Span<byte> copy = stackalloc byte[32];
        encoded.CopyTo(copy);
        var sign = (copy[31] & 0x80) != 0;
        copy[31] &= 0x7F;
        var y = new BigInteger(copy, isUnsigned: true, isBigEndian: false);
        if (y >= P)
        {
            return false;
        }

        var y2 = y * y % P;
        var u = Mod(y2 - 1);
        var v = Mod(D * y2 + 1);
        var x = BigInteger.ModPow(u * Inverse(v) % P, (P + 3) / 8, P);
        var vx2 = v * x % P * x % P;
        if (vx2 != u)
        {
            if (vx2 == Mod(-u))
            {
                x = x * SqrtMinusOne % P;
            }
            else
            {
                return false;
            }
        }

        if (x.IsZero && sign)
        {
            return false;
        }

        if (x.IsEven == sign)
        {
            x = P - x;
        }

        point = new Point(x, y, 1, x * y % P);
        return true;
    }

    private static void Encode(Point point, Span<byte> destination)
    {
        var zInverse = Inverse(point.Z);
        var x = point.X * zInverse % P;
        var y = point.Y * zInverse % P;
        destination.Clear();
        y.TryWriteBytes(destination, out _, isUnsigned: true, isBigEndian: false);
        if (!x.IsEven)
        {
            destination[31] |= 0x80;
        }
    }

    // RFC 8032 §5.1.4: addition in extended homogeneous coordinates (complete for twisted Edwards with a = -1).
    private static Point Add(Point p, Point q)
    {
        var a = Mod((p.Y - p.X) * (q.Y - q.X));
        var b = Mod((p.Y + p.X) * (q.Y + q.X));
        var c = Mod(2 * p.T * q.T * D);
        var d = Mod(2 * p.Z * q.Z);
        var e = Mod(b - a);
        var f = Mod(d - c);
        var g = Mod(d + c);
        var h = Mod(b + a);
        return new Point(e * f % P, g * h % P, f * g % P, e * h % P);
    }

    private static Point Negate(Point p) => new(Mod(-p.X), p.Y, p.Z, Mod(-p.T));

    private static Point Multiply(Point p, BigInteger scalar)
    {
        var result = new Point(0, 1, 1, 0);
        var addend = p;
        while (!scalar.IsZero)
        {
            if (!scalar.IsEven)
            {
                result = Add(result, addend);
            }

            addend = Add(addend, addend);
            scalar >>= 1;
        }

        return result;
    }

    private static Point CreateBasePoint()
    {
        // RFC 8032 §5.1: B = (x, 4/5) with x positive (even).
        var y = Mod(4 * Inverse(5));
        Span<byte> encoded = stackalloc byte[32];
        y.TryWriteBytes(encoded, out _, isUnsigned: true, isBigEndian: false);
        return TryDecodePoint(encoded, out var b) ? b : throw new InvalidOperationException("Ed25519 base point.");
    }

    private readonly record struct Point(BigInteger X, BigInteger Y, BigInteger Z, BigInteger T);
}
