using GreyOS.Abstractions.Storage;
using GreyOS.Kernel.Processes;

namespace GreyOS.Kernel.Tests;

/// <summary>PIDs from blocks reserved in the real node database, the next block reserved ahead.</summary>
public sealed class PidAllocatorTests
{
    [Fact]
    public async Task Pids_AcrossManyBlocksAndConcurrentCallers_AreUniqueAndNeverReusedAfterARestart()
    {
        using var data = new GreyOS.Testing.TempDirectory();
        var first = new List<long>();
        await using (var kernel = await KernelHarness.StartAsync(data.Path))
        {
            var pids = new PidAllocator(kernel.Get<IDatabase>());
            pids.Prefetch();

            // 4 callers × 1,500: crosses several 1,024-PID blocks while the next one is reserved ahead.
            var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                var mine = new List<long>();
                for (var i = 0; i < 1_500; i++)
                {
                    mine.Add(await pids.NextAsync(CancellationToken.None));
                }

                return mine;
            }));
            foreach (var mine in await Task.WhenAll(callers))
            {
                Assert.Equal(mine.Order(), mine); // each caller sees increasing PIDs
                first.AddRange(mine);
            }
        }

        Assert.Equal(first.Count, first.Distinct().Count());
        Assert.DoesNotContain(0, first);

        await using var restarted = await KernelHarness.StartAsync(data.Path);
        var again = new PidAllocator(restarted.Get<IDatabase>());
        var next = await again.NextAsync(CancellationToken.None);
        Assert.True(next > first.Max(), $"{next} after {first.Max()}");
    }
}
