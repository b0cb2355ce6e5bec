using System.Reflection;
using SignatureService.Core.Qualification;
using SignatureService.Pki.Errors;

namespace SignatureService.Pki.Tests;

public sealed class ConventionTests
{
    [Fact]
    public void PkiErrorCodes_AllConstants_AreUniqueListedAndPrefixed()
    {
        var constants = typeof(PkiErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToArray();

        Assert.Equal(constants.Length, constants.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(constants.Order(StringComparer.Ordinal), PkiErrorCodes.All.Order(StringComparer.Ordinal));
        Assert.All(constants, c => Assert.Matches("^pki\\.[a-z]+(-[a-z0-9]+)*$", c));
    }

    [Theory]
    [InlineData(typeof(PkiException))]
    [InlineData(typeof(HcRole))]
    public void PublicClasses_InPkiAndQualification_AreSealedStaticOrAbstract(Type anchor)
    {
        var offenders = anchor.Assembly.GetExportedTypes()
            .Where(t => t.IsClass && !t.IsSealed && !t.IsAbstract)
            .Where(t => t.Namespace?.StartsWith("SignatureService.Pki", StringComparison.Ordinal) == true ||
                        t.Namespace == typeof(HcRole).Namespace)
            .Where(t => t.Namespace?.Contains("XAdES", StringComparison.Ordinal) != true)
            .Select(t => t.FullName)
            .ToArray();

        Assert.Empty(offenders);
    }
}
