using GreyOS.Abstractions.Runtime;

namespace GreyOS.Runtime.Wasmtime.Tests;

public sealed class ServiceTests : RuntimeTests
{
    [Fact]
    public void DeliverEvent_AfterInitialize_ReturnsHandlerValueAndKeepsState()
    {
        var instance = Start(Wat.CounterService, new RecordingAbi());

        var initialized = instance.Initialize();
        var first = instance.DeliverEvent(1, 0, 10);
        var second = instance.DeliverEvent(2, 7, 20);

        Assert.Equal(AppShape.Service, instance.Shape);
        Assert.Equal(GuestExit.Returned(0), initialized);
        Assert.Equal(GuestExit.Returned(100 + 1 + 1 + 10), first);
        Assert.Equal(GuestExit.Returned(100 + 2 + 2 + 20), second);
    }

    [Fact]
    public void Initialize_WithoutInitializeExport_ReturnedAndNothingRuns()
    {
        var instance = Start("""(module (func (export "grey_on_event") (param i32 i32 i64) (result i32) (local.get 0)))""", new RecordingAbi());

        Assert.Equal(GuestExit.Returned(0), instance.Initialize());
        Assert.Equal(GuestExit.Returned(42), instance.DeliverEvent(42, 0, 0));
    }

    [Fact]
    public void DeliverEvent_HandlerTraps_TrappedAndNextEventStillRuns()
    {
        const string wat = """
            (module
              (func (export "grey_on_event") (param $kind i32) (param i32 i64) (result i32)
                (if (i32.eq (local.get $kind) (i32.const 9)) (then unreachable))
                (local.get $kind)))
            """;
        var instance = Start(wat, new RecordingAbi());

        var trapped = instance.DeliverEvent(9, 0, 0);
        var next = instance.DeliverEvent(4, 0, 0);

        Assert.Equal(GuestExitKind.Trapped, trapped.Kind);
        Assert.Equal(GuestExit.Returned(4), next);
    }

    [Fact]
    public void DeliverEvent_IdleBetweenEvents_NoCpuTimeCharged()
    {
        var instance = Start(Wat.CounterService, new RecordingAbi(), new GuestLimits(1 << 20, TimeSpan.FromMilliseconds(30)));
        instance.Initialize();

        for (var i = 0; i < 5; i++)
        {
            Thread.Sleep(50); // five epoch ticks idle each time: never charged (the limit is three)
            Assert.Equal(GuestExitKind.Returned, instance.DeliverEvent(1, 0, 0).Kind);
        }
    }

    [Fact]
    public void DeliverEvent_OnCommand_Throws()
    {
        var instance = Start(Wat.Returns, new RecordingAbi());

        Assert.Throws<InvalidOperationException>(() => instance.DeliverEvent(1, 0, 0));
    }
}
