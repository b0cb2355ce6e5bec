using System.Text;
using SignatureService.Hsm.Cryptoki;
using SignatureService.Hsm.Tests.Infrastructure;

namespace SignatureService.Hsm.Tests.Token;

[Collection(SoftHsmTokenGroup.Name)]
public sealed class OpenErrorTests
{
    [Fact]
    public void Open_MissingModuleFile_ThrowsModuleNotLoadable()
    {
        var options = TestEnvironment.Options();
        options.ModulePath = "/nonexistent/" + Guid.NewGuid() + "/libpkcs11.so";

        var ex = Assert.Throws<HsmException>(() => HsmToken.Open(options));

        Assert.Equal(HsmErrorCode.ModuleNotLoadable, ex.Code);
    }

    [Fact]
    public void Open_LibraryThatIsNotPkcs11_ThrowsModuleNotLoadable()
    {
        var options = TestEnvironment.Options();
        options.ModulePath = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "libSystem.Native.so");

        var ex = Assert.Throws<HsmException>(() => HsmToken.Open(options));

        Assert.Equal(HsmErrorCode.ModuleNotLoadable, ex.Code);
    }

    [Fact]
    public void Open_FileThatIsNotALibrary_ThrowsModuleNotLoadable()
    {
        using var directory = new TemporaryDirectory();
        var options = TestEnvironment.Options();
        options.ModulePath = directory.Write("fake.so", "not an ELF file"u8.ToArray());

        var ex = Assert.Throws<HsmException>(() => HsmToken.Open(options));

        Assert.Equal(HsmErrorCode.ModuleNotLoadable, ex.Code);
    }

    [Fact]
    public void Open_UnknownTokenLabel_ThrowsTokenNotFound()
    {
        var options = TestEnvironment.Options();
        options.TokenLabel = "no-such-token-" + Guid.NewGuid().ToString("N")[..8];

        var ex = Assert.Throws<HsmException>(() => HsmToken.Open(options));

        Assert.Equal(HsmErrorCode.TokenNotFound, ex.Code);
    }

    [Fact]
    public void Open_InvalidOptions_ThrowsInvalidOptions()
    {
        var ex = Assert.Throws<HsmException>(() => HsmToken.Open(new HsmOptions()));

        Assert.Equal(HsmErrorCode.InvalidOptions, ex.Code);
    }

    [Fact]
    public void Open_PinFromEnvironmentVariable_LogsIn()
    {
        var name = "SIGNSVC_TEST_PIN_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, TestEnvironment.ReadPin());
        try
        {
            var options = TestEnvironment.Options(poolSize: 1);
            options.PinFile = null;
            options.PinEnvironmentVariable = name;

            using var token = HsmToken.Open(options);

            Assert.Equal(TestEnvironment.TokenLabel, token.TokenLabel);
            token.CheckAvailable();
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Open_BadPinsOnThrowAwayToken_ThrowTypedErrorsAndTheRightPinLogsIn()
    {
        // A separate token, initialised here in SoftHSM2's free slot, so wrong PINs never touch the shared test token.
        // Note: PKCS#11 login state is per application and token (base §5.6): while any session of this process is logged
        //       in to a token, a further login is not checked, so PIN failures are only observable on a token nobody uses.
        var label = "wrong-pin-" + Guid.NewGuid().ToString("N")[..8];
        var userPin = "right-" + Guid.NewGuid().ToString("N")[..8];
        var module = CryptokiModule.AcquireShared(TestEnvironment.ModulePath);
        try
        {
            InitThrowAwayToken(module, label, userPin);
            using var directory = new TemporaryDirectory();
            var options = TestEnvironment.Options(poolSize: 1);
            options.TokenLabel = label;
            options.PinFile = null;
            options.PinEnvironmentVariable = "SIGNSVC_TEST_UNSET_" + Guid.NewGuid().ToString("N");
            var unavailable = Assert.Throws<HsmException>(() => HsmToken.Open(options));
            Assert.Equal(HsmErrorCode.PinUnavailable, unavailable.Code);

            options.PinEnvironmentVariable = null;
            options.PinFile = directory.Write("wrong.pin", Encoding.UTF8.GetBytes("wrong-" + userPin + "\n"));
            var ex = Assert.Throws<Pkcs11Exception>(() => HsmToken.Open(options));

            Assert.Equal("C_Login", ex.Function);
            Assert.Equal(CkReturnValue.CKR_PIN_INCORRECT, ex.ReturnValue);

            options.PinFile = directory.Write("right.pin", Encoding.UTF8.GetBytes(userPin + "\n"));
            using var token = HsmToken.Open(options);
            Assert.Equal(label, token.TokenLabel);
        }
        finally
        {
            module.ReleaseShared();

            // Best effort: keep the token directory from filling up with throw-away tokens.
            _ = ExternalTool.Run("softhsm2-util", "--delete-token", "--token", label);
        }
    }

    private static void InitThrowAwayToken(CryptokiModule module, string label, string userPin)
    {
        var soPin = Encoding.UTF8.GetBytes("so-" + Guid.NewGuid().ToString("N"));
        var freeSlot = module.GetSlotsWithToken().First(slot => (module.GetTokenLabel(slot).Flags & Ck.CKF_TOKEN_INITIALIZED) == 0);
        module.InitToken(freeSlot, soPin, label);
        using var session = module.OpenSession(freeSlot, owner: null!);
        CryptokiModule.Check(module.Login(session.Value, Ck.CKU_SO, soPin), "C_Login");
        module.InitUserPin(session.Value, Encoding.UTF8.GetBytes(userPin));
        CryptokiModule.Check(module.Logout(session.Value), "C_Logout");
    }
}
