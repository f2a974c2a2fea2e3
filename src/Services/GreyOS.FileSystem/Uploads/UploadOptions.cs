namespace GreyOS.FileSystem.Uploads;

/// <summary>Limits of resumable uploads (configuration section <c>GreyOS:FileSystem:Uploads</c>).</summary>
public sealed class UploadOptions
{
    /// <summary>The staging folder's name inside the node's data folder (<c>&lt;data&gt;/uploads</c>).</summary>
    public const string FolderName = "uploads";

    /// <summary>The largest upload (default 4 GiB, as a single <c>PUT</c>; may be set higher).</summary>
    public long MaxLength { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>How many open uploads one user may have at once (default 16).</summary>
    public int MaxOpenPerUser { get; set; } = 16;

    /// <summary>An upload no part reached for this long is dropped (default 24 h); a completed one is remembered as long.</summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often expired uploads are swept (default 10 min).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a part waits for another request on the same upload to finish before <c>upload_busy</c> (default 10 s).</summary>
    public TimeSpan BusyWait { get; set; } = TimeSpan.FromSeconds(10);
}
