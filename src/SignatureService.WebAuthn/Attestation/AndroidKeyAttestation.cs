using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using SignatureService.WebAuthn.Cose;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Attestation;

/// <summary>Format <c>android-key</c> (W3C WebAuthn L3 §8.4; Android key attestation KeyDescription schema).</summary>
internal static class AndroidKeyAttestation
{
    private const string Invalid = WebAuthnErrorCodes.AttestationInvalid;
    private const string KeyDescriptionOid = "1.3.6.1.4.1.11129.2.1.17";
    private const int TagPurpose = 1;
    private const int TagAllApplications = 600;
    private const int TagOrigin = 702;
    private const int KmOriginGenerated = 0;
    private const int KmPurposeSign = 2;

    public static AttestationStatementResult Verify(AttestationContext context)
    {
        // 1. attStmt: alg, sig, x5c.
        var alg = (CoseAlgorithm)context.Statement.GetInteger("alg", Invalid);
        var sig = context.Statement.Get<byte[]>("sig", Invalid);
        var x5c = AttestationCertificates.LoadX5c(context.Statement, required: true);
        try
        {
            // 2. sig verifies over authenticatorData || clientDataHash with the first certificate's key and alg.
            var leaf = x5c[0];
            if (!CoseAlgorithms.VerifyWithCertificate(alg, leaf, context.SignedData(), sig))
            {
                throw new WebAuthnException(Invalid, "android-key signature invalid.");
            }

            // 3. The certificate's public key is the credential public key.
            if (!context.Credential.CredentialPublicKey.MatchesCertificate(leaf))
            {
                throw new WebAuthnException(Invalid, "android-key certificate key is not the credential key.");
            }

            // 4. The key description extension: attestationChallenge = clientDataHash; no allApplications anywhere;
            //    origin GENERATED and purpose SIGN in the authorization list(s) the policy trusts.
            var extension = leaf.Extensions[KeyDescriptionOid]
                ?? throw new WebAuthnException(Invalid, "android-key key description extension missing.");
            var description = KeyDescription.Parse(extension.RawData);
            if (!CryptographicOperations.FixedTimeEquals(description.AttestationChallenge, context.ClientDataHash))
            {
                throw new WebAuthnException(Invalid, "android-key attestationChallenge is not the clientDataHash.");
            }

            if (description.Software.AllApplications || description.Tee.AllApplications)
            {
                throw new WebAuthnException(Invalid, "android-key key is bound to all applications.");
            }

            var lists = context.AndroidKeyCheck switch
            {
                AndroidKeyAuthorizationCheck.TeeEnforced => [description.Tee],
                AndroidKeyAuthorizationCheck.TeeOrSoftwareEnforced => [description.Tee, description.Software],
                _ => Array.Empty<AuthorizationList>(),
            };
            if (lists.Length > 0
                && (!lists.Any(l => l.Origin == KmOriginGenerated) || !lists.Any(l => l.Purposes.Contains(KmPurposeSign))))
            {
                throw new WebAuthnException(Invalid, "android-key key was not generated in the keystore for signing.");
            }

            // 5. Basic attestation with trust path x5c.
            return new AttestationStatementResult(AttestationType.Basic, x5c);
        }
        catch
        {
            AttestationCertificates.Dispose(x5c);
            throw;
        }
    }

    private sealed record AuthorizationList(IReadOnlyList<long> Purposes, long? Origin, bool AllApplications);

    private sealed record KeyDescription(byte[] AttestationChallenge, AuthorizationList Software, AuthorizationList Tee)
    {
        // KeyDescription ::= SEQUENCE { attestationVersion INTEGER, attestationSecurityLevel ENUMERATED, keyMintVersion INTEGER,
        //   keyMintSecurityLevel ENUMERATED, attestationChallenge OCTET STRING, uniqueId OCTET STRING,
        //   softwareEnforced AuthorizationList, hardwareEnforced (teeEnforced) AuthorizationList }
        public static KeyDescription Parse(byte[] der)
        {
            try
            {
                var outer = new AsnReader(der, AsnEncodingRules.DER);
                var sequence = outer.ReadSequence();
                outer.ThrowIfNotEmpty();
                _ = sequence.ReadInteger();
                _ = sequence.ReadEncodedValue();
                _ = sequence.ReadInteger();
                _ = sequence.ReadEncodedValue();
                var challenge = sequence.ReadOctetString();
                _ = sequence.ReadOctetString();
                var software = ReadAuthorizationList(sequence.ReadSequence());
                var tee = ReadAuthorizationList(sequence.ReadSequence());
                sequence.ThrowIfNotEmpty();
                return new KeyDescription(challenge, software, tee);
            }
            catch (AsnContentException ex)
            {
                throw new WebAuthnException(Invalid, "android-key key description is not valid DER.", ex);
            }
        }

        private static AuthorizationList ReadAuthorizationList(AsnReader list)
        {
            var purposes = new List<long>();
            long? origin = null;
            var allApplications = false;
            while (list.HasData)
            {
                var tag = list.PeekTag();
                if (tag.TagClass != TagClass.ContextSpecific)
                {
                    throw new AsnContentException("Unexpected tag in AuthorizationList.");
                }

                var field = list.ReadSequence(tag);
                switch (tag.TagValue)
                {
                    case TagPurpose:
                        var set = field.ReadSetOf();
                        while (set.HasData)
                        {
                            purposes.Add(ToInt64(set.ReadInteger()));
                        }

                        break;
                    case TagOrigin:
                        origin = ToInt64(field.ReadInteger());
                        break;
                    case TagAllApplications:
                        allApplications = true;
                        break;
                    default:
                        break;
                }
            }

            return new AuthorizationList(purposes, origin, allApplications);
        }

        private static long ToInt64(BigInteger value)
            => value >= long.MinValue && value <= long.MaxValue ? (long)value : throw new AsnContentException("Integer out of range.");
    }
}
