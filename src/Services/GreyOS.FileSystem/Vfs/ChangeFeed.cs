using System.Threading.Channels;
using GreyOS.Abstractions.FileSystem;

namespace GreyOS.FileSystem.Vfs;

/// <summary>
/// Publishes file changes to watchers (in process; the bus carries them across nodes later). Each
/// watcher has a bounded queue of <see cref="QueueLength"/> changes: one that falls further behind
/// is cut off with an overflow rather than slowing writers down or growing without bound.
/// </summary>
internal sealed class ChangeFeed
{
    public const int QueueLength = 1024;

    private readonly Lock _lock = new();
    private Watcher[] _watchers = [];

    public bool HasWatchers => Volatile.Read(ref _watchers).Length > 0;

    public void Publish(FileChange change)
    {
        foreach (var watcher in Volatile.Read(ref _watchers))
        {
            if (change.Path.IsSameOrUnder(watcher.Folder) || (change.OldPath is { } old && old.IsSameOrUnder(watcher.Folder)))
            {
                if (!watcher.Queue.Writer.TryWrite(change))
                {
                    watcher.Overflowed = true;
                    watcher.Queue.Writer.TryComplete();
                }
            }
        }
    }

    /// <summary>A new watcher, or null when <paramref name="userId"/> already holds <paramref name="most"/> (counted and added in one step).</summary>
    public Watcher? TrySubscribe(string userId, VfsPath folder, int most)
    {
        var watcher = new Watcher(userId, folder, Channel.CreateBounded<FileChange>(new BoundedChannelOptions(QueueLength)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the watcher overflows
            SingleReader = true,
        }));
        lock (_lock)
        {
            if (_watchers.Count(w => w.UserId == userId) >= most)
            {
                return null;
            }

            _watchers = [.. _watchers, watcher];
        }

        return watcher;
    }

    public void Unsubscribe(Watcher watcher)
    {
        lock (_lock)
        {
            _watchers = _watchers.Where(w => w != watcher).ToArray();
        }
    }

    internal sealed class Watcher(string userId, VfsPath folder, Channel<FileChange> queue)
    {
        public string UserId { get; } = userId;

        public VfsPath Folder { get; } = folder;

        public Channel<FileChange> Queue { get; } = queue;

        public volatile bool Overflowed;
    }
}
