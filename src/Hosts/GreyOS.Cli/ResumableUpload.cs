using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GreyOS.Client;
using GreyOS.Protocol;

namespace GreyOS.Cli;

/// <summary>
/// <c>greyos fs put</c> of a large file (at least <see cref="Threshold"/>, or any with
/// <c>--resumable</c>): a resumable upload in parts, which survives broken connections and resumes
/// after the CLI itself was stopped. The upload id is remembered per node, local file (full path,
/// size, modification time) and remote path in <c>uploads.json</c> next to the credential file
/// (0600); running the same <c>put</c> again continues where the node's offset stands.
/// </summary>
internal static class ResumableUpload
{
    /// <summary>Files at least this big go up resumably: 64 MiB.</summary>
    public const long Threshold = 64L * 1024 * 1024;

    /// <summary>The state file's name in the CLI's config folder.</summary>
    public const string StateFileName = "uploads.json";

    /// <summary>Entries older than this are forgotten (the node drops uploads after 24 h without a part).</summary>
    private static readonly TimeSpan Forget = TimeSpan.FromDays(2);

    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static bool Applies(long length, bool requested) => requested || length >= Threshold;

    /// <summary>Uploads <paramref name="file"/> (open, at position 0) resumably; continues the upload an earlier run of the same put started.</summary>
    public static async Task<FileEntryResponse> UploadAsync(
        CommandContext context, FileStream file, string localPath, string remotePath, string? ifMatch, bool createOnly, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var state = Path.Combine(context.Store.Directory, StateFileName);
        var full = Path.GetFullPath(localPath);
        var length = file.Length;
        var modified = File.GetLastWriteTimeUtc(full);
        var key = string.Join('|', context.Node.Key, full, length.ToString(CultureInfo.InvariantCulture),
            modified.Ticks.ToString(CultureInfo.InvariantCulture), GreyOSClient.NormalizeFilePath(remotePath));
        var known = Read(state).Uploads.GetValueOrDefault(key)?.Id;
        string? id = null;
        var options = new ResumableUploadOptions
        {
            IfMatch = ifMatch,
            CreateOnly = createOnly,
            ResumeId = known,
            Progress = progress,
            Started = upload =>
            {
                id = upload.Id;
                if (upload.Id != known)
                {
                    Update(state, uploads => uploads[key] = new UploadRecord(upload.Id, DateTimeOffset.UtcNow));
                }
            },
        };

        try
        {
            var entry = await context.Client.UploadResumableAsync(remotePath, file, length, options, cancellationToken).ConfigureAwait(false);
            Update(state, uploads => uploads.Remove(key));
            return entry;
        }
        catch (GreyOSApiException) when (id is not null)
        {
            // The node refused the file (a precondition, access, the parent folder): the staged bytes are of no use.
            try
            {
                await context.Client.CancelUploadAsync(id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is GreyOSApiException or GreyOSConnectionException)
            {
                // It expires on its own.
            }

            Update(state, uploads => uploads.Remove(key));
            throw;
        }
        catch (Exception ex) when (id is not null && ex is GreyOSConnectionException or OperationCanceledException)
        {
            await context.IO.Error.WriteLineAsync($"greyos: the node keeps what arrived of {localPath}: run the same command again to resume the upload").ConfigureAwait(false);
            throw;
        }
    }

    private static UploadStateFile Read(string path)
    {
        try
        {
            return File.Exists(path)
                ? JsonSerializer.Deserialize(File.ReadAllText(path), UploadStateJsonContext.Default.UploadStateFile) ?? new UploadStateFile()
                : new UploadStateFile();
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            // A damaged state file only costs a resume: start afresh.
            return new UploadStateFile();
        }
    }

    /// <summary>Changes the state file (replaced atomically, owner-only); a failure to save only costs a later resume.</summary>
    private static void Update(string path, Action<Dictionary<string, UploadRecord>> change)
    {
        try
        {
            var file = Read(path);
            change(file.Uploads);
            var cutoff = DateTimeOffset.UtcNow - Forget;
            foreach (var stale in file.Uploads.Where(u => u.Value.SavedAt < cutoff).Select(u => u.Key).ToList())
            {
                file.Uploads.Remove(stale);
            }

            var folder = Path.GetDirectoryName(path)!;
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, OwnerOnlyFolder);
            }

            var temporary = Path.Combine(folder, $".{StateFileName}.{Guid.NewGuid():N}.tmp");
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnlyFile;
            }

            using (var stream = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(stream, file, UploadStateJsonContext.Default.UploadStateFile);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not remembered: the next put starts a new upload.
        }
    }
}

/// <summary><c>uploads.json</c>: the upload id per node, local file and remote path.</summary>
internal sealed class UploadStateFile
{
    public int Version { get; set; } = 1;

    public Dictionary<string, UploadRecord> Uploads { get; set; } = new(StringComparer.Ordinal);
}

internal sealed record UploadRecord(string Id, DateTimeOffset SavedAt);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(UploadStateFile))]
internal sealed partial class UploadStateJsonContext : JsonSerializerContext;
