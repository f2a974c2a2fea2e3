using System.Data.Common;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Storage;

namespace GreyOS.FileSystem.Storage;

/// <summary>
/// Rows keyed by a VFS path (versions, shares) follow their entry: moved with it (the whole
/// subtree's prefix rewritten in one statement), and removed with it.
/// </summary>
internal static class PathRows
{
    /// <summary>The SQL condition "<paramref name="column"/> is <c>$from</c> or below it".</summary>
    public static string Under(string column) =>
        $"({column} = $from OR substr({column}, 1, length($from) + 1) = $from || '/')";

    /// <summary>Rewrites the prefix <paramref name="from"/> to <paramref name="to"/> in <paramref name="table"/>.<paramref name="column"/>.</summary>
    public static async Task<int> MoveAsync(DbConnection connection, DbTransaction? transaction, string table, string column, VfsPath from, VfsPath to, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(
            $"UPDATE {table} SET {column} = $to || substr({column}, length($from) + 1) WHERE {Under(column)};", transaction)
            .With("$from", from.Value).With("$to", to.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the rows at or under <paramref name="path"/>.</summary>
    public static async Task<int> DeleteAsync(DbConnection connection, DbTransaction? transaction, string table, string column, VfsPath path, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand($"DELETE FROM {table} WHERE {Under(column)};", transaction).With("$from", path.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
