namespace GreyOS.FileSystem;

/// <summary>Settings of the file system (configuration section <c>FileSystem</c>). Byte limits of 0 mean unlimited.</summary>
public sealed class FileSystemOptions
{
    /// <summary>How many earlier contents are kept per file (0 keeps none).</summary>
    public int VersionsKept { get; set; } = 10;

    /// <summary>
    /// Versions of files on backends outside the content store (e.g. <c>local</c> mounts) cost a copy
    /// of the old content; larger files than this are replaced without keeping a version.
    /// </summary>
    public long VersionCopyLimitBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The quota of a user whose account says 0 ("the node's default"), covering their home and trash.</summary>
    public long DefaultUserQuotaBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>The quota of <c>/shared</c> (with its trash).</summary>
    public long SharedQuotaBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>The quota of each app's <c>/apps/&lt;app&gt;/data</c> (with its trash).</summary>
    public long AppQuotaBytes { get; set; } = 1L * 1024 * 1024 * 1024;

    /// <summary>Trash items older than this are purged by the node; 0 keeps them until purged.</summary>
    public TimeSpan TrashRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Host folders an administrator may mount (<c>local</c> mounts must lie inside one of them).
    /// Empty (the default): no host folder may be mounted.
    /// </summary>
    public IList<string> MountRoots { get; } = [];

    /// <summary>The most entries one name search looks at.</summary>
    public int SearchVisitLimit { get; set; } = 100_000;

    /// <summary>Watches one user may hold open at once.</summary>
    public int WatchesPerUser { get; set; } = 16;
}
