using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using SignatureService.WebAuthn.Trust;

namespace SignatureService.Api.Features.Identity;

/// <summary>
/// Development only (<c>WebAuthn:DevelopmentBrowserEmulator=true</c> with <c>ASPNETCORE_ENVIRONMENT=Development</c>): trusts the
/// WebAuthn emulation of Chromium's developer tools (DevTools → WebAuthn → "Enable virtual authenticator environment"), so the
/// first-run demo can be followed without a security key.
/// </summary>
/// <remarks>
/// Chromium's virtual authenticator (AAGUID <c>01020304-0506-0708-0102-030405060708</c>, <c>device/fido/virtual_ctap2_device.cc</c>)
/// returns packed attestation with a fresh self-signed "Batch Certificate" whose key is always the published example attestation
/// key of the FIDO U2F specification (Raw Message Formats v1.2). Anyone can sign with that key, so this "root" vouches for nothing:
/// it must never be trusted outside development, and <see cref="WebAuthnSettingsValidator"/> refuses to start otherwise.
/// </remarks>
public static class BrowserEmulatorTrust
{
    /// <summary>The AAGUID of Chromium's virtual CTAP2 authenticator.</summary>
    public static readonly Guid Aaguid = new("01020304-0506-0708-0102-030405060708");

    /// <summary>The subject (and issuer) of the emulator's batch attestation certificates, as .NET formats it.</summary>
    public const string Subject = "CN=Batch Certificate, OU=Authenticator Attestation, O=Chromium, C=US";

    // Note: the exact DER Chromium writes (C as PrintableString, the others UTF8String; captured from Chromium 14x's virtual
    // authenticator): the trust evaluator compares the pinned root's subject with the self-issued leaf byte for byte.
    private const string SubjectDer = "3060310B30090603550406130255533111300F060355040A0C084368726F6D69756D31223020060355040B0C1941757468656E74696361746F72204174746573746174696F6E311A301806035504030C114261746368204365727469666963617465";

    // FIDO U2F Raw Message Formats v1.2, registration example: the attestation private key (public knowledge).
    private const string PublishedExampleKey = "f3fccc0d00d8031954f90864d43c247f4bf5f0665c6b50cc17749a27d1cf7664";

    /// <summary>The allow-list entry for the emulator: a CA certificate with the batch subject and the published key.</summary>
    public static TrustedAuthenticator Create()
    {
        using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = Convert.FromHexString(PublishedExampleKey) });
        var request = new CertificateRequest(new X500DistinguishedName(Convert.FromHexString(SubjectDer)), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var withKey = request.CreateSelfSigned(
            new DateTimeOffset(2017, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return new TrustedAuthenticator(Aaguid, "Chromium DevTools virtual authenticator (DEVELOPMENT ONLY)",
            [X509CertificateLoader.LoadCertificate(withKey.RawData)]);
    }
}

/// <summary>Logs a loud warning at start when the browser emulator is trusted.</summary>
internal sealed partial class BrowserEmulatorWarning(IOptions<WebAuthnSettings> settings, ILogger<BrowserEmulatorWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.Value.DevelopmentBrowserEmulator)
        {
            EmulatorTrusted(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1801, Level = LogLevel.Warning,
        Message = "DEVELOPMENT ONLY: WebAuthn trusts the browser's built-in authenticator emulation (Chromium DevTools virtual authenticator). " +
                  "Its attestation key is public: keys registered this way prove nothing. Never enable WebAuthn:DevelopmentBrowserEmulator outside development.")]
    private static partial void EmulatorTrusted(ILogger logger);
}
