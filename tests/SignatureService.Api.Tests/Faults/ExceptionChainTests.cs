using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SignatureService.Api.Features.Signing;
using SignatureService.Api.Problems;
using SignatureService.Hsm;
using SignatureService.Pki.Errors;
using SignatureService.Pki.XAdES;

namespace SignatureService.Api.Tests.Faults;

/// <summary>Outages are recognised through the wrappers the layers put around them, and faults of the request are not.</summary>
public sealed class ExceptionChainTests
{
    [Fact]
    public void DependencyOutage_HsmOrTsaFailureWrappedByXades_IsRecognised()
    {
        Assert.True(SignApprovedRequest.IsDependencyOutage(
            new XadesException(XadesErrorCodes.TimestampSourceFailed, "wrapped", new HsmUnavailableException("gone"))));
        Assert.True(SignApprovedRequest.IsDependencyOutage(
            new XadesException(XadesErrorCodes.TimestampSourceFailed, "wrapped", new PkiException(PkiErrorCodes.TimestampRejected, "TSA 503"))));
    }

    [Fact]
    public void DependencyOutage_FaultOfTheRequest_IsNot()
    {
        Assert.False(SignApprovedRequest.IsDependencyOutage(new XadesException(XadesErrorCodes.StructureInvalid, "bad document")));
        Assert.False(SignApprovedRequest.IsDependencyOutage(new PkiException(PkiErrorCodes.MalformedEncoding, "bad DER")));
        Assert.False(SignApprovedRequest.IsDependencyOutage(new InvalidOperationException("bug")));
    }

    [Fact]
    public void DatabaseUnavailable_TransientNpgsqlErrorWrappedByEfCore_IsRecognised_ButOtherErrorsAreNot()
    {
        var lost = new NpgsqlException("connection lost", new SocketException((int)SocketError.ConnectionRefused));
        Assert.True(lost.IsTransient);

        Assert.True(ProblemExceptionHandler.IsDatabaseUnavailable(new DbUpdateException("save failed", lost)));
        Assert.True(ProblemExceptionHandler.IsDatabaseUnavailable(new InvalidOperationException("auth", lost)));
        Assert.False(ProblemExceptionHandler.IsDatabaseUnavailable(new DbUpdateException("constraint", new InvalidOperationException("x"))));
        Assert.False(ProblemExceptionHandler.IsDatabaseUnavailable(new InvalidOperationException("bug")));
    }
}
