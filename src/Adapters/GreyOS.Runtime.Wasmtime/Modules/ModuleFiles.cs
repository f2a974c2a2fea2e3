namespace GreyOS.Runtime.Wasmtime.Modules;

/// <summary>
/// The on-disk module cache, <c>&lt;data&gt;/modules/</c>: <c>&lt;sha256&gt;.wasm</c> (the uploaded bytes, the
/// source of truth) and <c>&lt;sha256&gt;.cwasm</c> (Wasmtime's serialized compilation, a cache that
/// can always be rebuilt from the <c>.wasm</c>). Files are written to a temporary name and renamed,
/// so a crash never leaves a half-written module under its final name.
/// </summary>
internal sealed class ModuleFiles(string directory)
{
    private static readonly System.Buffers.SearchValues<char> HexLower = System.Buffers.SearchValues.Create("0123456789abcdef");

    public string Directory { get; } = directory;

    public string WasmPath(string sha256) => Path.Combine(Directory, sha256 + ".wasm");

    public string CompiledPath(string sha256) => Path.Combine(Directory, sha256 + ".cwasm");

    /// <summary>True for a lower-case hex SHA-256 (64 characters) — the only names ever turned into paths.</summary>
    public static bool IsSha256(string? value) =>
        value is { Length: 64 } && !value.AsSpan().ContainsAnyExcept(HexLower);

    /// <summary>
    /// Writes <paramref name="bytes"/> to <paramref name="path"/> atomically (temp file + rename);
    /// <paramref name="durable"/> flushes to the disk before the rename (for the source of truth, not for caches).
    /// </summary>
    public void WriteAtomically(string path, ReadOnlySpan<byte> bytes, bool durable)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                if (durable)
                {
                    stream.Flush(flushToDisk: true);
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
