using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace SignatureService.WebAuthn.Tests;

/// <summary>An entry to put into a test metadata BLOB.</summary>
internal sealed record TestMetadataEntry(Guid Aaguid, X509Certificate2 Root, string[] KeyProtection, string[] Statuses);

/// <summary>
/// A stand-in for the FIDO Metadata Service: its own root CA and a signing leaf that signs BLOBs as compact JWS
/// (ES256, x5c header), following FIDO MDS v3 §3.1.7.
/// </summary>
internal sealed class TestMetadataService : IDisposable
{
    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _signerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestMetadataService()
    {
        var notBefore = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var notAfter = new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var rootRequest = new CertificateRequest("CN=Test MDS Root, O=SignatureService Tests, C=JP", _rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using (var root = rootRequest.CreateSelfSigned(notBefore, notAfter))
        {
            Root = X509CertificateLoader.LoadCertificate(root.RawData);
        }

        var signerRequest = new CertificateRequest("CN=Test MDS BLOB Signer, O=SignatureService Tests, C=JP", _signerKey, HashAlgorithmName.SHA256);
        signerRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        signerRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        Signer = signerRequest.Create(Root.SubjectName, X509SignatureGenerator.CreateForECDsa(_rootKey), notBefore, notAfter, [1, 2, 3, 4]);
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Signer { get; }

    public string CreateBlob(long number, DateOnly nextUpdate, params TestMetadataEntry[] entries)
    {
        var payload = new
        {
            legalHeader = "test",
            no = number,
            nextUpdate = nextUpdate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            entries = entries.Select(e => new
            {
                aaguid = e.Aaguid.ToString("D"),
                metadataStatement = new
                {
                    description = "Test authenticator " + e.Aaguid.ToString("N")[..8],
                    aaguid = e.Aaguid.ToString("D"),
                    protocolFamily = "fido2",
                    schema = 3,
                    attestationTypes = new[] { "basic_full" },
                    keyProtection = e.KeyProtection,
                    attestationRootCertificates = new[] { Convert.ToBase64String(e.Root.RawData) },
                },
                statusReports = e.Statuses.Select(s => new { status = s, effectiveDate = "2025-01-01" }).ToArray(),
                timeOfLastStatusChange = "2025-01-01",
            }).ToArray(),
        };
        var header = new { alg = "ES256", typ = "JWT", x5c = new[] { Convert.ToBase64String(Signer.RawData) } };
        var signingInput = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(header)) + "."
            + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signature = _signerKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose()
    {
        _rootKey.Dispose();
        _signerKey.Dispose();
        Root.Dispose();
        Signer.Dispose();
    }
}
