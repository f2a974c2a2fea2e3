using BenchmarkDotNet.Attributes;
using GreyOS.Abstractions.Runtime;
using GreyOS.Kernel.Processes;
using Wasmtime;

namespace GreyOS.Benchmarks.Kernel;

/// <summary>
/// Issue #3 target 4 — event dispatch to a service ≥ 500,000 events/s. Each invocation delivers
/// <see cref="Events"/> events to one idle service (<see cref="GuestModules.ServiceSequenceWat"/>:
/// it counts events in a global and checks each event's sequence number, ending itself on a lost,
/// repeated or reordered event); times are per event, see the Ops/s column.
/// <list type="bullet">
/// <item><see cref="RawOnEvent"/> (baseline): the typed <c>grey_on_event</c> export of a raw Wasmtime
/// instance called in a loop.</item>
/// <item><see cref="InstanceDeliverEvent"/>: <c>IGuestInstance.DeliverEvent</c> of a kernel-spawned
/// service called in a loop on this thread (the runtime's per-entry work, no queue, no dispatcher).</item>
/// <item><see cref="KernelEnqueue"/>: the kernel's own path — <c>ProcessManager.Enqueue</c> of each
/// event (a <c>Message</c> event) from this thread; the service dispatcher threads deliver them
/// (batches of 64, niced); measured until the queue is empty and no dispatcher holds the process,
/// i.e. the handler has seen every event.</item>
/// </list>
/// </summary>
[Config(typeof(KernelLoopConfig))]
public class KernelEventDispatchBenchmarks
{
    /// <summary>Events per invocation.</summary>
    public const int Events = 50_000;

    private RawWasmtime _raw = null!;
    private Module _module = null!;
    private Linker _linker = null!;
    private Store _store = null!;
    private Func<int, int, long, int> _onEvent = null!;
    private long _rawSequence;
    private KernelNode _node = null!;
    private KernelProcess _direct = null!;
    private long _directSequence;
    private KernelProcess _queued = null!;
    private long _queuedSequence;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        NodePriority.Reset();
        var wasm = GuestModules.ServiceSequence;
        _raw = new RawWasmtime();
        _module = _raw.Precompiled(wasm, "service_sequence");
        _linker = new Linker(_raw.Engine);
        _store = _raw.RunnableStore();
        _onEvent = _linker.Instantiate(_store, _module).GetFunction<int, int, long, int>("grey_on_event")!;

        _node = await KernelNode.StartAsync().ConfigureAwait(false);
        var sha256 = _node.Load(wasm);
        _direct = await _node.SpawnAsync(KernelNode.Request(sha256)).ConfigureAwait(false);
        _queued = await _node.SpawnAsync(KernelNode.Request(sha256)).ConfigureAwait(false);
        KernelNode.WaitIdle(_direct);
        KernelNode.WaitIdle(_queued);

        RawOnEvent();
        InstanceDeliverEvent();
        KernelEnqueue();
        Console.WriteLine($"// thread priorities: {NodePriority.Describe(Environment.ProcessId)}");
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        Console.WriteLine($"// delivered: raw {_rawSequence:N0}, direct {_directSequence:N0}, queued {_queuedSequence:N0}; queued process state {_queued.State}");
        await _node.KillAllAsync([_direct, _queued]).ConfigureAwait(false);
        await _node.DisposeAsync().ConfigureAwait(false);
        _store.Dispose();
        _linker.Dispose();
        _module.Dispose();
        _raw.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public long RawOnEvent()
    {
        var onEvent = _onEvent;
        for (var i = 0; i < Events; i++)
        {
            if (onEvent(EventKinds.Message, 0, ++_rawSequence) != 0)
            {
                throw new InvalidOperationException($"raw instance rejected event {_rawSequence}");
            }
        }

        return _rawSequence;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public long InstanceDeliverEvent()
    {
        var instance = _direct.Instance!;
        for (var i = 0; i < Events; i++)
        {
            var exit = instance.DeliverEvent(EventKinds.Message, 0, ++_directSequence);
            if (exit.Kind != GuestExitKind.Returned || exit.Code != 0)
            {
                throw new InvalidOperationException($"event {_directSequence}: {exit.Kind} {exit.Code} {exit.Reason}");
            }
        }

        return _directSequence;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public long KernelEnqueue()
    {
        var manager = _node.Manager;
        var process = _queued;
        for (var i = 0; i < Events; i++)
        {
            manager.Enqueue(process, new ServiceEvent(EventKinds.Message, 0, ++_queuedSequence));
        }

        // Delivered when the queue is empty (read first) and then no dispatcher holds or has queued
        // the process: a dispatcher turn keeps Scheduled = 1 from before its first dequeue until
        // after its last delivery, and requeues only while events remain.
        var spin = default(SpinWait);
        while ((process.HasEvents || Volatile.Read(ref process.Scheduled) != 0) && !process.HasEnded)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }

        return process.HasEnded
            ? throw new InvalidOperationException($"the service ended: {process.State} {process.ExitCode} {process.FaultReason} (an event was lost or reordered)")
            : _queuedSequence;
    }
}
