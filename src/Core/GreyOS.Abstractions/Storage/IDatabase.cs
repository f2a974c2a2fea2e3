using System.Data.Common;

namespace GreyOS.Abstractions.Storage;

/// <summary>The node's relational store (SQLite by default). Connections are pooled; dispose each one.</summary>
public interface IDatabase
{
    /// <summary>Opens a connection with the node's standard settings applied.</summary>
    ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);
}
