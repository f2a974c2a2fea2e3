namespace GreyOS.FileSystem.Kv;

/// <summary>Quotas of the per-app key-value store (section <c>GreyOS:KeyValue</c>), per (user, app).</summary>
public sealed class KeyValueOptions
{
    /// <summary>Bytes of keys plus values one app may store for one user.</summary>
    public long MaxBytesPerApp { get; set; } = 64L * 1024 * 1024;

    /// <summary>Entries one app may store for one user.</summary>
    public int MaxEntriesPerApp { get; set; } = 100_000;
}
