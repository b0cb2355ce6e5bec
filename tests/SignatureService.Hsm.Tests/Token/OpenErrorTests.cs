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
        // A separate token, initialised in SoftHSM2's free slot, so wrong PINs never touch the shared test token.
        // Note: PKCS#11 login state is per application and token (base §5.6): while any session of this process is logged
        //       in to a token, a further login is not checked, so PIN failures are only observable on a token nobody uses.
        var throwAway = ThrowAwayToken.Instance;
        using var directory = new TemporaryDirectory();
        var options = throwAway.Options(directory, "wrong-" + throwAway.UserPin);
        options.PinFile = null;
        options.PinEnvironmentVariable = "SIGNSVC_TEST_UNSET_" + Guid.NewGuid().ToString("N");
        var unavailable = Assert.Throws<HsmException>(() => HsmToken.Open(options));
        Assert.Equal(HsmErrorCode.PinUnavailable, unavailable.Code);

        options = throwAway.Options(directory, "wrong-" + throwAway.UserPin);
        var ex = Assert.Throws<Pkcs11Exception>(() => HsmToken.Open(options));
        Assert.Equal("C_Login", ex.Function);
        Assert.Equal(CkReturnValue.CKR_PIN_INCORRECT, ex.ReturnValue);

        using var token = HsmToken.Open(throwAway.Options(directory, throwAway.UserPin));
        Assert.Equal(throwAway.Label, token.TokenLabel);
    }

    [Fact]
    public void Sign_PinFileTurnsWrongAfterLogout_RefusedPinIsNotOfferedAgainUntilTheFileChanges()
    {
        var throwAway = ThrowAwayToken.Instance;
        using var directory = new TemporaryDirectory();
        var options = throwAway.Options(directory, throwAway.UserPin);
        var logger = new CollectingLogger();
        using var token = HsmToken.Open(options, logger);
        var id = TestEnvironment.NewKeyId();
        var key = token.GenerateKeyPair(HsmKeyAlgorithm.EcP256, "pin-rotation", id);
        try
        {
            File.WriteAllText(options.PinFile!, "stale-" + throwAway.UserPin);
            var session = token.Pool.Rent();
            Assert.Equal(CkReturnValue.CKR_OK, token.Module.Logout(session.Value));
            token.Pool.Return(session);

            var first = Assert.Throws<Pkcs11Exception>(() => key.Sign(HsmSignatureMechanism.Ecdsa, new byte[32]));
            var second = Assert.Throws<Pkcs11Exception>(() => key.Sign(HsmSignatureMechanism.Ecdsa, new byte[32]));

            Assert.Equal(CkReturnValue.CKR_PIN_INCORRECT, first.ReturnValue);
            Assert.Equal(CkReturnValue.CKR_PIN_INCORRECT, second.ReturnValue);
            Assert.Single(logger.Events, e => e.Id.Id == 2005);

            File.WriteAllText(options.PinFile!, throwAway.UserPin + "\n");
            Assert.Equal(64, key.Sign(HsmSignatureMechanism.Ecdsa, new byte[32]).Length);
        }
        finally
        {
            File.WriteAllText(options.PinFile!, throwAway.UserPin);
            token.DestroyKey(id);
        }
    }

    /// <summary>
    /// A token initialised once per test process in SoftHSM2's free slot (C_InitToken, C_InitPIN); it is deleted with
    /// softhsm2-util when the process exits.
    /// </summary>
    private sealed class ThrowAwayToken
    {
        private static readonly Lazy<ThrowAwayToken> Shared = new(Create);

        private ThrowAwayToken(string label, string userPin)
        {
            Label = label;
            UserPin = userPin;
        }

        public static ThrowAwayToken Instance => Shared.Value;

        public string Label { get; }

        public string UserPin { get; }

        public HsmOptions Options(TemporaryDirectory directory, string pin)
        {
            var options = TestEnvironment.Options(poolSize: 2);
            options.TokenLabel = Label;
            options.PinFile = directory.Write(Guid.NewGuid().ToString("N") + ".pin", Encoding.UTF8.GetBytes(pin + "\n"));
            return options;
        }

        private static ThrowAwayToken Create()
        {
            var label = "throw-away-" + Guid.NewGuid().ToString("N")[..8];
            var userPin = "right-" + Guid.NewGuid().ToString("N")[..8];
            var soPin = Encoding.UTF8.GetBytes("so-" + Guid.NewGuid().ToString("N"));
            var module = CryptokiModule.AcquireShared(TestEnvironment.ModulePath);
            try
            {
                var freeSlot = module.GetSlotsWithToken().First(slot => (module.GetTokenLabel(slot).Flags & Ck.CKF_TOKEN_INITIALIZED) == 0);
                module.InitToken(freeSlot, soPin, label);
                using var session = module.OpenSession(freeSlot, owner: null!);
                CryptokiModule.Check(module.Login(session.Value, Ck.CKU_SO, soPin), "C_Login");
                module.InitUserPin(session.Value, Encoding.UTF8.GetBytes(userPin));
                CryptokiModule.Check(module.Logout(session.Value), "C_Logout");
            }
            finally
            {
                module.ReleaseShared();
            }

            // Best effort: keep the token directory from filling up with throw-away tokens.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => ExternalTool.Run("softhsm2-util", "--delete-token", "--token", label);
            return new ThrowAwayToken(label, userPin);
        }
    }
}
