using System.Security.Cryptography;
using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Node;
using GreyOS.Identity.Keys;
using Microsoft.Extensions.Logging;
using NSec.Cryptography;

namespace GreyOS.Identity.Instance;

/// <summary>
/// The instance key pair. Created on first boot as <c>instance.key</c> (PKCS#8 PEM, mode 0600) in
/// the data folder and loaded on every later start, so the DID is stable across restarts and unique
/// per instance. A key file readable by others is refused, like ssh refuses such keys.
/// </summary>
internal sealed partial class InstanceIdentity(DataDirectory dataDirectory, ILogger<InstanceIdentity> logger)
    : IInstanceIdentity, INodeInitializer, IDisposable
{
    internal const string FileName = "instance.key";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    private Key? _key;
    private string? _did;
    private byte[] _publicKey = [];

    public int Order => 150;

    public string Did => _did ?? throw new InvalidOperationException("The instance identity is not loaded yet.");

    public ReadOnlyMemory<byte> PublicKey => _publicKey;

    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        var key = _key ?? throw new InvalidOperationException("The instance identity is not loaded yet.");
        return Algorithm.Sign(key, data);
    }

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        var path = dataDirectory.File(FileName);
        var created = false;
        if (File.Exists(path))
        {
            _key = Load(path);
        }
        else
        {
            _key = Create(path);
            created = true;
        }

        _publicKey = _key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        _did = DidKey.FromEd25519PublicKey(_publicKey);
        if (created)
        {
            LogCreated(logger, _did, path);
        }
        else
        {
            LogLoaded(logger, _did);
        }

        return Task.CompletedTask;
    }

    public void Dispose() => _key?.Dispose();

    private static Key Load(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                throw new NodeStartupException($"the instance key {path} is readable or writable by other users; run 'chmod 600 {path}'");
            }
        }

        try
        {
            var pem = File.ReadAllBytes(path);
            return Key.Import(Algorithm, pem, KeyBlobFormat.PkixPrivateKeyText, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });
        }
        catch (FormatException ex)
        {
            throw new NodeStartupException($"the instance key {path} is not a valid Ed25519 private key; restore it from a backup", ex);
        }
        catch (IOException ex)
        {
            throw new NodeStartupException($"cannot read the instance key {path}: {ex.Message}", ex);
        }
    }

    private static Key Create(string path)
    {
        using var exportable = Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var pem = exportable.Export(KeyBlobFormat.PkixPrivateKeyText);
        var temp = path + ".tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(pem);
                stream.Flush(flushToDisk: true);
            }

            // Atomic publish: a crash leaves either no key or the whole key, never half of one.
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException ex)
        {
            throw new NodeStartupException($"cannot write the instance key {path}: {ex.Message}", ex);
        }
        finally
        {
            File.Delete(temp);
        }

        CryptographicOperations.ZeroMemory(pem);
        return Key.Import(Algorithm, File.ReadAllBytes(path), KeyBlobFormat.PkixPrivateKeyText, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Created the instance identity {Did} in {Path}")]
    private static partial void LogCreated(ILogger logger, string did, string path);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Instance identity {Did}")]
    private static partial void LogLoaded(ILogger logger, string did);
}
