using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SignatureService.Api.Features.Hsm;
using SignatureService.Core.Errors;
using SignatureService.Core.Qualification;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Keys;
using SignatureService.Data.Pki;
using SignatureService.Pki.Certificates;
using SignatureService.Pki.Errors;

namespace SignatureService.Api.Features.Pki;

/// <summary>The names to certify (DOMAIN.md §2): romaji in Subject, kanji in subjectAltName; each 1–64 characters.</summary>
/// <param name="UserId">The signer (<c>users(id)</c>) with at least one verified license.</param>
/// <param name="FacilityRomaji">Subject O.</param>
/// <param name="FacilityKanji">subjectAltName O.</param>
/// <param name="NameRomaji">Subject CN.</param>
/// <param name="NameKanji">subjectAltName CN.</param>
public sealed record SignerCertificateInput(Guid UserId, string FacilityRomaji, string FacilityKanji, string NameRomaji, string NameKanji)
{
    /// <summary>Subject OU, "Director" for hospital and clinic directors; default none.</summary>
    public string? OrganizationalUnit { get; init; }
}

/// <summary>An issued signer certificate.</summary>
/// <param name="CertificateId">Row id in <c>certificates</c>.</param>
/// <param name="SerialNumber">Serial number (hex, upper case).</param>
/// <param name="HcRoles">hcRole texts in the certificate.</param>
/// <param name="KeyId">The signer's key in <c>hsm_keys</c>.</param>
/// <param name="Der">The DER certificate.</param>
public sealed record IssuedCertificate(Guid CertificateId, string SerialNumber, IReadOnlyList<string> HcRoles, Guid KeyId, byte[] Der);

/// <summary>
/// Issues a signer's HPKI signing certificate: a new key pair generated in the HSM for that signer (never exported), the
/// hcRoles taken from the signer's verified attributes whose registry license is still active, issued by the signing
/// sub-CA and stored with its key record and audit event in one transaction. The enrolment flow calls this.
/// </summary>
public sealed class IssueSignerCertificate(
    SignatureServiceDbContext db,
    HsmConnection hsm,
    CertificateAuthorities authorities,
    AuditTrail audit,
    IOptions<PkiOptions> options,
    TimeProvider time)
{
    /// <summary>Key purpose of signer keys in <c>hsm_keys</c>.</summary>
    public const string SignerKeyPurpose = "signer";

    /// <summary>Issues the certificate.</summary>
    /// <exception cref="ServiceException">400 invalid names, 404 unknown user, 409 <c>certificate.signer-not-qualified</c> or <c>pki.ca-not-initialized</c>.</exception>
    public async Task<IssuedCertificate> IssueAsync(SignerCertificateInput input, AuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var hierarchy = await authorities.RequireAsync(cancellationToken);
        if (!await db.Users.AnyAsync(u => u.Id == input.UserId, cancellationToken))
        {
            throw new ServiceException(ErrorCatalogue.NotFound, "No user with this id.");
        }

        var roleTexts = await (
                from a in db.SignerAttributes
                join l in db.Licenses on a.LicenseId equals l.Id
                where a.UserId == input.UserId && l.Status == "active"
                orderby a.VerifiedAt
                select a.HcRole)
            .ToListAsync(cancellationToken);
        var roles = roleTexts.Select(t => HcRole.TryParse(t, out var role) ? role : null).OfType<HcRole>().Distinct().ToList();
        if (roles.Count == 0)
        {
            throw new ServiceException(ErrorCatalogue.SignerNotQualified);
        }

        var o = options.Value;
        var signingCa = hierarchy.Get("signing");
        var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        var profile = new SigningCertificateProfile(
            new HpkiSubject(input.FacilityRomaji, input.NameRomaji, input.UserId.ToString("N").ToUpperInvariant(), input.FacilityKanji, input.NameKanji)
            {
                OrganizationalUnit = input.OrganizationalUnit,
            },
            roles,
            new RevocationEndpoints(o.CrlUrl("signing"), o.OcspUrl, o.CaUrl("signing")))
        {
            NotBefore = now,
            Validity = InitializeCertificateAuthority.Years(now, o.EndEntityYears),
            PolicyOid = o.SigningPolicyOid,
        };

        // Note: names are checked before a key is generated, so bad input leaves nothing behind in the token.
        try
        {
            _ = HpkiCertificateBuilder.SubjectName(profile.Subject);
        }
        catch (PkiException ex)
        {
            throw new ServiceException(ErrorCatalogue.ValidationFailed, ex.Message);
        }

        var token = hsm.RequireToken();
        var id = RandomNumberGenerator.GetBytes(16);
        var label = $"{SignerKeyPurpose}/{input.UserId:N}/{Convert.ToHexString(id)}";
        var key = token.GenerateKeyPair(o.KeyAlgorithm, label, id);
        try
        {
            var certificate = new HpkiCertificateBuilder(time).CreateSigningCertificate(
                profile, InitializeCertificateAuthority.PublicKeyOf(key), signingCa.Credential);
            var keyRecord = new HsmKeyRecord
            {
                Id = Guid.CreateVersion7(),
                Purpose = SignerKeyPurpose,
                Label = label,
                CkId = id,
                Algorithm = key.Algorithm.ToString(),
                PublicKeySpki = key.SubjectPublicKeyInfo,
                CreatedAt = now,
            };
            db.HsmKeys.Add(keyRecord);
            var row = InitializeCertificateAuthority.CertificateRow(signingCa.Id, CertificateKinds.Signer, certificate, keyRecord.Id,
                input.UserId, string.Join("; ", roles.Select(r => r.Text)), now);
            db.Certificates.Add(row);
            var serial = CertificateStatusChanges.Hex(row.SerialNumber);
            audit.Record(db, actor, "certificate.issued", "certificate", serial,
                new { userId = input.UserId, hcRoles = roles.Select(r => r.Text), ca = signingCa.Name, keyLabel = label, notAfter = row.NotAfter });
            await db.SaveChangesAsync(cancellationToken);
            return new IssuedCertificate(row.Id, serial, [.. roles.Select(r => r.Text)], keyRecord.Id, certificate.RawData);
        }
        catch (PkiException ex)
        {
            token.DestroyKey(id);
            throw new ServiceException(ErrorCatalogue.ValidationFailed, ex.Message);
        }
        catch
        {
            token.DestroyKey(id);
            throw;
        }
    }
}
