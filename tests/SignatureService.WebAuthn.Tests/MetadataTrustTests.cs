using SignatureService.WebAuthn.Errors;
using SignatureService.WebAuthn.Trust;

namespace SignatureService.WebAuthn.Tests;

/// <summary>Trust through a FIDO MDS v3 BLOB built and signed by <see cref="TestMetadataService"/>.</summary>
public sealed class MetadataTrustTests
{
    private static readonly DateOnly FutureUpdate = new(2026, 7, 1);

    [Fact]
    public void Verify_AuthenticatorInMetadata_IsTrustedFromMetadataService()
    {
        using var mds = new TestMetadataService();
        using var fixture = MetadataFixture(mds, FutureUpdate, ["hardware", "secure_element"], ["FIDO_CERTIFIED_L2"]);

        var result = fixture.Verify(fixture.Authenticator.MakeCredential(fixture.CreateRequest()));

        Assert.True(result.Trust.IsTrusted);
        Assert.Equal(AttestationTrustSource.MetadataService, result.Trust.Source);
        Assert.StartsWith("Test authenticator", result.Trust.AuthenticatorDescription, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("REVOKED")]
    [InlineData("USER_VERIFICATION_BYPASS")]
    [InlineData("ATTESTATION_KEY_COMPROMISE")]
    [InlineData("USER_KEY_REMOTE_COMPROMISE")]
    [InlineData("USER_KEY_PHYSICAL_COMPROMISE")]
    public void Verify_RefusedMetadataStatus_ReturnsAuthenticatorRevoked(string status)
    {
        using var mds = new TestMetadataService();
        using var fixture = MetadataFixture(mds, FutureUpdate, ["hardware"], ["FIDO_CERTIFIED_L1", status]);
        AssertCode(fixture, WebAuthnErrorCodes.AuthenticatorRevoked);
    }

    [Fact]
    public void Verify_AllowListedButRevokedInMetadata_ReturnsAuthenticatorRevoked()
    {
        using var mds = new TestMetadataService();
        using var fixture = new Aal3Fixture();
        fixture.Trust.Metadata = FidoMetadataBlob.Verify(
            mds.CreateBlob(3, FutureUpdate, new TestMetadataEntry(fixture.Authenticator.Aaguid, fixture.Authenticator.AttestationRoot, ["hardware"], ["REVOKED"])),
            mds.Root,
            FixedTimeProvider.Default);
        AssertCode(fixture, WebAuthnErrorCodes.AuthenticatorRevoked);
    }

    [Fact]
    public void Verify_AllowListedWhileUnrelatedMetadataIsStale_IsTrusted()
    {
        using var mds = new TestMetadataService();
        using var fixture = new Aal3Fixture();
        fixture.Trust.Metadata = FidoMetadataBlob.Verify(mds.CreateBlob(3, new DateOnly(2026, 1, 1)), mds.Root, FixedTimeProvider.Default);
        var result = fixture.Verify(fixture.Authenticator.MakeCredential(fixture.CreateRequest()));
        Assert.Equal(AttestationTrustSource.AllowList, result.Trust.Source);
    }

    [Fact]
    public void Verify_MetadataPastNextUpdate_ReturnsMetadataStale()
    {
        using var mds = new TestMetadataService();
        using var fixture = MetadataFixture(mds, new DateOnly(2026, 5, 31), ["hardware"], ["FIDO_CERTIFIED_L1"]);
        AssertCode(fixture, WebAuthnErrorCodes.MetadataStale);
    }

    [Fact]
    public void Verify_MetadataOnItsNextUpdateDay_IsStillAccepted()
    {
        using var mds = new TestMetadataService();
        using var fixture = MetadataFixture(mds, new DateOnly(2026, 6, 1), ["hardware"], ["FIDO_CERTIFIED_L1"]);
        Assert.True(fixture.Verify(fixture.Authenticator.MakeCredential(fixture.CreateRequest())).Trust.IsTrusted);
    }

    [Fact]
    public void Verify_SoftwareKeyProtection_ReturnsAuthenticatorNotHardwareBound()
    {
        using var mds = new TestMetadataService();
        using var fixture = MetadataFixture(mds, FutureUpdate, ["software"], ["FIDO_CERTIFIED"]);
        AssertCode(fixture, WebAuthnErrorCodes.AuthenticatorNotHardwareBound);
    }

    [Fact]
    public void Verify_AaguidAbsentFromMetadata_ReturnsUnknownAaguid()
    {
        using var mds = new TestMetadataService();
        using var fixture = new Aal3Fixture();
        fixture.Trust.AllowList.Clear();
        using var other = new Testing.SoftwareAuthenticator();
        fixture.Trust.Metadata = FidoMetadataBlob.Verify(
            mds.CreateBlob(1, FutureUpdate, new TestMetadataEntry(other.Aaguid, other.AttestationRoot, ["hardware"], [])), mds.Root, FixedTimeProvider.Default);
        AssertCode(fixture, WebAuthnErrorCodes.UnknownAaguid);
    }

    [Fact]
    public void Verify_MetadataRootOfAnotherAuthenticator_ReturnsAttestationUntrusted()
    {
        using var mds = new TestMetadataService();
        using var fixture = new Aal3Fixture();
        fixture.Trust.AllowList.Clear();
        using var other = new Testing.SoftwareAuthenticator();
        fixture.Trust.Metadata = FidoMetadataBlob.Verify(
            mds.CreateBlob(1, FutureUpdate, new TestMetadataEntry(fixture.Authenticator.Aaguid, other.AttestationRoot, ["hardware"], [])), mds.Root, FixedTimeProvider.Default);
        AssertCode(fixture, WebAuthnErrorCodes.AttestationUntrusted);
    }

    [Fact]
    public void VerifyBlob_SignedUnderAnotherRoot_ReturnsMetadataInvalid()
    {
        using var mds = new TestMetadataService();
        using var impostor = new TestMetadataService();
        var blob = impostor.CreateBlob(1, FutureUpdate);
        var ex = Assert.Throws<WebAuthnException>(() => FidoMetadataBlob.Verify(blob, mds.Root, FixedTimeProvider.Default));
        Assert.Equal(WebAuthnErrorCodes.MetadataInvalid, ex.Code);
    }

    [Fact]
    public void VerifyBlob_PayloadSwappedAfterSigning_ReturnsMetadataInvalid()
    {
        using var mds = new TestMetadataService();
        using var authenticator = new Testing.SoftwareAuthenticator();
        var revoked = mds.CreateBlob(2, FutureUpdate, new TestMetadataEntry(authenticator.Aaguid, authenticator.AttestationRoot, ["hardware"], ["REVOKED"])).Split('.');
        var clean = mds.CreateBlob(2, FutureUpdate, new TestMetadataEntry(authenticator.Aaguid, authenticator.AttestationRoot, ["hardware"], [])).Split('.');
        var spliced = revoked[0] + "." + clean[1] + "." + revoked[2];
        var ex = Assert.Throws<WebAuthnException>(() => FidoMetadataBlob.Verify(spliced, mds.Root, FixedTimeProvider.Default));
        Assert.Equal(WebAuthnErrorCodes.MetadataInvalid, ex.Code);
    }

    [Fact]
    public void VerifyBlob_AfterSignerExpiry_ReturnsMetadataInvalid()
    {
        using var mds = new TestMetadataService();
        var blob = mds.CreateBlob(1, FutureUpdate);
        var ex = Assert.Throws<WebAuthnException>(() => FidoMetadataBlob.Verify(blob, mds.Root, new DateTimeOffset(2041, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(WebAuthnErrorCodes.MetadataInvalid, ex.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.b")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJub25lIn0.e30.")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.e30.AAAA")]
    [InlineData("eyJhbGciOiJFUzI1NiIsIng1YyI6WyIhISEiXX0.e30.AAAA")]
    public void VerifyBlob_Garbage_ReturnsTypedError(string jws)
    {
        using var mds = new TestMetadataService();
        var ex = Assert.Throws<WebAuthnException>(() => FidoMetadataBlob.Verify(jws, mds.Root, FixedTimeProvider.Default));
        Assert.Contains(ex.Code, new[] { WebAuthnErrorCodes.Malformed, WebAuthnErrorCodes.MetadataInvalid });
    }

    [Fact]
    public void VerifyBlob_ValidBlob_ExposesNumberNextUpdateAndEntries()
    {
        using var mds = new TestMetadataService();
        using var authenticator = new Testing.SoftwareAuthenticator();
        using var blob = FidoMetadataBlob.Verify(
            mds.CreateBlob(42, FutureUpdate, new TestMetadataEntry(authenticator.Aaguid, authenticator.AttestationRoot, ["hardware"], ["FIDO_CERTIFIED_L3"])),
            mds.Root,
            FixedTimeProvider.Default);
        Assert.Equal(42, blob.Number);
        Assert.Equal(FutureUpdate, blob.NextUpdate);
        Assert.True(blob.TryGetEntry(authenticator.Aaguid, out var entry));
        Assert.Equal(authenticator.AttestationRoot.RawData, entry!.AttestationRoots[0].RawData);
        Assert.False(entry.IsRefused);
        Assert.True(entry.IsHardwareBound);
    }

    private static Aal3Fixture MetadataFixture(TestMetadataService mds, DateOnly nextUpdate, string[] keyProtection, string[] statuses)
    {
        var fixture = new Aal3Fixture();
        fixture.Trust.AllowList.Clear();
        var blob = mds.CreateBlob(7, nextUpdate, new TestMetadataEntry(fixture.Authenticator.Aaguid, fixture.Authenticator.AttestationRoot, keyProtection, statuses));
        fixture.Trust.Metadata = FidoMetadataBlob.Verify(blob, mds.Root, FixedTimeProvider.Default);
        return fixture;
    }

    private static void AssertCode(Aal3Fixture fixture, string code)
    {
        var registration = fixture.Authenticator.MakeCredential(fixture.CreateRequest());
        var ex = Assert.Throws<WebAuthnException>(() => fixture.Verify(registration));
        Assert.Equal(code, ex.Code);
    }
}
