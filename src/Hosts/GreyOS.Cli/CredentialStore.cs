using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using GreyOS.Client;

namespace GreyOS.Cli;

/// <summary>The credential file: one device key (and its session, while logged in) per node, keyed by <see cref="NodeAddress.Key"/>.</summary>
internal sealed class CredentialsFile
{
    /// <summary>The format this CLI writes: 2 = device keys that sign requests. Version 1 held bearer tokens, which nodes no longer accept.</summary>
    public const int CurrentVersion = 2;

    public int Version { get; set; } = CurrentVersion;

    public Dictionary<string, StoredSession> Nodes { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// What the CLI keeps for one node: the device key (<see cref="PrivateKey"/>, base64url of the
/// 32-byte Ed25519 seed), the node's id of that device, and the session the key signs for
/// (null after <c>greyos logout</c>: the key stays for <c>greyos login --key</c>).
/// The private key is never printed (not even by <see cref="ToString"/>).
/// </summary>
internal sealed record StoredSession(
    string UserName,
    string? SessionId,
    string? DeviceId,
    string PrivateKey,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset SavedAt)
{
    /// <summary>True while a session is stored (the CLI is logged in, as far as it knows).</summary>
    [JsonIgnore]
    public bool HasSession => SessionId is not null;

    /// <summary>Stores <paramref name="credential"/> (its key, session and device) for <paramref name="userName"/>.</summary>
    public static StoredSession From(string userName, DeviceCredential credential, DateTimeOffset? expiresAt)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var seed = credential.ExportSeed();
        try
        {
            return new StoredSession(userName, credential.SessionId, credential.DeviceId, Base64Url.EncodeToString(seed), expiresAt, DateTimeOffset.UtcNow);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>The stored key, bound to the stored session and device.</summary>
    public DeviceCredential ToCredential()
    {
        var seed = Base64Url.DecodeFromChars(PrivateKey);
        try
        {
            return DeviceCredential.FromSeed(seed, SessionId, DeviceId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>The same key without a session (after a logout).</summary>
    public StoredSession WithoutSession() => this with { SessionId = null, ExpiresAt = null, SavedAt = DateTimeOffset.UtcNow };

    /// <summary>True when <see cref="PrivateKey"/> is a 32-byte seed in base64url.</summary>
    internal bool HasValidKey()
    {
        if (string.IsNullOrEmpty(PrivateKey) || string.IsNullOrEmpty(UserName))
        {
            return false;
        }

        Span<byte> seed = stackalloc byte[64];
        try
        {
            return Base64Url.TryDecodeFromChars(PrivateKey, seed, out var written) && written == 32;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"StoredSession {{ UserName = {UserName}, SessionId = {SessionId}, DeviceId = {DeviceId}, PrivateKey = <secret>, ExpiresAt = {ExpiresAt}, SavedAt = {SavedAt} }}");
}

/// <summary>What the store knows about one node: its entry, or that it only has an outdated (version 1, bearer token) one.</summary>
internal readonly record struct StoredLookup(StoredSession? Session, bool Outdated);

/// <summary>
/// Stores device keys and sessions in <c>credentials.json</c> of the CLI's config folder
/// (<c>GREYOS_CONFIG_DIR</c>, else <c>$XDG_CONFIG_HOME/greyos</c>, else <c>~/.config/greyos</c>).
/// On Unix the folder is created 0700 and the file 0600; every write replaces the file atomically
/// (a temporary file in the same folder, flushed to disk, then renamed over the old one). A
/// version-1 file (bearer tokens) is read as "not logged in anywhere" and replaced on the next write.
/// </summary>
internal sealed class CredentialStore(string directory)
{
    public const string ConfigDirectoryVariable = "GREYOS_CONFIG_DIR";
    public const string FileName = "credentials.json";

    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Directory { get; } = directory;

    public string FilePath { get; } = Path.Combine(directory, FileName);

    /// <summary>The config folder from the environment (see the class summary).</summary>
    public static string ResolveDirectory(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment(ConfigDirectoryVariable) is { Length: > 0 } explicitDirectory)
        {
            return Path.GetFullPath(explicitDirectory);
        }

        if (environment("XDG_CONFIG_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "greyos");
        }

        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "greyos");
        }

        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrEmpty(home))
        {
            throw CliException.Failure($"cannot find the config folder: set {ConfigDirectoryVariable}, XDG_CONFIG_HOME or HOME");
        }

        return Path.Combine(home, ".config", "greyos");
    }

    /// <summary>The node's entry (key and session), or null.</summary>
    public async Task<StoredSession?> GetAsync(NodeAddress node, CancellationToken cancellationToken) =>
        (await LookupAsync(node, cancellationToken).ConfigureAwait(false)).Session;

    /// <summary>The node's entry, and whether an outdated (version 1) file had one for it.</summary>
    public async Task<StoredLookup> LookupAsync(NodeAddress node, CancellationToken cancellationToken)
    {
        var (file, outdatedNodes) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        return new StoredLookup(file.Nodes.GetValueOrDefault(node.Key), outdatedNodes.Contains(node.Key));
    }

    public async Task SetAsync(NodeAddress node, StoredSession session, CancellationToken cancellationToken)
    {
        var (file, _) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        file.Nodes[node.Key] = session;
        await WriteAsync(file, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets the node's key and session; false when there was none.</summary>
    public async Task<bool> RemoveAsync(NodeAddress node, CancellationToken cancellationToken)
    {
        var (file, outdatedNodes) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (!file.Nodes.Remove(node.Key) && !outdatedNodes.Contains(node.Key))
        {
            return false;
        }

        await WriteAsync(file, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The file (version 2), and the nodes an outdated version-1 file listed (their bearer tokens are dropped).</summary>
    private async Task<(CredentialsFile File, IReadOnlySet<string> OutdatedNodes)> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(FilePath))
        {
            return (new CredentialsFile(), new HashSet<string>());
        }

        try
        {
            var stream = File.OpenRead(FilePath);
            await using (stream.ConfigureAwait(false))
            {
                using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw Damaged("it is not a JSON object");
                }

                var version = root.TryGetProperty("version", out var v) && v.TryGetInt32(out var n) ? n : 1;
                if (version > CredentialsFile.CurrentVersion)
                {
                    throw CliException.Failure($"the credential file {FilePath} was written by a newer greyos (format {version.ToString(CultureInfo.InvariantCulture)}); update greyos, or delete the file and log in again");
                }

                if (version < CredentialsFile.CurrentVersion)
                {
                    // Bearer tokens of version 1: nodes no longer accept them. Nothing to use; the next write drops them.
                    var outdated = root.TryGetProperty("nodes", out var old) && old.ValueKind == JsonValueKind.Object
                        ? old.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal)
                        : new HashSet<string>(StringComparer.Ordinal);
                    return (new CredentialsFile(), outdated);
                }

                var file = root.Deserialize(CliJsonContext.Default.CredentialsFile);
                var nodes = new Dictionary<string, StoredSession>(file?.Nodes ?? [], StringComparer.Ordinal);
                if (nodes.FirstOrDefault(entry => entry.Value is null || !entry.Value.HasValidKey()) is { Key: { } badNode })
                {
                    throw Damaged($"the entry for {badNode} has no valid user name and 32-byte private key");
                }

                return (new CredentialsFile { Nodes = nodes }, new HashSet<string>());
            }
        }
        catch (JsonException ex)
        {
            throw Damaged(ex.Message.TrimEnd('.'));
        }
    }

    private CliException Damaged(string reason) =>
        CliException.Failure($"the credential file {FilePath} is damaged ({reason}); delete it and log in again");

    private async Task WriteAsync(CredentialsFile file, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory, OwnerOnlyFolder);
        }

        var temporary = Path.Combine(Directory, $".{FileName}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        file.Version = CredentialsFile.CurrentVersion;
        try
        {
            var stream = new FileStream(temporary, options);
            await using (stream.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(stream, file, CliJsonContext.Default.CredentialsFile, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, FilePath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
