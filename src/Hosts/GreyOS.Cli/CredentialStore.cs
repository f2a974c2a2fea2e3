using System.Text.Json;

namespace GreyOS.Cli;

/// <summary>The credential file: one stored session per node (keyed by <see cref="NodeAddress.Key"/>).</summary>
internal sealed class CredentialsFile
{
    public int Version { get; set; } = 1;

    public Dictionary<string, StoredSession> Nodes { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A session token the CLI keeps for one node. The token is never printed.</summary>
internal sealed record StoredSession(string Token, string SessionId, string UserName, DateTimeOffset ExpiresAt, DateTimeOffset SavedAt);

/// <summary>
/// Stores session tokens in <c>credentials.json</c> of the CLI's config folder
/// (<c>GREYOS_CONFIG_DIR</c>, else <c>$XDG_CONFIG_HOME/greyos</c>, else <c>~/.config/greyos</c>).
/// On Unix the folder is created 0700 and the file 0600; every write replaces the file atomically
/// (a temporary file in the same folder, flushed to disk, then renamed over the old one).
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

    public async Task<StoredSession?> GetAsync(NodeAddress node, CancellationToken cancellationToken)
    {
        var file = await ReadAsync(cancellationToken).ConfigureAwait(false);
        return file.Nodes.GetValueOrDefault(node.Key);
    }

    public async Task SetAsync(NodeAddress node, StoredSession session, CancellationToken cancellationToken)
    {
        var file = await ReadAsync(cancellationToken).ConfigureAwait(false);
        file.Nodes[node.Key] = session;
        await WriteAsync(file, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets the node's session; false when there was none.</summary>
    public async Task<bool> RemoveAsync(NodeAddress node, CancellationToken cancellationToken)
    {
        var file = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (!file.Nodes.Remove(node.Key))
        {
            return false;
        }

        await WriteAsync(file, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<CredentialsFile> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(FilePath))
        {
            return new CredentialsFile();
        }

        try
        {
            var stream = File.OpenRead(FilePath);
            await using (stream.ConfigureAwait(false))
            {
                var file = await JsonSerializer.DeserializeAsync(stream, CliJsonContext.Default.CredentialsFile, cancellationToken).ConfigureAwait(false);
                return file is null
                    ? new CredentialsFile()
                    : new CredentialsFile { Version = file.Version, Nodes = new Dictionary<string, StoredSession>(file.Nodes ?? [], StringComparer.Ordinal) };
            }
        }
        catch (JsonException ex)
        {
            throw CliException.Failure($"the credential file {FilePath} is damaged ({ex.Message.TrimEnd('.')}); delete it and log in again");
        }
    }

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
