using System.Reflection;

namespace GreyOS.Hosting;

/// <summary>Facts about this running node: version, start time, readiness.</summary>
public sealed class NodeInfo(TimeProvider time)
{
    private readonly long _startedTimestamp = time.GetTimestamp();
    private volatile bool _ready;
    private volatile bool _stopping;

    /// <summary>The product version (SemVer, from the assembly's informational version).</summary>
    public static string Version { get; } =
        typeof(NodeInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    /// <summary>When the node process started (UTC).</summary>
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    /// <summary>Time since start.</summary>
    public TimeSpan Uptime => time.GetElapsedTime(_startedTimestamp);

    /// <summary>True once start-up completed and until shutdown begins.</summary>
    public bool IsReady => _ready && !_stopping;

    internal void MarkReady() => _ready = true;

    /// <summary>Marks the node as stopping: readiness turns false so load balancers drain it.</summary>
    public void MarkStopping() => _stopping = true;
}
