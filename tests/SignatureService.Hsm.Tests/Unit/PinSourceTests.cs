using System.Text;

namespace SignatureService.Hsm.Tests.Unit;

public sealed class PinSourceTests
{
    [Theory]
    [InlineData("1234\n")]
    [InlineData("1234\r\n")]
    [InlineData("1234")]
    public void Use_PinFileWithLineEnd_YieldsPinWithoutLineEnd(string content)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, content);

            var pin = new PinSource(path, null).Use(p => Encoding.UTF8.GetString(p.Span));

            Assert.Equal("1234", pin);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Use_BufferAfterUse_IsZeroed()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "secret-pin");
            ReadOnlyMemory<byte> seen = default;

            new PinSource(path, null).Use(p => seen = p);

            Assert.True(seen.Length > 0);
            Assert.All(seen.ToArray(), b => Assert.Equal(0, b));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    public void Use_EmptyPinFile_ThrowsPinUnavailable(string content)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, content);

            var ex = Assert.Throws<HsmException>(() => new PinSource(path, null).Use(p => p.Length));

            Assert.Equal(HsmErrorCode.PinUnavailable, ex.Code);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Use_PinFileOverLimit_ThrowsPinUnavailable()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, new string('7', PinSource.MaxPinBytes + 1));

            var ex = Assert.Throws<HsmException>(() => new PinSource(path, null).Use(p => p.Length));

            Assert.Equal(HsmErrorCode.PinUnavailable, ex.Code);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Use_MissingPinFile_ThrowsPinUnavailable()
    {
        var ex = Assert.Throws<HsmException>(() => new PinSource("/nonexistent/" + Guid.NewGuid(), null).Use(p => p.Length));

        Assert.Equal(HsmErrorCode.PinUnavailable, ex.Code);
    }

    [Fact]
    public void Use_EnvironmentVariable_YieldsItsValue()
    {
        var name = "SIGNSVC_TEST_PIN_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, "9876");
        try
        {
            var pin = new PinSource(null, name).Use(p => Encoding.UTF8.GetString(p.Span));

            Assert.Equal("9876", pin);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Use_UnsetEnvironmentVariable_ThrowsPinUnavailable()
    {
        var ex = Assert.Throws<HsmException>(
            () => new PinSource(null, "SIGNSVC_TEST_UNSET_" + Guid.NewGuid().ToString("N")).Use(p => p.Length));

        Assert.Equal(HsmErrorCode.PinUnavailable, ex.Code);
    }
}
