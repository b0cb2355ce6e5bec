using System.Security.Cryptography;
using SignatureService.Api.Features.Approvals;

namespace SignatureService.Api.Tests.Approvals;

/// <summary>The canonical encoding of the Signature Activation Data is pinned: changing it breaks stored evidence.</summary>
public sealed class SignatureActivationDataTests
{
    private static readonly Guid RequestA = Guid.Parse("01900000-0000-7000-8000-00000000000a");
    private static readonly Guid RequestB = Guid.Parse("01900000-0000-7000-8000-00000000000b");

    private static SignatureActivationData Sample() => new(
        Guid.Parse("01900000-0000-7000-8000-000000000001"),
        Guid.Parse("01900000-0000-7000-8000-000000000002"),
        Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
        DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_123),
        [new byte[] { 9, 9 }, new byte[] { 1, 2, 3 }],
        [
            new ActivationDocument(RequestB, 1, "prescription", SHA256.HashData("b1"u8)),
            new ActivationDocument(RequestA, 2, "death-certificate", SHA256.HashData("a2"u8)),
            new ActivationDocument(RequestA, 1, "prescription", SHA256.HashData("a1"u8)),
        ]);

    [Fact]
    public void Encode_Sample_MatchesPinnedBytes()
    {
        var encoding = Sample().Encode();

        Assert.Equal(PinnedPrefixHex, Convert.ToHexStringLower(encoding.AsSpan(0, PinnedPrefixHex.Length / 2)));
        Assert.Equal(PinnedChallengeHex, Convert.ToHexStringLower(Sample().Challenge()));
        Assert.Equal(SHA256.HashData(encoding), Sample().Challenge());
    }

    [Fact]
    public void Encode_InputOrder_DoesNotMatter()
    {
        var sample = Sample();
        var reordered = sample with
        {
            AllowedCredentialIds = [.. sample.AllowedCredentialIds.Reverse()],
            Documents = [.. sample.Documents.Reverse()],
        };

        Assert.Equal(sample.Encode(), reordered.Encode());
    }

    [Fact]
    public void Encode_AnyFieldChanged_ChangesTheChallenge()
    {
        var sample = Sample();
        var documents = sample.Documents.ToList();
        documents[0] = documents[0] with { Sha256 = SHA256.HashData("changed"u8) };
        var variants = new[]
        {
            sample with { ApprovalId = Guid.NewGuid() },
            sample with { SignerUserId = Guid.NewGuid() },
            sample with { Nonce = new byte[32] },
            sample with { ExpiresAt = sample.ExpiresAt.AddMilliseconds(1) },
            sample with { AllowedCredentialIds = [new byte[] { 9, 9 }] },
            sample with { Documents = documents },
            sample with { Documents = [.. sample.Documents.Take(2)] },
            sample with { Documents = [sample.Documents[0] with { DocumentType = "postmortem-certificate" }, .. sample.Documents.Skip(1)] },
        };

        Assert.All(variants, v => Assert.NotEqual(sample.Challenge(), v.Challenge()));
    }

    // "signsvc-sad-v1" with its length, the approval id (big-endian), the signer id.
    private const string PinnedPrefixHex =
        "0000000e7369676e7376632d7361642d7631" +
        "00000010" + "01900000000070008000000000000001" +
        "00000010" + "01900000000070008000000000000002";

    // Note: computed independently by a 20-line Python implementation of the documented encoding (360 bytes).
    private const string PinnedChallengeHex = "f51cc3c410be5f199d000e27bac664c6b407534e74bd997118d3839b219b7660";
}
