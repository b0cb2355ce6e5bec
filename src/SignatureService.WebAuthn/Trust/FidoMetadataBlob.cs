using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Trust;

/// <summary>
/// A FIDO Metadata Service v3 BLOB whose JWS signature and x5c chain were verified against a configured root
/// (FIDO MDS v3 §3.2 "Metadata BLOB object processing rules"). Immutable; owns its certificates.
/// </summary>
public sealed class FidoMetadataBlob : IDisposable
{
    /// <summary>Largest accepted BLOB: 32 MiB of JWS text (production BLOBs are a few MiB).</summary>
    public const int MaxBlobLength = 32 * 1024 * 1024;

    private static readonly string[] AllowedJwsAlgorithms = ["ES256", "RS256", "PS256"];

    private readonly Dictionary<Guid, FidoMetadataEntry> _entries;

    private FidoMetadataBlob(long number, DateOnly nextUpdate, Dictionary<Guid, FidoMetadataEntry> entries)
    {
        Number = number;
        NextUpdate = nextUpdate;
        _entries = entries;
    }

    /// <summary>The BLOB serial number <c>no</c>; keep the highest seen, refuse lower ones (rollback).</summary>
    public long Number { get; }

    /// <summary>The <c>nextUpdate</c> date (UTC); after it the BLOB is stale.</summary>
    public DateOnly NextUpdate { get; }

    /// <summary>Entries keyed by AAGUID (entries without an AAGUID, i.e. UAF/U2F, are not kept).</summary>
    public IReadOnlyDictionary<Guid, FidoMetadataEntry> Entries => _entries;

    /// <summary>Whether the BLOB is past <see cref="NextUpdate"/> at <paramref name="now"/>.</summary>
    public bool IsStale(DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime) > NextUpdate;

    /// <summary>
    /// Verifies and parses a BLOB: compact JWS (alg ES256, RS256 or PS256) whose <c>x5c</c> header chains to
    /// <paramref name="metadataRoot"/> at <paramref name="now"/> (revocation of the MDS signer is not checked offline).
    /// </summary>
    /// <param name="jws">The BLOB text, at most <see cref="MaxBlobLength"/> characters.</param>
    /// <param name="metadataRoot">The configured FIDO MDS root certificate.</param>
    /// <param name="now">The verification time, from the injected <see cref="TimeProvider"/>.</param>
    /// <exception cref="WebAuthnException"><see cref="WebAuthnErrorCodes.MetadataInvalid"/> for a bad signature or chain,
    /// <see cref="WebAuthnErrorCodes.Malformed"/> for undecodable content.</exception>
    public static FidoMetadataBlob Verify(string jws, X509Certificate2 metadataRoot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(jws);
        ArgumentNullException.ThrowIfNull(metadataRoot);
        if (jws.Length > MaxBlobLength)
        {
            throw WebAuthnException.Malformed("Metadata BLOB too long.");
        }

        var parts = jws.Trim().Split('.');
        if (parts.Length != 3)
        {
            throw WebAuthnException.Malformed("Metadata BLOB is not a compact JWS.");
        }

        try
        {
            var headerJson = Base64Url.DecodeFromChars(parts[0]);
            var signature = Base64Url.DecodeFromChars(parts[2]);
            var signingInput = System.Text.Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            var options = new JsonDocumentOptions { MaxDepth = 32 };
            using var header = JsonDocument.Parse(headerJson, options);
            var alg = header.RootElement.GetProperty("alg").GetString();
            if (alg is null || !AllowedJwsAlgorithms.Contains(alg, StringComparer.Ordinal))
            {
                throw new WebAuthnException(WebAuthnErrorCodes.MetadataInvalid, "Metadata BLOB JWS algorithm not allowed.");
            }

            var chain = header.RootElement.GetProperty("x5c").EnumerateArray()
                .Select(e => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(e.GetString() ?? string.Empty)))
                .ToList();
            try
            {
                if (chain.Count == 0 || !BuildsTo(chain, metadataRoot, now) || !VerifyJws(alg, chain[0], signingInput, signature))
                {
                    throw new WebAuthnException(WebAuthnErrorCodes.MetadataInvalid, "Metadata BLOB signature or chain invalid.");
                }
            }
            finally
            {
                foreach (var certificate in chain)
                {
                    certificate.Dispose();
                }
            }

            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]), options);
            return FromPayload(payload.RootElement);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException
            or CryptographicException or DecoderFallbackException)
        {
            throw WebAuthnException.Malformed("Metadata BLOB content is malformed.", ex);
        }
    }

    /// <summary>Finds the entry for <paramref name="aaguid"/>.</summary>
    public bool TryGetEntry(Guid aaguid, out FidoMetadataEntry? entry) => _entries.TryGetValue(aaguid, out entry);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var entry in _entries.Values)
        {
            foreach (var root in entry.AttestationRoots)
            {
                root.Dispose();
            }
        }
    }

    private static FidoMetadataBlob FromPayload(JsonElement root)
    {
        var number = root.GetProperty("no").GetInt64();
        var nextUpdate = DateOnly.ParseExact(root.GetProperty("nextUpdate").GetString() ?? string.Empty, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var entries = new Dictionary<Guid, FidoMetadataEntry>();
        foreach (var item in root.GetProperty("entries").EnumerateArray())
        {
            if (!item.TryGetProperty("aaguid", out var aaguidElement) || aaguidElement.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            var aaguid = Guid.ParseExact(aaguidElement.GetString()!, "D");
            var statement = item.GetProperty("metadataStatement");
            var description = statement.TryGetProperty("description", out var d) ? d.GetString() ?? string.Empty : string.Empty;
            var roots = statement.TryGetProperty("attestationRootCertificates", out var r)
                ? r.EnumerateArray().Select(c => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(c.GetString() ?? string.Empty))).ToList()
                : [];
            var keyProtection = statement.TryGetProperty("keyProtection", out var k)
                ? k.EnumerateArray().Select(v => v.GetString() ?? string.Empty).ToList()
                : [];
            var statuses = item.TryGetProperty("statusReports", out var s)
                ? s.EnumerateArray().Select(v => v.GetProperty("status").GetString() ?? string.Empty).ToList()
                : [];
            entries[aaguid] = new FidoMetadataEntry(aaguid, description, roots, keyProtection, statuses);
        }

        return new FidoMetadataBlob(number, nextUpdate, entries);
    }

    private static bool BuildsTo(List<X509Certificate2> chain, X509Certificate2 root, DateTimeOffset now)
    {
        using var builder = new X509Chain();
        builder.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        builder.ChainPolicy.CustomTrustStore.Add(root);
        builder.ChainPolicy.ExtraStore.AddRange(chain.Skip(1).ToArray());
        builder.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        builder.ChainPolicy.DisableCertificateDownloads = true;
        builder.ChainPolicy.VerificationTime = now.UtcDateTime;
        return builder.Build(chain[0]);
    }

    // RFC 7515 §5.2 / RFC 7518 §3: ES256 signatures are r || s (IEEE P1363), not DER.
    private static bool VerifyJws(string alg, X509Certificate2 signer, byte[] input, byte[] signature)
    {
        if (alg == "ES256")
        {
            using var ecdsa = signer.GetECDsaPublicKey();
            return ecdsa is not null && ecdsa.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        using var rsa = signer.GetRSAPublicKey();
        return rsa is not null && rsa.KeySize >= 2048
            && rsa.VerifyData(input, signature, HashAlgorithmName.SHA256, alg == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
    }
}
