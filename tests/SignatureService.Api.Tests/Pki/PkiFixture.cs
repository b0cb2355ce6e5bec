using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SignatureService.Api.Features.Hsm;
using SignatureService.Api.Features.Pki;
using SignatureService.Api.Tests.Infrastructure;
using SignatureService.Data;
using SignatureService.Data.Audit;
using SignatureService.Data.Users;
using SignatureService.Testing;

namespace SignatureService.Api.Tests.Pki;

/// <summary>
/// One running service over its own database with the CA hierarchy initialised in the real SoftHSM2 token. Tests share the
/// hierarchy (as relying parties do) but each creates its own signers, licenses and certificates, so order never matters.
/// </summary>
public sealed class PkiFixture : IAsyncLifetime
{
    private static int _licenseCounter;
    private ServiceFactory _factory = null!;
    private TestDatabase _database = null!;

    internal ServiceFactory Factory => _factory;

    public HttpClient Client { get; private set; } = null!;

    internal TestDatabase Database => _database;

    public static AuditActor Operator { get; } = new("cli", "test-operator");

    public async Task InitializeAsync()
    {
        (_factory, _database) = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["Pki:PublicBaseUrl"] = "http://pki.test",
        });
        Client = await _factory.StartAsync();
        var hsm = _factory.Services.GetRequiredService<HsmConnection>();
        for (var i = 0; hsm.HealthKey is null; i++)
        {
            Assert.True(i < 600, $"HSM not ready: {hsm.State}");
            await Task.Delay(50);
        }

        var result = await WithScopeAsync(sp => sp.GetRequiredService<InitializeCertificateAuthority>().InitializeAsync(Operator, CancellationToken.None));
        Assert.True(result.Created);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        await _database.DisposeAsync();
    }

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public Task<T> WithDbAsync<T>(Func<SignatureServiceDbContext, Task<T>> action) =>
        WithScopeAsync(sp => action(sp.GetRequiredService<SignatureServiceDbContext>()));

    public async Task<X509Certificate2> GetCaAsync(string name) =>
        X509CertificateLoader.LoadCertificate(await Client.GetByteArrayAsync(new Uri($"/pki/ca/{name}.cer", UriKind.Relative)));

    public async Task<byte[]> GetCrlAsync(string name) => await Client.GetByteArrayAsync(new Uri($"/pki/crl/{name}.crl", UriKind.Relative));

    /// <summary>A unique license number for this run.</summary>
    public static string NewLicenseNumber() => $"T{Environment.ProcessId % 10000:D4}-{Interlocked.Increment(ref _licenseCounter):D6}";

    /// <summary>Registry CSV text with the header and the given rows.</summary>
    public static byte[] Csv(params string[] rows) =>
        Encoding.UTF8.GetBytes(ImportLicenseRegistry.Header + "\n" + string.Join("\n", rows) + "\n");

    /// <summary>A new user with an imported, verified license of <paramref name="profession"/>.</summary>
    public async Task<(Guid UserId, string LicenseNumber)> CreateQualifiedSignerAsync(string profession = "doctor")
    {
        var userId = Guid.CreateVersion7();
        var number = NewLicenseNumber();
        await WithDbAsync(async db =>
        {
            db.Users.Add(new UserRecord
            {
                Id = userId,
                DisplayName = "Test Signer",
                Status = "active",
                Roles = [UserRoles.Signer],
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            });
            return await db.SaveChangesAsync();
        });
        await WithScopeAsync(sp => sp.GetRequiredService<ImportLicenseRegistry>().ImportAsync(
            Csv($"{profession},{number},2010-04-01,山田 太郎,1980-01-02,active"), Operator, CancellationToken.None));
        await WithScopeAsync(sp => sp.GetRequiredService<VerifySignerLicense>().VerifyAsync(
            new LicenseClaim(userId, profession, number, "山田　太郎", new DateOnly(1980, 1, 2)), Operator, CancellationToken.None));
        return (userId, number);
    }

    /// <summary>A qualified signer with an issued signing certificate.</summary>
    public async Task<(Guid UserId, string LicenseNumber, IssuedCertificate Certificate)> CreateCertifiedSignerAsync(string profession = "doctor")
    {
        var (userId, number) = await CreateQualifiedSignerAsync(profession);
        var issued = await WithScopeAsync(sp => sp.GetRequiredService<IssueSignerCertificate>().IssueAsync(
            new SignerCertificateInput(userId, "Example Clinic", "例クリニック", "YAMADA TARO", "山田 太郎"), Operator, CancellationToken.None));
        return (userId, number, issued);
    }

    public Task<CertificateStatusResult> RevokeAsync(string serial) =>
        WithScopeAsync(sp => sp.GetRequiredService<CertificateStatusChanges>().RevokeAsync(
            serial, SignatureService.Pki.Revocation.RevocationReason.KeyCompromise, null, Operator, CancellationToken.None));

    public Task<CertificateStatusResult> SuspendAsync(string serial) =>
        WithScopeAsync(sp => sp.GetRequiredService<CertificateStatusChanges>().SuspendAsync(serial, Operator, CancellationToken.None));

    public Task<CertificateStatusResult> ResumeAsync(string serial) =>
        WithScopeAsync(sp => sp.GetRequiredService<CertificateStatusChanges>().ResumeAsync(serial, Operator, CancellationToken.None));

    public Task<string> StatusAsync(string serialHex)
    {
        var serial = Convert.FromHexString(serialHex);
        return WithDbAsync(db => db.Certificates.Where(c => c.SerialNumber == serial).Select(c => c.Status).SingleAsync());
    }
}

[CollectionDefinition(Name)]
public sealed class PkiGroup : ICollectionFixture<PkiFixture>
{
    public const string Name = "pki";
}
