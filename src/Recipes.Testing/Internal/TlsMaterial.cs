using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Recipes.Testing.Internal;

/// <summary>A self-signed server certificate for <c>localhost</c> / 127.0.0.1, written as a PKCS#12 key store for the JVM.</summary>
internal sealed class TlsMaterial
{
    private TlsMaterial(X509Certificate2 certificate, string keyStorePath, string keyStorePassword)
    {
        Certificate = certificate;
        KeyStorePath = keyStorePath;
        KeyStorePassword = keyStorePassword;
    }

    /// <summary>The certificate without its private key (what clients trust).</summary>
    public X509Certificate2 Certificate { get; }

    public string KeyStorePath { get; }

    public string KeyStorePassword { get; }

    public static TlsMaterial Create(string directory)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        var now = DateTimeOffset.UtcNow;
        using var withKey = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var path = Path.Combine(directory, "server.p12");
        File.WriteAllBytes(path, withKey.Export(X509ContentType.Pkcs12, password));
        var publicOnly = X509CertificateLoader.LoadCertificate(withKey.RawData);
        return new TlsMaterial(publicOnly, path, password);
    }
}
