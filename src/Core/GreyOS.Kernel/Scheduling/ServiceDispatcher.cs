using System.Collections.Concurrent;
using System.Diagnostics;
using GreyOS.Kernel.Processes;

namespace GreyOS.Kernel.Scheduling;

/// <summary>
/// Delivers events to services on a few dedicated threads. A service with pending events is queued
/// once (<see cref="KernelProcess.Scheduled"/>); a dispatcher drains a bounded batch, then requeues it
/// if more arrived, so one busy service cannot monopolize a dispatcher. Idle services hold no thread.
/// </summary>
internal sealed class ServiceDispatcher : IDisposable
{
    /// <summary>Events handled per turn before the service goes to the back of the queue.</summary>
    public const int Batch = 64;

    /// <summary>How long a dispatcher keeps polling for work after a turn before it blocks.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMicroseconds(50);

    private static readonly long LingerTicks = (long)(Linger.TotalSeconds * Stopwatch.Frequency);

    /// <summary>
    /// Events per turn for a service of priority <paramref name="nice"/> (0–19): 64 at 0–4, halved
    /// every 5 steps down to 8 at 15–19. Turns alternate fairly, so under contention a service's share of
    /// dispatcher time is weighted by its priority; alone it still gets every turn.
    /// </summary>
    public static int BatchFor(int nice) => Batch >> Math.Clamp(nice / 5, 0, 3);

    private readonly BlockingCollection<KernelProcess> _ready = new(new ConcurrentQueue<KernelProcess>());
    private readonly Action<KernelProcess> _run;

    public ServiceDispatcher(int threads, int nice, Action<KernelProcess> run)
    {
        _run = run;
        for (var i = 0; i < Math.Max(1, threads); i++)
        {
            GuestThreads.Start($"greyos-dispatch-{i}", nice, Loop);
        }
    }

    /// <summary>Queues the service unless it is already queued or running.</summary>
    public void Schedule(KernelProcess process)
    {
        if (Interlocked.CompareExchange(ref process.Scheduled, 1, 0) == 0 && !_ready.IsAddingCompleted)
        {
            _ready.Add(process);
        }
    }

    public void Dispose()
    {
        _ready.CompleteAdding();
    }

    private void Loop()
    {
        while (!_ready.IsCompleted)
        {
            if (TryTakeLingering(out var process) || TryTakeBlocking(out process))
            {
                _run(process);
            }
        }
    }

    /// <summary>
    /// After a turn, keeps polling for <see cref="Linger"/> before blocking: waking a blocked thread
    /// costs tens of microseconds on a busy machine, and events and spawns come in bursts.
    /// </summary>
    private bool TryTakeLingering(out KernelProcess process)
    {
        var until = Stopwatch.GetTimestamp() + LingerTicks;
        var spin = default(SpinWait);
        do
        {
            if (_ready.TryTake(out process!))
            {
                return true;
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }
        while (Stopwatch.GetTimestamp() < until);

        return false;
    }

    private bool TryTakeBlocking(out KernelProcess process)
    {
        try
        {
            return _ready.TryTake(out process!, Timeout.Infinite);
        }
        catch (InvalidOperationException)
        {
            process = null!; // completed while waiting
            return false;
        }
    }
}
