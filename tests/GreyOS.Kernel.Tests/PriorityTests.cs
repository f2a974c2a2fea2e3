using System.Globalization;
using GreyOS.Abstractions.Processes;
using GreyOS.Kernel.Scheduling;

namespace GreyOS.Kernel.Tests;

/// <summary>Process priorities: the OS nice value of a command's thread, inheritance, persistence, service turns.</summary>
public sealed class PriorityTests
{
    [Fact]
    public async Task Command_WithNice_ThreadRunsAtGuestNicePlusNice()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "thread nice values are read from /proc");
        await using var kernel = await KernelHarness.StartAsync(configure: o => o.GuestNice = 10);
        var started = await kernel.SpawnAsync(kernel.Load(Wat.Spin), limits: new ProcessLimits(16, 60, 1024, Nice: 5));

        try
        {
            Assert.Equal(5, started.Limits.Nice);
            await WaitForThreadAsync($"greyos-pid-{started.Pid}", nice: 15);
        }
        finally
        {
            await kernel.Processes.KillAsync(started.Pid, "test over", TestContext.Current.CancellationToken);
            await kernel.Processes.WaitAsync(started.Pid, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Child_AskingForHigherPriority_GetsItsParents()
    {
        await using var kernel = await KernelHarness.StartAsync();
        var parent = await kernel.SpawnAsync(kernel.Load(Wat.Spin), limits: new ProcessLimits(16, 60, 1024, Nice: 7));

        var child = await kernel.Processes.SpawnAsync(
            new SpawnRequest(kernel.Load(Wat.Returns), KernelHarness.Owner, [], new Dictionary<string, string>(), new ProcessLimits(16, 60, 1024, Nice: 2), ParentPid: parent.Pid),
            TestContext.Current.CancellationToken);
        await kernel.Processes.KillAsync(parent.Pid, "test over", TestContext.Current.CancellationToken);

        Assert.Equal(7, child.Value.Limits.Nice);
    }

    [Fact]
    public async Task Nice_IsRecordedInTheProcessTable()
    {
        await using var kernel = await KernelHarness.StartAsync();
        var (info, _, _) = await kernel.RunAsync(kernel.Load(Wat.Returns), limits: new ProcessLimits(16, 60, 1024, Nice: 12));

        var listed = await kernel.Processes.ListAsync(new ProcessQuery(State: ProcessState.Exited), TestContext.Current.CancellationToken);

        Assert.Equal(12, Assert.Single(listed, p => p.Pid == info.Pid).Limits.Nice);
    }

    [Theory]
    [InlineData(0, 64)]
    [InlineData(4, 64)]
    [InlineData(5, 32)]
    [InlineData(10, 16)]
    [InlineData(19, 8)]
    public void Service_LowerPriority_FewerEventsPerTurn(int nice, int batch) =>
        Assert.Equal(batch, ServiceDispatcher.BatchFor(nice));

    /// <summary>
    /// Waits until a thread of this process named <paramref name="name"/> has the nice value (field 19 of
    /// /proc/self/task/TID/stat) <paramref name="nice"/>. Tests run kernels side by side whose PIDs (and
    /// so thread names) can coincide; theirs run at other nice values.
    /// </summary>
    private static async Task WaitForThreadAsync(string name, int nice)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var task in Directory.GetDirectories("/proc/self/task"))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(task, "comm")).Trim() != name)
                    {
                        continue;
                    }

                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    if (int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], CultureInfo.InvariantCulture) == nice)
                    {
                        return;
                    }
                }
                catch (IOException)
                {
                    // the thread ended between listing and reading
                }
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"no thread named {name} at nice {nice}");
    }
}
