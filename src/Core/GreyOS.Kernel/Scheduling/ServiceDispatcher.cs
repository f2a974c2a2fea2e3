using System.Collections.Concurrent;
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
        foreach (var process in _ready.GetConsumingEnumerable())
        {
            _run(process);
        }
    }
}
