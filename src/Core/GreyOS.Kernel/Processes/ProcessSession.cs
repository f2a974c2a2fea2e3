using System.Runtime.CompilerServices;
using GreyOS.Abstractions.Processes;

namespace GreyOS.Kernel.Processes;

/// <summary>A client attached to a process: retained output first, then live output, and stdin.</summary>
internal sealed class ProcessSession(KernelProcess process) : IProcessSession
{
    public long Pid => process.Pid;

    public (byte[] Stdout, byte[] Stderr) ReadRetained() => (process.Stdout.Snapshot(), process.Stderr.Snapshot());

    public async IAsyncEnumerable<OutputChunk> ReadOutputAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = process.Subscribe(out var stdout, out var stderr);
        try
        {
            if (stdout.Length > 0)
            {
                yield return new OutputChunk(OutputChannel.Stdout, stdout);
            }

            if (stderr.Length > 0)
            {
                yield return new OutputChunk(OutputChannel.Stderr, stderr);
            }

            await foreach (var chunk in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return chunk;
            }
        }
        finally
        {
            process.Unsubscribe(channel);
        }
    }

    public ValueTask<bool> WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        process.HasEnded ? ValueTask.FromResult(false) : process.Stdin.WriteAsync(data, cancellationToken);

    public void CloseInput() => process.Stdin.Close();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
