namespace GreyOS.Abstractions.FileSystem;

/// <summary>What one garbage collection of the content store did.</summary>
/// <param name="Scanned">Chunk files seen in the store.</param>
/// <param name="Marked">Distinct chunks referenced by some file, version or trash item (kept).</param>
/// <param name="Swept">Unreferenced chunk files deleted.</param>
/// <param name="SweptBytes">Bytes those files held.</param>
/// <param name="KeptByGrace">Unreferenced chunk files kept because they are younger than the grace period (writes in flight store chunks before their metadata commits).</param>
/// <param name="Duration">How long the collection took.</param>
public sealed record ContentGcReport(long Scanned, long Marked, long Swept, long SweptBytes, long KeptByGrace, TimeSpan Duration);

/// <summary>
/// The content store's garbage collector (docs/design/0004-vfs.md, decision 4): mark every chunk a
/// stored chunk list references, sweep the chunk files nobody references that are older than the
/// grace period. Runs on a schedule and on demand (<c>POST /api/v1/fs/gc</c>); one collection at a time.
/// </summary>
public interface IContentCollector
{
    ValueTask<ContentGcReport> CollectAsync(CancellationToken cancellationToken);
}
