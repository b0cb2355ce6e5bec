using SignatureService.Core.Signing;

namespace SignatureService.Core.Tests;

public sealed class SignatureRequestStatusTests
{
    [Theory]
    [InlineData("pending-approval", "approved", true)]
    [InlineData("pending-approval", "cancelled", true)]
    [InlineData("pending-approval", "expired", true)]
    [InlineData("pending-approval", "rejected", true)]
    [InlineData("pending-approval", "signed", false)]
    [InlineData("approved", "cancelled", false)]
    [InlineData("approved", "signing", true)]
    [InlineData("signing", "signed", true)]
    [InlineData("signed", "failed", false)]
    [InlineData("cancelled", "pending-approval", false)]
    [InlineData("expired", "approved", false)]
    public void CanTransition_FollowsTheLifecycle(string from, string to, bool allowed) =>
        Assert.Equal(allowed, SignatureRequestStatus.CanTransition(from, to));

    [Fact]
    public void IsTerminal_ExactlyTheFinalStates()
    {
        var terminal = SignatureRequestStatus.All.Where(SignatureRequestStatus.IsTerminal).Order().ToArray();

        Assert.Equal(new[] { "cancelled", "expired", "failed", "rejected", "signed" }, terminal);
    }
}
