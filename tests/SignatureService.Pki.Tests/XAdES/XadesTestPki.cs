using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Pki.XAdES;

namespace SignatureService.Pki.Tests.XAdES;

/// <summary>
/// A throw-away PKI per test class: a signing CA and signer (made with .NET's CertificateRequest, keyUsage nonRepudiation
/// like HPKI), a CRL, and an independent TSA run by <c>openssl ts</c> with its own CA. Files live in a temp folder.
/// </summary>
public sealed class XadesTestPki : IDisposable
{
    public XadesTestPki()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("xades-test-").FullName;
        CaKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Test HPKI Signing CA, O=SignatureService Test, C=JP", CaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        CaCertificate = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));

        SignerKey = RSA.Create(2048);
        SignerCertificate = IssueSigner("CN=Taro Test, O=Test Clinic, C=JP", SignerKey, X509KeyUsageFlags.NonRepudiation, 2);
        OtherKey = RSA.Create(2048);
        AuthenticationCertificate = IssueSigner("CN=Taro Test Auth, O=Test Clinic, C=JP", OtherKey, X509KeyUsageFlags.DigitalSignature, 3);

        var crl = new CertificateRevocationListBuilder();
        Crl = crl.Build(CaCertificate, BigInteger.One, now.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, now);

        File.WriteAllText(Path.Combine(Directory, "ca.pem"), CaCertificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Directory, "signer.pem"), SignerCertificate.ExportCertificatePem());
        CreateTsa();
        TsaCaCertificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Directory, "tsaca.crt"));
        TsaCertificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Directory, "tsa.crt"));
        TimestampSource = new OpenSslTimestampSource(Directory);
    }

    public string Directory { get; }

    public RSA CaKey { get; }

    public X509Certificate2 CaCertificate { get; }

    public RSA SignerKey { get; }

    public X509Certificate2 SignerCertificate { get; }

    public RSA OtherKey { get; }

    /// <summary>Same key as <see cref="OtherKey"/>, keyUsage digitalSignature only (an authentication certificate).</summary>
    public X509Certificate2 AuthenticationCertificate { get; }

    public byte[] Crl { get; }

    public X509Certificate2 TsaCaCertificate { get; }

    public X509Certificate2 TsaCertificate { get; }

    public OpenSslTimestampSource TimestampSource { get; }

    public XadesUpgradeMaterial Material => new()
    {
        SignerValues = XadesValidationValues.From([CaCertificate], [Crl]),
        SignatureTimestampValues = XadesValidationValues.From([TsaCaCertificate]),
        ArchiveTimestampValues = XadesValidationValues.From([TsaCaCertificate]),
    };

    public string PathOf(string name) => Path.Combine(Directory, name);

    public void Dispose()
    {
        CaKey.Dispose();
        SignerKey.Dispose();
        OtherKey.Dispose();
        TimestampSource.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private X509Certificate2 IssueSigner(string subject, RSA key, X509KeyUsageFlags usage, long serial)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(CaCertificate, true, false));
        var now = DateTimeOffset.UtcNow;
        return request.Create(CaCertificate, now.AddHours(-1), now.AddYears(5), new BigInteger(serial).ToByteArray(isUnsigned: true, isBigEndian: true));
    }

    private void CreateTsa()
    {
        File.WriteAllText(PathOf("tsa-ext.cnf"),
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=critical,timeStamping\n");
        File.WriteAllText(PathOf("tsa.cnf"), $"""
            [ tsa ]
            default_tsa = tsa_config
            [ tsa_config ]
            dir = {Directory}
            serial = $dir/tsaserial
            crypto_device = builtin
            signer_cert = $dir/tsa.crt
            certs = $dir/tsaca.crt
            signer_key = $dir/tsa.key
            signer_digest = sha256
            default_policy = 1.2.3.4.1
            digests = sha256
            accuracy = secs:1
            ordering = no
            tsa_name = no
            ess_cert_id_chain = no
            ess_cert_id_alg = sha256
            """);
        File.WriteAllText(PathOf("tsaserial"), "01\n");
        ExternalTool.MustSucceed("openssl", Directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsaca.key", "-out", "tsaca.crt",
            "-subj", "/C=JP/O=SignatureService Test/CN=Test TSA CA", "-days", "3650",
            "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        ExternalTool.MustSucceed("openssl", Directory, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
            "-subj", "/C=JP/O=SignatureService Test/CN=Test TSA");
        ExternalTool.MustSucceed("openssl", Directory, "x509", "-req", "-in", "tsa.csr", "-CA", "tsaca.crt", "-CAkey", "tsaca.key",
            "-set_serial", "4096", "-out", "tsa.crt", "-days", "3650", "-extfile", "tsa-ext.cnf");
    }
}

/// <summary>An RFC 3161 TSA backed by <c>openssl ts -query / -reply</c>: independent of the code under test.</summary>
public sealed class OpenSslTimestampSource(string directory) : IXadesTimestampSource, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public int Requests { get; private set; }

    public void Dispose() => _gate.Dispose();

    public async Task<byte[]> GetTimestampTokenAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Requests++;
            var name = $"req{Requests}";
            await File.WriteAllBytesAsync(Path.Combine(directory, name + ".bin"), data.ToArray(), cancellationToken);
            ExternalTool.MustSucceed("openssl", directory, "ts", "-query", "-data", name + ".bin", "-sha256", "-cert", "-out", name + ".tsq");
            ExternalTool.MustSucceed("openssl", directory, "ts", "-reply", "-config", "tsa.cnf", "-queryfile", name + ".tsq",
                "-token_out", "-out", name + ".tok");
            return await File.ReadAllBytesAsync(Path.Combine(directory, name + ".tok"), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }
}
