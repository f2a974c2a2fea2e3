using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace GreyOS.Benchmarks.Harness;

/// <summary>
/// One server under test, run as <c>dotnet &lt;dll&gt; args</c> on a loopback port. Its stdout is
/// drained continuously (the pipe never fills); the first <c>listening on http://…</c> line gives
/// its address. Every started process is tracked and killed when this process exits, so a failed
/// or interrupted run leaves nothing behind.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    /// <summary>Bind address for the servers: loopback, port chosen by the OS and read back from the output.</summary>
    public const string LoopbackAnyPort = "http://127.0.0.1:0";

    private const int KeptOutputLines = 40;
    private static readonly ConcurrentDictionary<int, Process> Live = new();

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    static ServerProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
    }

    private ServerProcess(Process process) => _process = process;

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Starts <paramref name="assembly"/> with the <c>dotnet</c> host; returns at once (see <see cref="WaitListeningAsync"/>).</summary>
    public static ServerProcess Start(string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo(ServerBinaries.DotNetHost)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        info.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The servers run as a user would start them: no settings inherited from this process or from BenchmarkDotNet.
        foreach (var key in info.Environment.Keys.Where(IsRuntimeOrServerSetting).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnOutput(e.Data);
        process.Exited += (_, _) => server._listening.TrySetException(
            new InvalidOperationException($"{Path.GetFileName(assembly)} exited before listening:{Environment.NewLine}{server.RecentOutput}"));
        process.Start();
        Live[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>The address the server printed in its "listening on" line; fails if it exits first or after <paramref name="timeout"/>.</summary>
    public async Task<Uri> WaitListeningAsync(TimeSpan timeout)
    {
        try
        {
            return await _listening.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"no 'listening on' line after {timeout.TotalSeconds} s:{Environment.NewLine}{RecentOutput}", ex);
        }
    }

    /// <summary>The last lines the server printed (stdout and stderr), for error messages.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output);

    /// <summary>Stops the server like an operator would (SIGTERM), then kills it if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        try
        {
            if (!_process.HasExited)
            {
                if (OperatingSystem.IsWindows() || NativeMethods.Kill(_process.Id, NativeMethods.SigTerm) != 0)
                {
                    _process.Kill(entireProcessTree: true);
                }

                using var graceTimeout = new CancellationTokenSource(grace);
                try
                {
                    await _process.WaitForExitAsync(graceTimeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    using var killTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await _process.WaitForExitAsync(killTimeout.Token).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Live.TryRemove(_process.Id, out _);
        }
    }

    /// <summary>Stops the server (5 s grace) and releases the process handle.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static bool IsRuntimeOrServerSetting(string key) =>
        (key.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) && !key.StartsWith("DOTNET_ROOT", StringComparison.OrdinalIgnoreCase))
        || key.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("GREYOS", StringComparison.OrdinalIgnoreCase);

    private static void KillAll()
    {
        foreach (var process in Live.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > KeptOutputLines)
        {
            _output.TryDequeue(out _);
        }

        if (!_listening.Task.IsCompleted && ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups["url"].Value));
        }
    }

    [GeneratedRegex(@"listening on (?<url>http://[^\s,]+)")]
    private static partial Regex ListeningLine();
}
