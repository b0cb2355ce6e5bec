using System.Reflection;
using SignatureService.WebAuthn.Errors;

namespace SignatureService.WebAuthn.Tests;

public sealed class ErrorCatalogueTests
{
    [Fact]
    public void All_EveryConstant_IsListedOnceWithTheWebAuthnPrefix()
    {
        var constants = typeof(WebAuthnErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

        Assert.Equal(constants.Count, constants.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(constants.Order(StringComparer.Ordinal), WebAuthnErrorCodes.All.Order(StringComparer.Ordinal));
        Assert.All(constants, c => Assert.Matches("^webauthn\\.[a-z0-9-]+$", c));
    }

    [Fact]
    public void PublicTypes_AreSealedOrStaticOrEnums()
    {
        var open = typeof(WebAuthnErrorCodes).Assembly.GetExportedTypes()
            .Where(t => t.IsClass && !t.IsSealed && !t.IsAbstract)
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(open);
    }
}
