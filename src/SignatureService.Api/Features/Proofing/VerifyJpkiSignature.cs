using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Verification;
using SignatureService.Core.Errors;
using SignatureService.Data.Proofing;
using SignatureService.Pki.Revocation;

namespace SignatureService.Api.Features.Proofing;

/// <summary>
/// The online route with the My Number card (issue 5 item 1): the applicant signs the application's signing input with the
/// JPKI signing certificate of the card; the service verifies the detached CMS signature and the certificate's chain to the
/// configured JPKI roots (<see cref="ProofingOptions.JpkiRootPemFiles"/>). Pure verification; the caller records the evidence.
/// </summary>
/// <remarks>
/// The JPKI CRL of J-LIS is reached only through a platform contract, so revocation is checked against the CRL files the operator
/// keeps current (<see cref="ProofingOptions.JpkiCrlFiles"/>): a listed certificate is refused, and without a current CRL the
/// signature is not accepted. With no CRL files configured, revocation is left to the operator's own check. Time validity is
/// checked at the verification time.
/// </remarks>
public sealed class VerifyJpkiSignature(IOptions<ProofingOptions> options, TimeProvider time)
{
    /// <summary>Largest accepted CMS, in bytes.</summary>
    public const int MaxCmsBytes = 32 * 1024;

    private readonly CrlFiles _crls = new(options.Value.JpkiCrlFiles);

    private readonly Lazy<X509Certificate2Collection> _roots = new(() =>
    {
        var roots = new X509Certificate2Collection();
        foreach (var file in options.Value.JpkiRootPemFiles)
        {
            roots.ImportFromPemFile(file);
        }

        return roots;
    });

    /// <summary>
    /// The exact bytes the applicant signs: the application id and the facts to be attested, one <c>name=value</c> per line (UTF-8, LF).
    /// </summary>
    public static byte[] SigningInput(ProofingApplicationRecord application)
    {
        ArgumentNullException.ThrowIfNull(application);
        var text = new StringBuilder()
            .Append("SignatureService identity proofing application v1\n")
            .Append("id=").Append(application.Id.ToString("D")).Append('\n')
            .Append("familyName=").Append(application.FamilyName).Append('\n')
            .Append("givenName=").Append(application.GivenName).Append('\n')
            .Append("dateOfBirth=").Append(application.DateOfBirth?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).Append('\n')
            .Append("sex=").Append(application.Sex).Append('\n')
            .Append("address=").Append(application.Address).Append('\n')
            .Append("profession=").Append(application.Profession).Append('\n')
            .Append("licenseNumber=").Append(application.LicenseNumber).Append('\n');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Verifies <paramref name="cms"/> (DER, detached) over <paramref name="signingInput"/>; returns the signer certificate.</summary>
    /// <exception cref="ServiceException">400 <c>proofing.jpki-signature-invalid</c> (also for a revoked certificate); 409
    /// <c>proofing.jpki-not-configured</c> or <c>proofing.jpki-revocation-unknown</c>.</exception>
    public X509Certificate2 Verify(byte[] signingInput, byte[] cms)
    {
        ArgumentNullException.ThrowIfNull(signingInput);
        ArgumentNullException.ThrowIfNull(cms);
        if (_roots.Value.Count == 0)
        {
            throw new ServiceException(ErrorCatalogue.ProofingJpkiNotConfigured);
        }

        var signed = new SignedCms(new ContentInfo(signingInput), detached: true);
        try
        {
            signed.Decode(cms);
            if (signed.SignerInfos.Count != 1)
            {
                throw new ServiceException(ErrorCatalogue.ProofingJpkiSignatureInvalid, "Exactly one signer is expected.");
            }

            signed.CheckSignature(verifySignatureOnly: true);
        }
        catch (CryptographicException)
        {
            throw new ServiceException(ErrorCatalogue.ProofingJpkiSignatureInvalid, "The CMS signature does not verify over the application.");
        }

        var certificate = signed.SignerInfos[0].Certificate
                          ?? throw new ServiceException(ErrorCatalogue.ProofingJpkiSignatureInvalid, "The signer certificate is missing.");
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots.Value);
        chain.ChainPolicy.ExtraStore.AddRange(signed.Certificates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (!chain.Build(certificate))
        {
            throw new ServiceException(ErrorCatalogue.ProofingJpkiSignatureInvalid, "The signer certificate does not chain to a configured JPKI root.");
        }

        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is not null && (usage.KeyUsages & (X509KeyUsageFlags.NonRepudiation | X509KeyUsageFlags.DigitalSignature)) == 0)
        {
            throw new ServiceException(ErrorCatalogue.ProofingJpkiSignatureInvalid, "The certificate is not a signing certificate.");
        }

        if (_crls.IsConfigured)
        {
            var issuers = chain.ChainElements.Skip(1).Select(e => e.Certificate).ToList();
            var status = RevocationCheck.Evaluate(certificate, time.GetUtcNow(), _crls.Current(), issuers);
            if (status.Outcome == RevocationOutcome.Revoked)
            {
                throw new ServiceException(ErrorCatalogue.ProofingJpkiSignatureInvalid, "The JPKI signing certificate is revoked: " + status.Detail);
            }

            if (status.Outcome == RevocationOutcome.Unknown)
            {
                throw new ServiceException(ErrorCatalogue.ProofingJpkiRevocationUnknown, status.Detail);
            }
        }

        return certificate;
    }
}
