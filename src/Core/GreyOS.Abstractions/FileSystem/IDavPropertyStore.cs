using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.FileSystem;

/// <summary>A WebDAV dead property: its qualified name and the whole XML element as the client sent it.</summary>
/// <param name="Namespace">The property's namespace URI ("" for none).</param>
/// <param name="Name">Its local name.</param>
/// <param name="Xml">The element (self-contained: it declares the namespaces it uses).</param>
public sealed record DavProperty(string Namespace, string Name, string Xml);

/// <summary>
/// WebDAV dead properties (RFC 4918 §4), per path, in the node database. They follow MOVE and COPY
/// and go with DELETE (the WebDAV layer calls <see cref="MoveTreeAsync"/>, <see cref="CopyTreeAsync"/>,
/// <see cref="DeleteTreeAsync"/>). Failures: <c>forbidden</c>, <c>property_limit</c>.
/// </summary>
public interface IDavPropertyStore
{
    /// <summary>The most dead properties on one path.</summary>
    const int MaxPerPath = 200;

    /// <summary>The largest stored element, in UTF-16 characters.</summary>
    const int MaxXmlLength = 64 * 1024;

    /// <summary>The dead properties of <paramref name="path"/>, and when <paramref name="withChildren"/> of its direct children, by path.</summary>
    ValueTask<IReadOnlyDictionary<VfsPath, IReadOnlyList<DavProperty>>> GetAsync(VfsPath path, bool withChildren, CancellationToken cancellationToken);

    /// <summary>Sets and removes properties of a path in one transaction, all or nothing; needs write access.</summary>
    ValueTask<Result<int>> PatchAsync(FilePrincipal principal, VfsPath path, IReadOnlyList<DavProperty> toSet, IReadOnlyList<(string Namespace, string Name)> toRemove, CancellationToken cancellationToken);

    /// <summary>Moves the properties of a path and its subtree to <paramref name="destination"/> (replacing what was there).</summary>
    ValueTask MoveTreeAsync(VfsPath source, VfsPath destination, CancellationToken cancellationToken);

    /// <summary>Copies the properties of a path and (when <paramref name="recursive"/>) its subtree to <paramref name="destination"/> (replacing what was there).</summary>
    ValueTask CopyTreeAsync(VfsPath source, VfsPath destination, bool recursive, CancellationToken cancellationToken);

    /// <summary>Removes the properties of a path and its subtree.</summary>
    ValueTask DeleteTreeAsync(VfsPath path, CancellationToken cancellationToken);
}
