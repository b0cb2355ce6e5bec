namespace SignatureService.Testing;

/// <summary>
/// The real dependencies prepared by scripts/test.sh. A missing variable fails the test with a message naming it: tests
/// never skip because a dependency is absent.
/// </summary>
internal static class TestEnvironment
{
    /// <summary>Connection string of the test cluster's maintenance database (a role that may create databases).</summary>
    public static string PostgresAdminConnectionString => Require("SIGNSVC_TEST_PG");

    public static string HsmModulePath => Require("SIGNSVC_TEST_HSM_MODULE");

    public static string HsmTokenLabel => Require("SIGNSVC_TEST_HSM_TOKEN");

    public static string HsmPinFile => Require("SIGNSVC_TEST_HSM_PIN_FILE");

    /// <summary>A token that only wrong-PIN tests use: PKCS#11 login state is per process, so no other test may log in to it.</summary>
    public static string HsmPinTestTokenLabel => Require("SIGNSVC_TEST_HSM_PIN_TEST_TOKEN");

    public static string Require(string name)
    {
        var value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"Environment variable {name} is not set. Run the tests with scripts/test.sh, which prepares PostgreSQL and SoftHSM2.");
        }

        return value;
    }
}
