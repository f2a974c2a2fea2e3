namespace GreyOS.Client;

/// <summary>
/// The node could not be reached at all: connection refused, unknown host, TLS failure or no
/// answer in time. Nothing was (known to be) processed by the node.
/// </summary>
public sealed class GreyOSConnectionException : Exception
{
    public GreyOSConnectionException()
        : this(new Uri("http://localhost/"), "unknown reason")
    {
    }

    public GreyOSConnectionException(string message)
        : base(message)
    {
        NodeAddress = new Uri("http://localhost/");
        Reason = message;
    }

    public GreyOSConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
        NodeAddress = new Uri("http://localhost/");
        Reason = message;
    }

    public GreyOSConnectionException(Uri nodeAddress, string reason, Exception? innerException = null)
        : base($"cannot reach the node at {nodeAddress}: {reason}", innerException)
    {
        ArgumentNullException.ThrowIfNull(nodeAddress);
        NodeAddress = nodeAddress;
        Reason = reason;
    }

    /// <summary>The node's base address.</summary>
    public Uri NodeAddress { get; }

    /// <summary>Why it could not be reached (e.g. <c>Connection refused (127.0.0.1:1)</c>).</summary>
    public string Reason { get; }
}
