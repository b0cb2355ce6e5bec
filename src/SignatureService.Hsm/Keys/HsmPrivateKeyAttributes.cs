namespace SignatureService.Hsm;

/// <summary>
/// The protection attributes of a private key object as the token reports them (PKCS#11 v2.40 base §4.9):
/// evidence that the key was generated inside the token and can never leave it.
/// </summary>
/// <param name="Sensitive">CKA_SENSITIVE: secret components are never revealed in plaintext.</param>
/// <param name="Extractable">CKA_EXTRACTABLE: the key can be wrapped out of the token (must be false).</param>
/// <param name="AlwaysSensitive">CKA_ALWAYS_SENSITIVE: CKA_SENSITIVE has been true since creation.</param>
/// <param name="NeverExtractable">CKA_NEVER_EXTRACTABLE: CKA_EXTRACTABLE has never been true.</param>
/// <param name="Token">CKA_TOKEN: a persistent token object, not a session object.</param>
/// <param name="Private">CKA_PRIVATE: visible only after user login.</param>
/// <param name="Sign">CKA_SIGN: usable for signatures.</param>
/// <param name="Local">CKA_LOCAL: generated on the token (not imported).</param>
public sealed record HsmPrivateKeyAttributes(
    bool Sensitive,
    bool Extractable,
    bool AlwaysSensitive,
    bool NeverExtractable,
    bool Token,
    bool Private,
    bool Sign,
    bool Local)
{
    /// <summary>Whether the attributes prove the key cannot leave the token: sensitive and never extractable since generation on the token.</summary>
    public bool IsNonExportable => Sensitive && !Extractable && AlwaysSensitive && NeverExtractable && Local;
}
