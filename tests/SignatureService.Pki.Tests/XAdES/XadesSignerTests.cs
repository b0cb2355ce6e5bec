using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using SignatureService.Pki.XAdES;

namespace SignatureService.Pki.Tests.XAdES;

public sealed class XadesSignerTests(XadesTestPki pki) : IClassFixture<XadesTestPki>
{
    private static readonly DateTimeOffset SigningTime = DateTimeOffset.UtcNow.AddMinutes(-1);

    private readonly XadesSigner _signer = new(new FixedTimeProvider(SigningTime));

    public static TheoryData<XadesDocumentType> DocumentTypes => [XadesDocumentType.Prescription, XadesDocumentType.Dispensing, XadesDocumentType.DeathCertificate];

    [Theory]
    [MemberData(nameof(DocumentTypes))]
    public void Sign_EachDocumentType_OwnVerifierAcceptsEsBes(XadesDocumentType type)
    {
        var signed = _signer.Sign(Unsigned(type), type, pki.SignerKey, pki.SignerCertificate);

        var report = new XadesVerifier().Verify(signed);
        var profile = XadesDocumentProfile.For(type);
        var ours = report.Signature(profile.SignatureId);
        Assert.NotNull(ours);
        Assert.Equal(XadesLevel.Bes, ours.Level);
        Assert.Equal(type, ours.DocumentType);
        Assert.Equal(XadesCheckStatus.Passed, ours.Outcome);
        Assert.Equal(3, ours.Results(XadesCheckNames.ReferenceDigest).Count(r => r.Status == XadesCheckStatus.Passed));
        Assert.Equal("#" + profile.DataId, ours.Results(XadesCheckNames.ReferenceDigest).First().Target);
        Assert.Equal(SigningTime.ToUnixTimeSeconds(), ours.SigningTime!.Value.ToUnixTimeSeconds());
        Assert.True(report.IsValid, string.Join("; ", report.Signatures.SelectMany(s => s.Checks).Select(c => $"{c.Check}:{c.Code}")));
    }

    [Theory]
    [MemberData(nameof(DocumentTypes))]
    public void Sign_EachDocumentType_LeavesEveryOtherByteUnchanged(XadesDocumentType type)
    {
        var unsigned = Unsigned(type);

        var signed = _signer.Sign(unsigned, type, pki.SignerKey, pki.SignerCertificate);

        var profile = XadesDocumentProfile.For(type);
        var text = Encoding.UTF8.GetString(signed);
        var start = text.IndexOf($"<{profile.SignElementName}>", StringComparison.Ordinal);
        var endTag = $"</{profile.SignElementName}>";
        var end = text.IndexOf(endTag, start, StringComparison.Ordinal) + endTag.Length;
        Assert.True(start > 0);
        Assert.Equal(unsigned, Encoding.UTF8.GetBytes(text[..start] + text[end..]));
    }

    [Fact]
    public void Sign_Prescription_MatchesSampleProfileShape()
    {
        var signed = Encoding.UTF8.GetString(_signer.Sign(UnsignedDocuments.Prescription(), XadesDocumentType.Prescription, pki.SignerKey, pki.SignerCertificate));

        // The MEDIS sample's element sequence with Ids and values masked must be ours too.
        Assert.Equal(Shape(Encoding.UTF8.GetString(TestFiles.Read("Prescription-004_01.xml")), "xa:SignatureTimeStamp"), Shape(signed, "xa:SignatureTimeStamp"));
        Assert.Contains("</AdditionalPrescriptionInformation><PrescriptionSign><xs:Signature xmlns:xs=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"PrescriptionSign\">", signed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(XadesDocumentType.Prescription, "PrescriptionDocument")]
    [InlineData(XadesDocumentType.Dispensing, "Dispensing")]
    [InlineData(XadesDocumentType.DeathCertificate, "DeathCertificateDocument")]
    public void Sign_XmlSec1_VerifiesXmlDsigCoreAgainstTestCa(XadesDocumentType type, string dataElement)
    {
        var signed = _signer.Sign(Unsigned(type), type, pki.SignerKey, pki.SignerCertificate);
        var file = pki.PathOf($"signed-{type}.xml");
        File.WriteAllBytes(file, signed);

        var result = XmlSec1Verify(file, dataElement, XadesDocumentProfile.For(type).SignatureId);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("SignedInfo References (ok/all): 3/3", result.StandardError + result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_AncestorXmlLangAndDefaultNamespace_OwnVerifierAndXmlSec1Accept()
    {
        var xml = Encoding.UTF8.GetString(UnsignedDocuments.DeathCertificate())
            .Replace("<Document xmlns:xsi", "<Document xmlns=\"urn:test:death\" xml:lang=\"ja\" xmlns:xsi", StringComparison.Ordinal);
        var signed = _signer.Sign(Encoding.UTF8.GetBytes(xml), XadesDocumentType.DeathCertificate, pki.SignerKey, pki.SignerCertificate);
        var file = pki.PathOf("death-ns.xml");
        File.WriteAllBytes(file, signed);

        var result = XmlSec1Verify(file, "urn:test:death:DeathCertificateDocument", "DeathCertificateSign");

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.True(new XadesVerifier().Verify(signed).IsValid);
    }

    // Decoys for the end-tag shortcut (a single match of the parent's end tag is taken without a second parse): text where
    // "</DeathCertificate>" is not the signed element's parent's end tag, a name that only starts the same, and an end tag
    // with whitespace. Each must get the signature right before the real end tag.
    public static TheoryData<string, string, string> EndTagDecoys => new()
    {
        { "comment after the root", "</Document>\n", "</Document>\n<!-- </DeathCertificate> -->\n" },
        { "comment inside the signed element", "<Deceased>", "<!-- </DeathCertificate> --><Deceased>" },
        { "CDATA inside the signed element", "<Sex>1</Sex>", "<Sex><![CDATA[</DeathCertificate>]]>1</Sex>" },
        { "processing instruction before the parent", "  <DeathCertificate>\n", "<?note </DeathCertificate>?>\n  <DeathCertificate>\n" },
        { "a second element of the parent's name", "<Death>", "<DeathCertificate>x</DeathCertificate><Death>" },
        { "whitespace in the end tag", "  </DeathCertificate>\n", "  </DeathCertificate\n >\n" },
        { "a longer name with the same start", "<Death>", "<DeathCertificateX>x</DeathCertificateX><Death>" },
    };

    [Theory]
    [MemberData(nameof(EndTagDecoys))]
    public void Sign_EndTagDecoys_InsertsBeforeTheRealEndTagAndVerifies(string label, string find, string replace)
    {
        var text = Encoding.UTF8.GetString(UnsignedDocuments.DeathCertificate());
        Assert.Contains(find, text, StringComparison.Ordinal);
        var unsigned = text.Replace(find, replace, StringComparison.Ordinal);

        var signed = Encoding.UTF8.GetString(_signer.Sign(Encoding.UTF8.GetBytes(unsigned), XadesDocumentType.DeathCertificate, pki.SignerKey, pki.SignerCertificate));

        var start = signed.IndexOf("<DeathCertificateSign>", StringComparison.Ordinal);
        var end = signed.IndexOf("</DeathCertificateSign>", StringComparison.Ordinal) + "</DeathCertificateSign>".Length;
        Assert.True(start > 0, label);
        Assert.Equal(unsigned, signed[..start] + signed[end..]);
        Assert.Matches(@"^</DeathCertificate\s*>\s*</Document>", signed[end..]);
        Assert.True(new XadesVerifier().Verify(Encoding.UTF8.GetBytes(signed)).IsValid, label);
    }

    [Theory]
    [InlineData("<a><b></b></a>", "b", 6)]
    [InlineData("<a><b></b ></a>", "b", 6)]
    [InlineData("<a><b></b><b></b></a>", "b", null)]
    [InlineData("<a><bc></bc></a>", "b", null)]
    [InlineData("<a><b/></a>", "b", null)]
    [InlineData("<a></a>", "a", 3)]
    public void FindOnlyEndTag_UniquePlainEndTagOnly(string text, string name, int? expected) =>
        Assert.Equal(expected, XadesXml.FindOnlyEndTag(text, name));

    [Fact]
    public void Sign_XmlSec1_RejectsTamperedDocument()
    {
        var signed = Encoding.UTF8.GetString(_signer.Sign(UnsignedDocuments.DeathCertificate(), XadesDocumentType.DeathCertificate, pki.SignerKey, pki.SignerCertificate));
        var file = pki.PathOf("tampered-death.xml");
        File.WriteAllText(file, signed.Replace("肺炎", "肺癌", StringComparison.Ordinal));

        var result = XmlSec1Verify(file, "DeathCertificateDocument", "DeathCertificateSign");

        Assert.NotEqual(0, result.ExitCode);
    }

    [Fact]
    public void PrepareComplete_ExternalSignHash_ProducesSameVerifiableSignature()
    {
        var prepared = _signer.Prepare(UnsignedDocuments.Prescription(), XadesDocumentType.Prescription, pki.SignerCertificate);

        Assert.Equal(32, prepared.SignedInfoHash.Length);
        var signature = pki.SignerKey.SignHash(prepared.SignedInfoHash.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var report = new XadesVerifier().Verify(prepared.Complete(signature));

        Assert.True(report.IsValid);
    }

    [Fact]
    public void Complete_SignatureFromOtherKey_ThrowsSignatureValueRejected()
    {
        var prepared = _signer.Prepare(UnsignedDocuments.Prescription(), XadesDocumentType.Prescription, pki.SignerCertificate);
        var wrong = pki.OtherKey.SignHash(prepared.SignedInfoHash.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        var ex = Assert.Throws<XadesException>(() => prepared.Complete(wrong));

        Assert.Equal(XadesErrorCodes.SignatureValueRejected, ex.Code);
    }

    [Fact]
    public void Sign_CountsOnePrivateKeyOperation()
    {
        using var counting = new CountingRsa(pki.SignerKey);

        _signer.Sign(UnsignedDocuments.Prescription(), XadesDocumentType.Prescription, counting, pki.SignerCertificate);

        Assert.Equal(1, counting.SignHashCalls);
    }

    [Fact]
    public void Prepare_EcdsaCertificate_ThrowsUnsupportedKey()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=EC", ecdsa, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        var ex = Assert.Throws<XadesException>(() => _signer.Prepare(UnsignedDocuments.Prescription(), XadesDocumentType.Prescription, certificate));

        Assert.Equal(XadesErrorCodes.UnsupportedKey, ex.Code);
    }

    [Fact]
    public void Prepare_MalformedDocument_ThrowsMalformed()
    {
        var ex = Assert.Throws<XadesException>(() => _signer.Prepare("<Document><Prescription>"u8, XadesDocumentType.Prescription, pki.SignerCertificate));

        Assert.Equal(XadesErrorCodes.Malformed, ex.Code);
    }

    [Fact]
    public void Sign_AlreadySigned_ThrowsSignatureAlreadyPresent()
    {
        var ex = Assert.Throws<XadesException>(() =>
            _signer.Sign(TestFiles.Read("Prescription-004_01.xml"), XadesDocumentType.Prescription, pki.SignerKey, pki.SignerCertificate));

        Assert.Equal(XadesErrorCodes.SignatureAlreadyPresent, ex.Code);
    }

    [Fact]
    public void Sign_WrongDocumentType_ThrowsDocumentElementMissing()
    {
        var ex = Assert.Throws<XadesException>(() =>
            _signer.Sign(UnsignedDocuments.DeathCertificate(), XadesDocumentType.Prescription, pki.SignerKey, pki.SignerCertificate));

        Assert.Equal(XadesErrorCodes.DocumentElementMissing, ex.Code);
    }

    [Fact]
    public void Sign_DuplicateDataId_ThrowsDocumentElementMissing()
    {
        var doc = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(UnsignedDocuments.DeathCertificate())
            .Replace("</DeathCertificate>", "<DeathCertificateDocument id=\"DeathCertificateDocument\"/></DeathCertificate>", StringComparison.Ordinal));

        var ex = Assert.Throws<XadesException>(() => _signer.Sign(doc, XadesDocumentType.DeathCertificate, pki.SignerKey, pki.SignerCertificate));

        Assert.Equal(XadesErrorCodes.DocumentElementMissing, ex.Code);
    }

    [Fact]
    public void Sign_AuthenticationCertificate_VerifierFlagsMissingNonRepudiation()
    {
        var signed = _signer.Sign(UnsignedDocuments.Prescription(), XadesDocumentType.Prescription, pki.OtherKey, pki.AuthenticationCertificate);

        var signature = Assert.Single(new XadesVerifier().Verify(signed).Signatures);

        Assert.Equal(XadesCheckStatus.Passed, signature.Results(XadesCheckNames.SignatureValue).Single().Status);
        Assert.Equal(XadesErrorCodes.KeyUsageNonRepudiationMissing, signature.Results(XadesCheckNames.KeyUsage).Single().Code);
    }

    [Fact]
    public void Sign_WithIssuerSerialV2_VerifierMatchesIt()
    {
        var signer = new XadesSigner(TimeProvider.System, new XadesSignerOptions { IncludeIssuerSerialV2 = true });

        var signed = signer.Sign(UnsignedDocuments.Prescription(), XadesDocumentType.Prescription, pki.SignerKey, pki.SignerCertificate);

        Assert.Contains(":IssuerSerialV2>", Encoding.UTF8.GetString(signed), StringComparison.Ordinal);
        var signature = Assert.Single(new XadesVerifier().Verify(signed).Signatures);
        Assert.Equal(XadesCheckStatus.Passed, signature.Results(XadesCheckNames.SigningCertificate).Single().Status);
    }

    internal static byte[] Unsigned(XadesDocumentType type) => type switch
    {
        XadesDocumentType.Prescription => UnsignedDocuments.Prescription(),
        XadesDocumentType.Dispensing => UnsignedDocuments.Dispensing(),
        _ => UnsignedDocuments.DeathCertificate(),
    };

    internal static ToolResult XmlSec1Verify(string file, string dataElement, string signatureId) =>
        ExternalTool.Run("xmlsec1", Path.GetDirectoryName(file)!, "--verify",
            "--trusted-pem", "ca.pem",
            "--id-attr:id", dataElement,
            "--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:Signature",
            "--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:KeyInfo",
            "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
            "--node-id", signatureId,
            file);

    private static string Shape(string xml, string stopAt)
    {
        var start = xml.IndexOf("<PrescriptionSign>", StringComparison.Ordinal);
        var end = xml.IndexOf("<" + stopAt, start, StringComparison.Ordinal);
        var signature = end < 0 ? xml[start..xml.IndexOf("</PrescriptionSign>", StringComparison.Ordinal)] : xml[start..end];
        signature = Regex.Replace(signature, "id[0-9a-f]{8}", "ID");
        signature = Regex.Replace(signature, ">[^<]*<", "><");
        return signature.Replace("<xa:UnsignedProperties><xa:UnsignedSignatureProperties>", string.Empty, StringComparison.Ordinal)
            .Replace("</xa:QualifyingProperties></xs:Object></xs:Signature>", string.Empty, StringComparison.Ordinal);
    }

    private sealed class CountingRsa(RSA inner) : RSA
    {
        public int SignHashCalls { get; private set; }

        public override RSAParameters ExportParameters(bool includePrivateParameters) => inner.ExportParameters(false);

        public override void ImportParameters(RSAParameters parameters) => throw new NotSupportedException();

        public override byte[] SignHash(byte[] hash, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding)
        {
            SignHashCalls++;
            return inner.SignHash(hash, hashAlgorithm, padding);
        }
    }
}
