using System.Data.Common;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Storage;
using GreyOS.FileSystem.Vfs;

namespace GreyOS.FileSystem.Dav;

/// <summary>
/// WebDAV dead properties in the node database (<c>dav_properties</c>), keyed by VFS path. A
/// PROPPATCH is one transaction; moving, copying and deleting a tree rewrite the rows under it.
/// </summary>
internal sealed class DavPropertyStore(IDatabase database, Authorizer authorizer) : IDavPropertyStore
{
    private const string UnderPrefix = "substr(path, 1, length($prefix) + 1) = $prefix || '/'";

    public async ValueTask<IReadOnlyDictionary<VfsPath, IReadOnlyList<DavProperty>>> GetAsync(VfsPath path, bool withChildren, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand(
            $"""
            SELECT path, namespace, name, xml FROM dav_properties
            WHERE path = $path OR ($children AND {UnderPrefix} AND instr(substr(path, length($prefix) + 2), '/') = 0)
            ORDER BY path, namespace, name;
            """).With("$path", path.Value).With("$children", withChildren ? 1 : 0).With("$prefix", DavMigrations.Prefix(path));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var found = new Dictionary<VfsPath, IReadOnlyList<DavProperty>>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var at = VfsPath.Parse(reader.GetString(0));
            if (!at.IsSuccess)
            {
                continue;
            }

            if (!found.TryGetValue(at.Value, out var list))
            {
                found[at.Value] = list = new List<DavProperty>();
            }

            ((List<DavProperty>)list).Add(new DavProperty(reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        return found;
    }

    public async ValueTask<Result<int>> PatchAsync(FilePrincipal principal, VfsPath path, IReadOnlyList<DavProperty> toSet, IReadOnlyList<(string Namespace, string Name)> toRemove, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(toSet);
        ArgumentNullException.ThrowIfNull(toRemove);
        if (await authorizer.CheckAsync(principal, path, Access.Write, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        if (toSet.Count + toRemove.Count > IDavPropertyStore.MaxPerPath || toSet.Any(p => p.Xml.Length > IDavPropertyStore.MaxXmlLength || p.Name.Length > 1024 || p.Namespace.Length > 1024))
        {
            return Limit();
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (ns, name) in toRemove)
        {
            await using var delete = connection.CreateCommand("DELETE FROM dav_properties WHERE path = $path AND namespace = $ns AND name = $name;", transaction)
                .With("$path", path.Value).With("$ns", ns).With("$name", name);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var property in toSet)
        {
            await using var upsert = connection.CreateCommand(
                """
                INSERT INTO dav_properties (path, namespace, name, xml) VALUES ($path, $ns, $name, $xml)
                ON CONFLICT (path, namespace, name) DO UPDATE SET xml = excluded.xml;
                """, transaction)
                .With("$path", path.Value).With("$ns", property.Namespace).With("$name", property.Name).With("$xml", property.Xml);
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        long count;
        await using (var select = connection.CreateCommand("SELECT count(*) FROM dav_properties WHERE path = $path;", transaction).With("$path", path.Value))
        {
            count = Convert.ToInt64(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (count > IDavPropertyStore.MaxPerPath)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return Limit();
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (int)count;
    }

    public async ValueTask MoveTreeAsync(VfsPath source, VfsPath destination, CancellationToken cancellationToken) =>
        await TransferAsync(source, destination, move: true, recursive: true, cancellationToken).ConfigureAwait(false);

    public async ValueTask CopyTreeAsync(VfsPath source, VfsPath destination, bool recursive, CancellationToken cancellationToken) =>
        await TransferAsync(source, destination, move: false, recursive, cancellationToken).ConfigureAwait(false);

    public async ValueTask DeleteTreeAsync(VfsPath path, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await DeleteTreeAsync(connection, null, path, cancellationToken).ConfigureAwait(false);
    }

    private async Task TransferAsync(VfsPath source, VfsPath destination, bool move, bool recursive, CancellationToken cancellationToken)
    {
        if (source == destination || source.IsRoot || destination.IsRoot)
        {
            return;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await DeleteTreeAsync(connection, transaction, destination, cancellationToken).ConfigureAwait(false);
        var scope = recursive ? $"(path = $path OR {UnderPrefix})" : "path = $path";
        var sql = move
            ? $"UPDATE dav_properties SET path = $destination || substr(path, length($path) + 1) WHERE {scope};"
            : $"INSERT INTO dav_properties (path, namespace, name, xml) SELECT $destination || substr(path, length($path) + 1), namespace, name, xml FROM dav_properties WHERE {scope};";
        await using (var command = connection.CreateCommand(sql, transaction)
            .With("$destination", destination.Value).With("$path", source.Value).With("$prefix", DavMigrations.Prefix(source)))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task DeleteTreeAsync(DbConnection connection, DbTransaction? transaction, VfsPath path, CancellationToken cancellationToken)
    {
        await using var delete = connection.CreateCommand($"DELETE FROM dav_properties WHERE path = $path OR {UnderPrefix};", transaction)
            .With("$path", path.Value).With("$prefix", DavMigrations.Prefix(path));
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static GreyError Limit() =>
        GreyError.Invalid(ErrorCodes.PropertyLimit, $"a resource may have at most {IDavPropertyStore.MaxPerPath} dead properties of at most {IDavPropertyStore.MaxXmlLength} characters each");
}
