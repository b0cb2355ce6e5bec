namespace SignatureService.Hsm.Tests.Infrastructure;

/// <summary>
/// The SoftHSM2 test token contract: the test script exports these variables before <c>dotnet test</c>.
/// A missing variable fails the test with a message naming it (tests never skip).
/// </summary>
internal static class TestEnvironment
{
    public const string ModuleVariable = "SIGNSVC_TEST_HSM_MODULE";
    public const string TokenVariable = "SIGNSVC_TEST_HSM_TOKEN";
    public const string PinFileVariable = "SIGNSVC_TEST_HSM_PIN_FILE";
    public const string SoPinFileVariable = "SIGNSVC_TEST_HSM_SO_PIN_FILE";
    public const string SoftHsmConfVariable = "SOFTHSM2_CONF";

    public static string ModulePath => Require(ModuleVariable);

    public static string TokenLabel => Require(TokenVariable);

    public static string PinFile => Require(PinFileVariable);

    public static string SoPinFile => Require(SoPinFileVariable);

    public static string Require(string name)
    {
        var value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"Environment variable {name} is not set. The HSM tests need a SoftHSM2 token: export {SoftHsmConfVariable}, " +
                $"{ModuleVariable}, {TokenVariable}, {PinFileVariable} and {SoPinFileVariable} (the repository's test script prepares them).");
        }

        return value;
    }

    public static HsmOptions Options(int poolSize = 8) => new()
    {
        ModulePath = ModulePath,
        TokenLabel = TokenLabel,
        PinFile = PinFile,
        SessionPoolSize = poolSize,
    };

    public static string ReadPin() => File.ReadAllText(PinFile).TrimEnd('\r', '\n');

    /// <summary>A fresh 16-byte CKA_ID, so tests never collide whatever their order.</summary>
    public static byte[] NewKeyId() => Guid.NewGuid().ToByteArray();
}
