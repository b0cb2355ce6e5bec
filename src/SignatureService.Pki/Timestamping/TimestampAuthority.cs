using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Pki.Asn1;
using SignatureService.Pki.Certificates;
using SignatureService.Pki.Errors;

namespace SignatureService.Pki.Timestamping;

/// <summary>
/// An RFC 3161 time-stamping authority: answers TimeStampReqs with TimeStampResps whose token is CMS SignedData
/// (content type id-ct-TSTInfo) with the ESS signing-certificate-v2 attribute (RFC 5816). The key object is used only
/// to sign (an HSM-backed <see cref="RSA"/> or <see cref="ECDsa"/> works). Never throws for bad input.
/// Thread-safe when the key and serial generator are.
/// </summary>
public sealed class TimestampAuthority
{
    private readonly X509Certificate2 _certificate;
    private readonly AsymmetricAlgorithm _signingKey;
    private readonly ITimestampSerialNumberGenerator _serials;
    private readonly TimeProvider _timeProvider;
    private readonly TimestampAuthorityOptions _options;
    private readonly byte[] _signingCertificateV2;

    /// <summary>Creates the TSA.</summary>
    /// <param name="certificate">The TSA certificate (EKU id-kp-timeStamping, critical).</param>
    /// <param name="signingKey">The TSA's key object; only its signing operation is used.</param>
    /// <param name="serials">TSTInfo serial source.</param>
    /// <param name="timeProvider">The time source for genTime (must be a trusted, synchronised clock in production).</param>
    /// <param name="options">Settings.</param>
    public TimestampAuthority(
        X509Certificate2 certificate,
        AsymmetricAlgorithm signingKey,
        ITimestampSerialNumberGenerator serials,
        TimeProvider timeProvider,
        TimestampAuthorityOptions? options = null)
    {
        _certificate = certificate ?? throw new ArgumentNullException(nameof(certificate));
        ArgumentNullException.ThrowIfNull(signingKey);
        _serials = serials ?? throw new ArgumentNullException(nameof(serials));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _options = options ?? new TimestampAuthorityOptions();
        var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (eku is not { Critical: true } || eku.EnhancedKeyUsages.Count != 1 || eku.EnhancedKeyUsages[0].Value != Oids.KpTimeStamping)
        {
            throw new PkiException(PkiErrorCodes.InvalidProfile, "A TSA certificate needs exactly the critical EKU id-kp-timeStamping (RFC 3161 §2.3).");
        }

        _signingCertificateV2 = EncodeSigningCertificateV2(certificate);
        _signingKey = signingKey is RSA rsa ? new SelfVerifyingRsa(rsa, certificate) : signingKey;
    }

    /// <summary>
    /// True when every token's signature is verified with the certificate's public key as it is made (RSA keys): a token
    /// this TSA returns then needs no second signature check by an in-process client (<see cref="LocalTimestampAuthority"/>).
    /// </summary>
    public bool VerifiesOwnSignatures => _signingKey is SelfVerifyingRsa;

    /// <summary>The TSA certificate.</summary>
    public X509Certificate2 Certificate => _certificate;

    /// <summary>Answers one DER TimeStampReq.</summary>
    /// <param name="request">The untrusted request (at most <see cref="TimeStampRequestParser.MaxRequestLength"/> bytes).</param>
    /// <returns>The response: granted with a token, or rejection with failInfo.</returns>
    public TimeStampResponseMessage Respond(ReadOnlyMemory<byte> request)
    {
        // 1. Parse and check the request (RFC 3161 §2.4.1).
        TimeStampRequest parsed;
        try
        {
            parsed = TimeStampRequestParser.Parse(request);
        }
        catch (PkiException ex)
        {
            return Reject(ex.Code switch
            {
                PkiErrorCodes.UnsupportedAlgorithm => PkiFailureInfo.BadAlg,
                PkiErrorCodes.InvalidRequest => PkiFailureInfo.BadRequest,
                PkiErrorCodes.UnsupportedExtension => PkiFailureInfo.UnacceptedExtension,
                _ => PkiFailureInfo.BadDataFormat,
            });
        }

        // 2. Policy: the requested one if we offer it, else ours (§2.4.1 reqPolicy).
        var policy = parsed.RequestedPolicy ?? _options.DefaultPolicy;
        if (policy != _options.DefaultPolicy && !_options.AdditionalPolicies.Contains(policy))
        {
            return Reject(PkiFailureInfo.UnacceptedPolicy);
        }

        // 3. TSTInfo (§2.4.2), 4. CMS SignedData over it (§2.4.2, RFC 5816), 5. TimeStampResp.
        try
        {
            var token = Sign(EncodeTstInfo(parsed, policy), parsed.CertificateRequested);
            var response = Der.Encode(w =>
            {
                using (w.PushSequence())
                {
                    using (w.PushSequence())
                    {
                        w.WriteInteger((int)PkiStatus.Granted);
                    }

                    w.WriteEncodedValue(token);
                }
            });
            return new TimeStampResponseMessage(PkiStatus.Granted, PkiFailureInfo.None, response);
        }
        catch (CryptographicException)
        {
            // Note: a failing key (HSM offline, session lost) is a systemFailure rejection per RFC 3161, not a crash.
            return Reject(PkiFailureInfo.SystemFailure);
        }
    }

    /// <summary>A rejection TimeStampResp (no token).</summary>
    /// <param name="failure">The failInfo bits.</param>
    /// <returns>The response.</returns>
    public static TimeStampResponseMessage Reject(PkiFailureInfo failure)
    {
        var encoded = Der.Encode(w =>
        {
            using (w.PushSequence())
            using (w.PushSequence())
            {
                w.WriteInteger((int)PkiStatus.Rejection);
                w.WriteNamedBitList(failure);
            }
        });
        return new TimeStampResponseMessage(PkiStatus.Rejection, failure, encoded);
    }

    private byte[] EncodeTstInfo(TimeStampRequest request, string policy)
    {
        var serial = _serials.NextSerialNumber();
        if (serial.Sign <= 0 || serial.GetBitLength() > 160)
        {
            throw new CryptographicException("The serial number generator returned an out-of-range value.");
        }

        var genTime = Der.TruncateToSeconds(_timeProvider.GetUtcNow());
        return Der.Encode(w =>
        {
            using (w.PushSequence())
            {
                w.WriteInteger(1); // version v1
                w.WriteObjectIdentifier(policy);
                w.WriteEncodedValue(request.EncodedMessageImprint.Span);
                w.WriteInteger(serial);
                w.WriteGeneralizedTime(genTime, omitFractionalSeconds: true);
                if (_options.Accuracy is { } accuracy && accuracy > TimeSpan.Zero)
                {
                    // Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER (1..999) OPTIONAL, micros [1] ... }
                    using (w.PushSequence())
                    {
                        var seconds = (long)accuracy.TotalSeconds;
                        var millis = accuracy.Milliseconds;
                        if (seconds > 0)
                        {
                            w.WriteInteger(seconds);
                        }

                        if (millis > 0)
                        {
                            w.WriteInteger(millis, new Asn1Tag(TagClass.ContextSpecific, 0));
                        }
                    }
                }

                if (request.Nonce is { } nonce)
                {
                    w.WriteInteger(nonce);
                }

                if (_options.IncludeTsaName)
                {
                    // tsa [0] GeneralName: explicit, because GeneralName is a CHOICE; directoryName [4] Name.
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
                    {
                        w.WriteEncodedValue(_certificate.SubjectName.RawData);
                    }
                }
            }
        });
    }

    private byte[] Sign(byte[] tstInfo, bool includeCertificate)
    {
        var content = new ContentInfo(new Oid(Oids.TstInfo, "id-ct-TSTInfo"), tstInfo);
        var signedCms = new SignedCms(content, detached: false);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, _certificate, _signingKey)
        {
            DigestAlgorithm = new Oid(Der.OidFromHash(_options.SignatureDigest)),
            IncludeOption = includeCertificate ? X509IncludeOption.EndCertOnly : X509IncludeOption.None,
        };
        signer.SignedAttributes.Add(new AsnEncodedData(Oids.SigningCertificateV2, _signingCertificateV2));
        signedCms.ComputeSignature(signer, silent: true);
        return signedCms.Encode();
    }

    /// <summary>
    /// RFC 5035 SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }, ESSCertIDv2 with the default
    /// hash (SHA-256, so hashAlgorithm omitted), certHash and issuerSerial.
    /// </summary>
    private static byte[] EncodeSigningCertificateV2(X509Certificate2 certificate) => Der.Encode(w =>
    {
        using (w.PushSequence())
        using (w.PushSequence())
        using (w.PushSequence())
        {
            w.WriteOctetString(SHA256.HashData(certificate.RawData));
            using (w.PushSequence())
            {
                using (w.PushSequence())
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
                {
                    w.WriteEncodedValue(certificate.IssuerName.RawData);
                }

                w.WriteInteger(certificate.SerialNumberBytes.Span);
            }
        }
    });
}
