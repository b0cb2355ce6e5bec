namespace SignatureService.Core.Documents;

/// <summary>Sex as coded on Japanese forms and in JAHIS records (1 男, 2 女; JIS X 0303 values).</summary>
public enum Sex
{
    /// <summary>男 (code 1).</summary>
    Male = 1,

    /// <summary>女 (code 2).</summary>
    Female = 2,
}
