using Wasmtime;

namespace GreyOS.Runtime.Wasmtime;

/// <summary>
/// A dedicated background thread that advances the engine's epoch every <see cref="Interval"/>:
/// each running guest reaches its deadline once per tick, which is where CPU time is charged and
/// kills and CPU limits take effect. Runs above normal priority so that spinning guests on every
/// core cannot starve it.
/// </summary>
internal sealed class EpochTicker : IDisposable
{
    private readonly Engine _engine;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;

    public EpochTicker(Engine engine, TimeSpan interval)
    {
        _engine = engine;
        Interval = interval;
        _thread = new Thread(Run)
        {
            IsBackground = true,
            Name = "GreyOS epoch ticker",
            Priority = ThreadPriority.AboveNormal,
        };
        _thread.Start();
    }

    public TimeSpan Interval { get; }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.Wait(Interval))
        {
            _engine.IncrementEpoch();
        }
    }
}
