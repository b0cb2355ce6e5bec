namespace SignatureService.WebAuthn.Attestation;

/// <summary>Which Android KeyMint authorization lists the <c>android-key</c> format checks (W3C WebAuthn L3 §8.4 step 4).</summary>
public enum AndroidKeyAuthorizationCheck
{
    /// <summary>Default: origin = KM_ORIGIN_GENERATED and purpose contains KM_PURPOSE_SIGN in <c>teeEnforced</c> (hardware-backed keys only).</summary>
    TeeEnforced = 0,

    /// <summary>Accept the union of <c>teeEnforced</c> and <c>softwareEnforced</c>.</summary>
    TeeOrSoftwareEnforced,

    /// <summary>
    /// Only check the challenge, key binding and absence of <c>allApplications</c>. Needed for the W3C test vectors,
    /// whose authorization lists are empty; never use it for AAL3.
    /// </summary>
    ChallengeAndKeyOnly,
}
