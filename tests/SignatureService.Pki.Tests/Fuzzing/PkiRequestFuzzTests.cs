using System.Formats.Asn1;
using System.Numerics;
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Pki.Certificates;
using SignatureService.Pki.Errors;
using SignatureService.Pki.Ocsp;
using SignatureService.Pki.Tests.Support;
using SignatureService.Pki.Timestamping;
using SignatureService.Testing.Fuzzing;
using Xunit.Abstractions;

namespace SignatureService.Pki.Tests.Fuzzing;

/// <summary>
/// Hostile OCSP and time-stamp requests (DER): the parsers let only <see cref="PkiException"/> with a code of
/// <see cref="PkiErrorCodes"/> escape, the responders always answer with a protocol response (malformedRequest /
/// badDataFormat, never an exception), each input within the bound, and valid requests are still answered successfully.
/// </summary>
public sealed class PkiRequestFuzzTests(TestPki pki, ITestOutputHelper output) : IClassFixture<TestPki>
{
    private static readonly HashSet<string> Codes = [.. typeof(PkiErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)];

    private static readonly DateTimeOffset Now = TestPki.Epoch.AddDays(20);

    private static readonly byte[][] Hostiles = [.. HostileCorpus.HugeDeclaredSizes(), HostileCorpus.DerDepthBomb(64), HostileCorpus.DerDepthBomb(5_000), new byte[20 * 1024], [0x30, 0x00]];

    [Fact]
    public void ParseOcspRequest_MutatedAndHostile_ThrowsOnlyPkiErrors()
    {
        var seeds = OcspSeeds();
        var inputs = new Mutator(Fuzz.Seed).Corpus(seeds, Fuzz.Iterations(8000)).Concat(Hostiles.Select((h, i) => new FuzzInput(-1 - i, "hostile", h)));

        var report = Run("OCSP request parser", inputs, data => OcspRequestParser.Parse(data));

        Assert.True(report["accepted"] >= seeds.Length, report.ToString());
        Assert.True(report[PkiErrorCodes.MalformedRequest] > 0, report.ToString());
    }

    [Fact]
    public void ParseTimeStampRequest_MutatedAndHostile_ThrowsOnlyPkiErrors()
    {
        var seeds = TsaSeeds();
        var inputs = new Mutator(Fuzz.Seed + 1).Corpus(seeds, Fuzz.Iterations(8000)).Concat(Hostiles.Select((h, i) => new FuzzInput(-1 - i, "hostile", h)));

        var report = Run("TSA request parser", inputs, data => TimeStampRequestParser.Parse(data));

        Assert.True(report["accepted"] >= seeds.Length, report.ToString());
        Assert.True(report[PkiErrorCodes.MalformedRequest] > 0, report.ToString());
    }

    [Fact]
    public void OcspResponder_MutatedRequests_AlwaysAnswersWithAnOcspResponse()
    {
        var responder = new OcspResponder(
            [new OcspAuthority(pki.SigningCaCertificate, IssuerCredential.FromRsa(pki.OcspCertificate, pki.OcspKey))], new GoodLookup(), new FakeTimeProvider(Now));
        var inputs = new Mutator(Fuzz.Seed + 2).Corpus(OcspSeeds(), Fuzz.Iterations(1500), truncateUpTo: 0);

        var report = Fuzz.Run("OCSP responder", Fuzz.Seed + 2, inputs, data =>
        {
            var response = responder.RespondAsync(data, CancellationToken.None).GetAwaiter().GetResult();
            var status = new AsnReader(response.Encoded, AsnEncodingRules.DER).ReadSequence().ReadEnumeratedValue<OcspResponseStatus>();
            return status == response.Status ? response.Status.ToString() : throw new InvalidOperationException("Encoded status differs.");
        }, _ => null);
        output.WriteLine(report.ToString());

        Assert.True(report[nameof(OcspResponseStatus.Successful)] >= 1, report.ToString());
        Assert.True(report[nameof(OcspResponseStatus.MalformedRequest)] > 0, report.ToString());
    }

    [Fact]
    public void TimestampAuthority_MutatedRequests_AlwaysAnswersWithATimeStampResp()
    {
        var tsa = new TimestampAuthority(pki.TsaCertificate, pki.TsaKey, new Serials(), new FakeTimeProvider(Now));
        var inputs = new Mutator(Fuzz.Seed + 3).Corpus(TsaSeeds(), Fuzz.Iterations(1500), truncateUpTo: 0);

        var report = Fuzz.Run("TSA", Fuzz.Seed + 3, inputs, data =>
        {
            var response = tsa.Respond(data);
            var status = new AsnReader(response.Encoded, AsnEncodingRules.DER).ReadSequence().ReadSequence().ReadInteger();
            return status == (int)response.Status ? $"{response.Status}/{response.FailureInfo}" : throw new InvalidOperationException("Encoded status differs.");
        }, _ => null);
        output.WriteLine(report.ToString());

        Assert.True(report[$"{PkiStatus.Granted}/{PkiFailureInfo.None}"] >= 1, report.ToString());
    }

    private FuzzReport Run(string target, IEnumerable<FuzzInput> inputs, Action<byte[]> parse)
    {
        var report = Fuzz.Run(target, Fuzz.Seed, inputs, data =>
        {
            parse(data);
            return "accepted";
        }, ex => ex is PkiException { Code: var code } && Codes.Contains(code) ? code : null);
        output.WriteLine(report.ToString());
        return report;
    }

    private byte[][] OcspSeeds()
    {
        var issuer = pki.SigningCaCertificate;
        byte[] CertId(HashAlgorithmName hash, string oid, byte[] serial) => Encode(w =>
        {
            using (w.PushSequence())
            {
                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier(oid);
                    w.WriteNull();
                }

                using var hasher = IncrementalHash.CreateHash(hash);
                hasher.AppendData(issuer.SubjectName.RawData);
                w.WriteOctetString(hasher.GetHashAndReset());
                hasher.AppendData(issuer.PublicKey.EncodedKeyValue.RawData);
                w.WriteOctetString(hasher.GetHashAndReset());
                w.WriteIntegerUnsigned(serial);
            }
        });

        byte[] Request(byte[][] certIds, bool versionAndName, byte[]? nonce) => Encode(w =>
        {
            using (w.PushSequence())
            using (w.PushSequence())
            {
                if (versionAndName)
                {
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                    {
                        w.WriteInteger(0);
                    }

                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
                    {
                        w.WriteCharacterString(UniversalTagNumber.IA5String, "rp@example.test", new Asn1Tag(TagClass.ContextSpecific, 1));
                    }
                }

                using (w.PushSequence())
                {
                    foreach (var id in certIds)
                    {
                        using (w.PushSequence())
                        {
                            w.WriteEncodedValue(id);
                        }
                    }
                }

                if (nonce is not null)
                {
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2, isConstructed: true)))
                    using (w.PushSequence())
                    using (w.PushSequence())
                    {
                        w.WriteObjectIdentifier("1.3.6.1.5.5.7.48.1.2");
                        w.WriteOctetString(Encode(n => n.WriteOctetString(nonce)));
                    }
                }
            }
        });

        var sha1 = CertId(HashAlgorithmName.SHA1, "1.3.14.3.2.26", [0x01, 0x23, 0x45]);
        var sha256 = CertId(HashAlgorithmName.SHA256, "2.16.840.1.101.3.4.2.1", [0x7F, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66]);
        return
        [
            Request([sha1], versionAndName: false, nonce: null),
            Request([sha1, sha256], versionAndName: true, nonce: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
            Request([sha256], versionAndName: false, nonce: [0xAA]),
        ];
    }

    private static byte[][] TsaSeeds()
    {
        var sha256 = SHA256.HashData("document"u8);
        var sha512 = SHA512.HashData("document"u8);
        return
        [
            Rfc3161TimestampRequest.CreateFromHash(sha256, HashAlgorithmName.SHA256, nonce: new byte[] { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 }, requestSignerCertificates: true).Encode(),
            Rfc3161TimestampRequest.CreateFromHash(sha512, HashAlgorithmName.SHA512).Encode(),
            Rfc3161TimestampRequest.CreateFromHash(sha256, HashAlgorithmName.SHA256, requestedPolicyId: new Oid("1.2.3.4.5")).Encode(),
        ];
    }

    private static byte[] Encode(Action<AsnWriter> write)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        write(writer);
        return writer.Encode();
    }

    private sealed class GoodLookup : ICertificateStatusLookup
    {
        public ValueTask<CertificateStatus> GetStatusAsync(X509Certificate2 issuer, ReadOnlyMemory<byte> serialNumber, CancellationToken cancellationToken) =>
            ValueTask.FromResult(CertificateStatus.Good);
    }

    private sealed class Serials : ITimestampSerialNumberGenerator
    {
        private long _next = 1000;

        public BigInteger NextSerialNumber() => Interlocked.Increment(ref _next);
    }
}
