using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SignatureService.Pki.Asn1;
using SignatureService.Pki.Certificates;
using SignatureService.Pki.Errors;
using SignatureService.Pki.Revocation;

namespace SignatureService.Pki.Ocsp;

/// <summary>
/// Answers OCSP requests (RFC 6960) for one or more CAs with signed BasicOCSPResponses: responderID byKey, the
/// signer's certificate included, nonce echoed (RFC 8954). Never throws for bad input: garbage yields
/// malformedRequest, foreign issuers unauthorized, lookup or signing failures internalError. Thread-safe when the
/// lookup and signers are.
/// </summary>
public sealed class OcspResponder
{
    private static readonly HashAlgorithmName[] CertIdHashes =
        [HashAlgorithmName.SHA1, HashAlgorithmName.SHA256, HashAlgorithmName.SHA384, HashAlgorithmName.SHA512];

    private readonly IReadOnlyList<(OcspAuthority Authority, Dictionary<HashAlgorithmName, (byte[] Name, byte[] Key)> Hashes)> _authorities;
    private readonly ICertificateStatusLookup _lookup;
    private readonly TimeProvider _timeProvider;
    private readonly OcspResponderOptions _options;

    /// <summary>Creates the responder.</summary>
    /// <param name="authorities">The CAs served (at least one) and their response signers.</param>
    /// <param name="lookup">Status source.</param>
    /// <param name="timeProvider">Clock for producedAt and thisUpdate.</param>
    /// <param name="options">Settings; default <see cref="OcspResponderOptions"/>.</param>
    public OcspResponder(
        IEnumerable<OcspAuthority> authorities,
        ICertificateStatusLookup lookup,
        TimeProvider timeProvider,
        OcspResponderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        _lookup = lookup ?? throw new ArgumentNullException(nameof(lookup));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _options = options ?? new OcspResponderOptions();
        _authorities = [.. authorities.Select(CheckAuthorized).Select(a => (a, CertIdHashes.ToDictionary(h => h, h => (
            Der.Hash(h, a.CaCertificate.SubjectName.RawData),
            Der.Hash(h, Der.SubjectPublicKeyBits(a.CaCertificate))))))];
        if (_authorities.Count == 0)
        {
            throw new ArgumentException("At least one CA is required.", nameof(authorities));
        }
    }

    /// <summary>
    /// RFC 6960 §4.2.2.2: the signer is the CA itself or a responder certificate issued directly by the CA (issuer name
    /// and key identifier) with id-kp-OCSPSigning.
    /// </summary>
    private static OcspAuthority CheckAuthorized(OcspAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var ca = authority.CaCertificate;
        var signer = authority.Signer.Certificate;
        if (ca.RawData.AsSpan().SequenceEqual(signer.RawData))
        {
            return authority;
        }

        var caKeyId = ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes;
        var signerAuthorityKeyId = signer.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier;
        var eku = signer.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        var delegated = signer.IssuerName.RawData.AsSpan().SequenceEqual(ca.SubjectName.RawData) &&
            caKeyId is { } expected && signerAuthorityKeyId is { } actual && expected.Span.SequenceEqual(actual.Span) &&
            eku is not null && eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == Oids.KpOcspSigning);
        return delegated
            ? authority
            : throw new PkiException(PkiErrorCodes.InvalidIssuer, "The OCSP signer is neither the CA nor a responder delegated by it.");
    }

    /// <summary>An unsigned error response (RFC 6960 §4.2.1: no responseBytes).</summary>
    /// <param name="status">Any status except <see cref="OcspResponseStatus.Successful"/>.</param>
    /// <returns>The DER OCSPResponse.</returns>
    public static byte[] EncodeError(OcspResponseStatus status)
    {
        if (status == OcspResponseStatus.Successful)
        {
            throw new ArgumentOutOfRangeException(nameof(status), "A successful response needs responseBytes.");
        }

        return Der.Encode(w =>
        {
            using (w.PushSequence())
            {
                w.WriteEnumeratedValue(status);
            }
        });
    }

    /// <summary>Answers one DER OCSPRequest.</summary>
    /// <param name="request">The untrusted request body (size-limited by <see cref="OcspRequestParser.MaxRequestLength"/>).</param>
    /// <param name="cancellationToken">Cancellation; the only exception that escapes.</param>
    /// <returns>The response to send, successful or an error status.</returns>
    public async Task<OcspResponseMessage> RespondAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        // 1. Parse (RFC 6960 §4.1.1); malformed → malformedRequest.
        OcspRequest parsed;
        try
        {
            parsed = OcspRequestParser.Parse(request);
        }
        catch (PkiException)
        {
            return Error(OcspResponseStatus.MalformedRequest);
        }

        // 2. Every CertID must name the same CA of ours (§2.3: otherwise unauthorized).
        var authority = Match(parsed.CertIds[0]);
        if (authority is null || parsed.CertIds.Any(id => !ReferenceEquals(Match(id), authority)))
        {
            return Error(OcspResponseStatus.Unauthorized);
        }

        try
        {
            // 3. Look up each status, 4. build and sign ResponseData (§4.2.1), 5. wrap as BasicOCSPResponse.
            var statuses = new List<CertificateStatus>(parsed.CertIds.Count);
            foreach (var id in parsed.CertIds)
            {
                statuses.Add(await _lookup.GetStatusAsync(authority.CaCertificate, id.SerialNumber, cancellationToken));
            }

            return new OcspResponseMessage(OcspResponseStatus.Successful, BuildSuccessful(parsed, statuses, authority.Signer));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Note: RFC 6960 defines internalError as the answer to any responder failure (store or HSM).
        catch (Exception)
#pragma warning restore CA1031
        {
            return Error(OcspResponseStatus.InternalError);
        }
    }

    private static OcspResponseMessage Error(OcspResponseStatus status) => new(status, EncodeError(status));

    private OcspAuthority? Match(OcspCertId id)
    {
        foreach (var (authority, hashes) in _authorities)
        {
            var (name, key) = hashes[id.HashAlgorithm];
            if (CryptographicOperations.FixedTimeEquals(name, id.IssuerNameHash.Span) &&
                CryptographicOperations.FixedTimeEquals(key, id.IssuerKeyHash.Span))
            {
                return authority;
            }
        }

        return null;
    }

    private byte[] BuildSuccessful(OcspRequest request, List<CertificateStatus> statuses, IssuerCredential signer)
    {
        var now = Der.TruncateToSeconds(_timeProvider.GetUtcNow());
        var tbs = new AsnWriter(AsnEncodingRules.DER);
        // ResponseData ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1 (omitted), responderID, producedAt, responses, responseExtensions [1] }
        using (tbs.PushSequence())
        {
            // ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash } — SHA-1 of the signer's subjectPublicKey.
            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2, isConstructed: true)))
            {
                tbs.WriteOctetString(Der.Hash(HashAlgorithmName.SHA1, Der.SubjectPublicKeyBits(signer.Certificate)));
            }

            tbs.WriteGeneralizedTime(now, omitFractionalSeconds: true);
            using (tbs.PushSequence())
            {
                for (var i = 0; i < request.CertIds.Count; i++)
                {
                    WriteSingleResponse(tbs, request.CertIds[i], statuses[i], now);
                }
            }

            if (request.Nonce is { } nonce)
            {
                using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
                using (tbs.PushSequence())
                {
                    Der.WriteExtension(tbs, Oids.OcspNonce, false, nonce.Span);
                }
            }
        }

        var tbsBytes = tbs.Encode();
        var signature = signer.Sign(tbsBytes);

        // BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate }
        var basic = Der.Encode(w =>
        {
            using (w.PushSequence())
            {
                w.WriteEncodedValue(tbsBytes);
                w.WriteEncodedValue(signer.SignatureAlgorithmIdentifier);
                w.WriteBitString(signature);
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                using (w.PushSequence())
                {
                    w.WriteEncodedValue(signer.Certificate.RawData);
                }
            }
        });

        // OCSPResponse ::= SEQUENCE { responseStatus, responseBytes [0] EXPLICIT SEQUENCE { responseType, response OCTET STRING } }
        return Der.Encode(w =>
        {
            using (w.PushSequence())
            {
                w.WriteEnumeratedValue(OcspResponseStatus.Successful);
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier(Oids.OcspBasic);
                    w.WriteOctetString(basic);
                }
            }
        });
    }

    private void WriteSingleResponse(AsnWriter writer, OcspCertId id, CertificateStatus status, DateTimeOffset now)
    {
        // SingleResponse ::= SEQUENCE { certID, certStatus, thisUpdate, nextUpdate [0] EXPLICIT OPTIONAL, singleExtensions [1] OPTIONAL }
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(id.Encoded.Span);
            switch (status.Kind)
            {
                case CertificateStatusKind.Good:
                    writer.WriteNull(new Asn1Tag(TagClass.ContextSpecific, 0));
                    break;
                case CertificateStatusKind.Revoked:
                    // RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
                    {
                        var time = status.RevocationTime
                            ?? throw new PkiException(PkiErrorCodes.InvalidRevocationEntry, "A revoked status needs a revocation time.");
                        writer.WriteGeneralizedTime(Der.TruncateToSeconds(time), omitFractionalSeconds: true);
                        if (status.Reason != RevocationReason.Unspecified)
                        {
                            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                            {
                                writer.WriteEnumeratedValue(status.Reason);
                            }
                        }
                    }

                    break;
                default:
                    writer.WriteNull(new Asn1Tag(TagClass.ContextSpecific, 2));
                    break;
            }

            writer.WriteGeneralizedTime(now, omitFractionalSeconds: true);
            if (_options.ResponseValidity is { } validity)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                {
                    writer.WriteGeneralizedTime(now + validity, omitFractionalSeconds: true);
                }
            }
        }
    }
}
