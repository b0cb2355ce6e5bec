namespace SignatureService.Pki.Revocation;

/// <summary>CRLReason (RFC 5280 §5.3.1); values are the ENUMERATED codes. Value 7 is unused by the RFC.</summary>
public enum RevocationReason
{
    /// <summary>unspecified (0): encoded by omitting the reasonCode extension.</summary>
    Unspecified = 0,

    /// <summary>keyCompromise (1).</summary>
    KeyCompromise = 1,

    /// <summary>cACompromise (2).</summary>
    CACompromise = 2,

    /// <summary>affiliationChanged (3).</summary>
    AffiliationChanged = 3,

    /// <summary>superseded (4).</summary>
    Superseded = 4,

    /// <summary>cessationOfOperation (5).</summary>
    CessationOfOperation = 5,

    /// <summary>certificateHold (6): a suspension that may be lifted.</summary>
    CertificateHold = 6,

    /// <summary>removeFromCRL (8): only meaningful in delta CRLs, so rejected by the full-CRL builder.</summary>
    RemoveFromCrl = 8,

    /// <summary>privilegeWithdrawn (9), e.g. a licence withdrawn.</summary>
    PrivilegeWithdrawn = 9,

    /// <summary>aACompromise (10).</summary>
    AACompromise = 10,
}
