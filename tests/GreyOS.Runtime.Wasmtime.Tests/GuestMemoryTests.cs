using System.Text;

namespace GreyOS.Runtime.Wasmtime.Tests;

public sealed class GuestMemoryTests : RuntimeTests
{
    private const long PageSize = 65536;

    [Theory]
    [InlineData(-1L, 1)]
    [InlineData(0L, -1)]
    [InlineData(PageSize - 4, 5)]
    [InlineData(long.MaxValue, int.MaxValue)]
    [InlineData(long.MaxValue - 1, 2)]
    [InlineData(long.MinValue, 0)]
    [InlineData(4L, int.MaxValue)]
    public void TryGetSpan_OutsideMemory_False(long address, int length)
    {
        var memory = Start(Wat.Returns, new RecordingAbi()).Memory;

        Assert.False(memory.TryGetSpan(address, length, out var span));
        Assert.True(span.IsEmpty);
    }

    [Theory]
    [InlineData(0L, 0)]
    [InlineData(0L, (int)PageSize)]
    [InlineData(PageSize - 4, 4)]
    [InlineData(PageSize, 0)]
    [InlineData(PageSize + 1, 0)] // empty ranges are valid anywhere
    public void TryGetSpan_InsideMemory_TrueWithRequestedLength(long address, int length)
    {
        var memory = Start(Wat.Returns, new RecordingAbi()).Memory;

        Assert.True(memory.TryGetSpan(address, length, out var span));
        Assert.Equal(length, span.Length);
    }

    [Fact]
    public void TryGetSpan_Write_GuestSeesTheBytes()
    {
        var abi = new RecordingAbi();
        var instance = Start(Wat.GreyPlumbing, abi);
        Assert.True(instance.Memory.TryGetSpan(100, 7, out var span));

        Encoding.UTF8.GetBytes("by host").CopyTo(span);
        instance.RunCommand();

        Assert.Equal(["2:by host"], abi.Logs);
        Assert.Equal(PageSize, instance.Memory.Length);
    }

    [Fact]
    public void Memory_ModuleWithoutMemory_EmptyAndOnlyEmptySpanAtZero()
    {
        var memory = Start(Wat.Unreachable, new RecordingAbi()).Memory;

        Assert.Equal(0, memory.Length);
        Assert.True(memory.TryGetSpan(0, 0, out _));
        Assert.False(memory.TryGetSpan(0, 1, out _));
    }
}
