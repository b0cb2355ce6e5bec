using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.WebAuthn.Attestation;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Trust;

/// <summary>
/// W3C WebAuthn L3 §7.1 steps 23-24: find trust anchors for the attestation type and AAGUID (allow-list, then the MDS
/// BLOB) and assess the statement. Refusals are the codes of <see cref="WebAuthnErrorCodes"/>.
/// </summary>
internal sealed class AttestationTrustEvaluator(AttestationTrustOptions options)
{
    public AttestationTrust Evaluate(AttestationStatementResult statement, Guid aaguid, DateTimeOffset now)
    {
        try
        {
            return EvaluateStrict(statement, aaguid, now);
        }
        catch (WebAuthnException ex) when (!options.RequireTrustedAttestation)
        {
            return new AttestationTrust(false, AttestationTrustSource.None, null, ex.Code);
        }
    }

    private AttestationTrust EvaluateStrict(AttestationStatementResult statement, Guid aaguid, DateTimeOffset now)
    {
        switch (statement.Type)
        {
            case AttestationType.None:
                throw new WebAuthnException(WebAuthnErrorCodes.AttestationNoneRefused, "Attestation 'none' is refused.");
            case AttestationType.Self:
                throw new WebAuthnException(WebAuthnErrorCodes.SelfAttestationRefused, "Self attestation is refused.");
            default:
                break;
        }

        // Note: a revocation or compromise reported by the metadata service overrides the allow-list, even from a
        // stale BLOB: an operator's earlier vetting cannot outweigh a later compromise report.
        var metadata = options.Metadata;
        FidoMetadataEntry? entry = null;
        if (metadata is not null && metadata.TryGetEntry(aaguid, out entry) && entry is not null && entry.IsRefused)
        {
            throw new WebAuthnException(WebAuthnErrorCodes.AuthenticatorRevoked, "Metadata reports the authenticator revoked or compromised.");
        }

        var listed = options.AllowList.FirstOrDefault(a => a.Aaguid == aaguid);
        if (listed is not null)
        {
            RequireChain(statement.TrustPath, listed.AttestationRoots, now);
            return new AttestationTrust(true, AttestationTrustSource.AllowList, listed.Description, null);
        }

        if (metadata is not null && entry is not null)
        {
            if (metadata.IsStale(now))
            {
                throw new WebAuthnException(WebAuthnErrorCodes.MetadataStale, "Metadata BLOB is past nextUpdate.");
            }

            if (!entry.IsHardwareBound)
            {
                throw new WebAuthnException(WebAuthnErrorCodes.AuthenticatorNotHardwareBound, "Metadata does not show hardware key protection.");
            }

            RequireChain(statement.TrustPath, entry.AttestationRoots, now);
            return new AttestationTrust(true, AttestationTrustSource.MetadataService, entry.Description, null);
        }

        if (metadata is not null && metadata.IsStale(now))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.MetadataStale, "Metadata BLOB is past nextUpdate.");
        }

        throw new WebAuthnException(WebAuthnErrorCodes.UnknownAaguid, "AAGUID is neither allow-listed nor in the metadata.");
    }

    private static void RequireChain(IReadOnlyList<X509Certificate2> trustPath, IReadOnlyList<X509Certificate2> roots, DateTimeOffset now)
    {
        if (trustPath.Count == 0 || roots.Count == 0)
        {
            throw new WebAuthnException(WebAuthnErrorCodes.AttestationUntrusted, "No trust path or no roots.");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(trustPath.Skip(1).ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        bool built;
        try
        {
            built = chain.Build(trustPath[0]);
        }
        catch (CryptographicException)
        {
            built = false;
        }

        if (!built && !IsSelfIssuedUnderPinnedKey(chain, trustPath, roots))
        {
            throw new WebAuthnException(WebAuthnErrorCodes.AttestationUntrusted, "Attestation chain does not build to a trusted root at the verification time.");
        }
    }

    // Note: some authenticators (Chromium's virtual authenticator among them) send a self-issued attestation certificate
    // (CA=false) that they re-sign at every registration, so its bytes never equal a pinned certificate. .NET treats such a
    // leaf as its own root and never looks at the custom store (OpenSSL's `verify -CAfile` accepts it). It is trusted here
    // only when the engine found nothing wrong but the untrusted root, and a configured CA root has the leaf's exact
    // subject and public key: then the self-signature the engine verified was made by the pinned key.
    private static bool IsSelfIssuedUnderPinnedKey(X509Chain chain, IReadOnlyList<X509Certificate2> trustPath, IReadOnlyList<X509Certificate2> roots)
    {
        var leaf = trustPath[0];
        if (trustPath.Count != 1 || chain.ChainElements.Count != 1
            || chain.ChainStatus.Any(s => s.Status != X509ChainStatusFlags.UntrustedRoot)
            || !leaf.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData))
        {
            return false;
        }

        var leafKey = leaf.PublicKey.ExportSubjectPublicKeyInfo();
        return roots.Any(root =>
            root.SubjectName.RawData.AsSpan().SequenceEqual(leaf.SubjectName.RawData)
            && root.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(leafKey)
            && root.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority));
    }
}
