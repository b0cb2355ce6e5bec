using SignatureService.Core.Proofing;

namespace SignatureService.Core.Tests.Proofing;

public sealed class ApplicantRulesTests
{
    private static readonly DateOnly Today = new(2026, 11, 21);

    [Theory]
    [InlineData("ヤマダ")]
    [InlineData("やまだ")]
    [InlineData("ヤマダ　タロウ")]
    [InlineData("ｻﾄｳ")]
    [InlineData("ヤマモト・ジョー")]
    public void Kana_KanaText_IsAccepted(string value)
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Equal(value, ApplicantRules.Kana(errors, "familyNameKana", value));
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("山田")]
    [InlineData("Yamada")]
    [InlineData("ヤマダ1")]
    [InlineData("ヤマダ\u0007")]
    public void Kana_OtherCharacters_NameTheField(string value)
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Null(ApplicantRules.Kana(errors, "familyNameKana", value));
        Assert.True(errors.ContainsKey("familyNameKana"));
    }

    [Theory]
    [InlineData("2026-02-30")]
    [InlineData("1985/05/06")]
    [InlineData("1890-01-01")]
    [InlineData("2015-01-01")]
    [InlineData("2030-01-01")]
    public void DateOfBirth_InvalidOrImpossibleAge_NamesTheField(string value)
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Null(ApplicantRules.DateOfBirth(errors, "dateOfBirth", value, Today));
        Assert.True(errors.ContainsKey("dateOfBirth"));
    }

    [Fact]
    public void DateOfBirth_EighteenToday_IsAccepted()
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Equal(new DateOnly(2008, 11, 21), ApplicantRules.DateOfBirth(errors, "dateOfBirth", "2008-11-21", Today));
        Assert.Empty(errors);
    }

    [Fact]
    public void Text_Oversized_NamesTheField()
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Null(ApplicantRules.Text(errors, "address", new string('あ', 201), 200));
        Assert.True(errors.ContainsKey("address"));
    }

    [Theory]
    [InlineData("1234 5678 9012", "********9012")]
    [InlineData("TK-1234567", "*****4567")]
    [InlineData("123", "***")]
    public void Mask_ShowsOnlyTheLastFour(string number, string masked) => Assert.Equal(masked, ApplicantRules.Mask(number));
}
