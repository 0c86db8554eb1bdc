using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Recipes.Testing.Internal;

/// <summary>
/// A fresh self-signed test CA and a server certificate it issued for <c>localhost</c> / 127.0.0.1; the server's key
/// and certificate are written as a password-protected PKCS#12 key store for the JVM.
/// </summary>
internal sealed class TlsMaterial
{
    private TlsMaterial(X509Certificate2 certificate, X509Certificate2 authority, string keyStorePath, string keyStorePassword)
    {
        Certificate = certificate;
        Authority = authority;
        KeyStorePath = keyStorePath;
        KeyStorePassword = keyStorePassword;
    }

    /// <summary>The server certificate without its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA that issued <see cref="Certificate"/>, without its private key (what clients trust).</summary>
    public X509Certificate2 Authority { get; }

    public string KeyStorePath { get; }

    public string KeyStorePassword { get; }

    public static TlsMaterial Create(string directory)
    {
        var now = DateTimeOffset.UtcNow;
        using var authorityKey = RSA.Create(2048);
        var authorityRequest = new CertificateRequest("CN=Recipes Test CA", authorityKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, false));
        using var authority = authorityRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(2));

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
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(authority, now.AddDays(-1), now.AddYears(1), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var path = Path.Combine(directory, "server.p12");
        File.WriteAllBytes(path, withKey.Export(X509ContentType.Pkcs12, password));
        var publicOnly = X509CertificateLoader.LoadCertificate(withKey.RawData);
        return new TlsMaterial(publicOnly, X509CertificateLoader.LoadCertificate(authority.RawData), path, password);
    }
}
