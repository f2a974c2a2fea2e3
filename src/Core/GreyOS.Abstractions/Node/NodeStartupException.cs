namespace GreyOS.Abstractions.Node;

/// <summary>
/// A condition that prevents the node from starting (bad configuration, unwritable data folder,
/// corrupted database, port in use). Its message is one line that names the problem and the fix;
/// the host prints it and exits non-zero.
/// </summary>
public sealed class NodeStartupException : Exception
{
    public NodeStartupException(string message)
        : base(message)
    {
    }

    public NodeStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NodeStartupException()
    {
    }
}
