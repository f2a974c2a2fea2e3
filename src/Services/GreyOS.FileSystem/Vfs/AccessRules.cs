using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;

namespace GreyOS.FileSystem.Vfs;

/// <summary>What a principal wants to do with a path.</summary>
internal enum Access
{
    Read,
    Write,
}

/// <summary>
/// The outcome of the built-in rules: allowed, denied for good, or denied unless a share (an ACL
/// entry on the path or a folder above it) allows it — see <see cref="Authorizer"/>.
/// </summary>
internal readonly record struct AccessDecision(GreyError? Error, bool Shareable)
{
    public static AccessDecision Allow => default;

    public bool Allowed => Error is null;
}

/// <summary>
/// The namespace's built-in rules: deny by default. A user reads and writes
/// <c>/home/&lt;their name&gt;/**</c> and <c>/shared/**</c>, reads <c>/system/**</c> and the
/// top-level folders (listing <c>/home</c> shows only their own); an app acting for a user only its
/// <c>/apps/&lt;app&gt;/data/**</c>; an administrator everything except writing <c>/system</c>. The
/// namespace's own folders (<c>/</c>, the top-level folders, <c>/home/&lt;user&gt;</c>,
/// <c>/apps/&lt;app&gt;</c>, <c>/apps/&lt;app&gt;/data</c>, <c>/mnt/&lt;mount&gt;</c>) cannot be written,
/// moved or deleted, and each mount's <c>.trash</c> is reachable only through the trash API.
/// Everything denied as "not yours" may still be allowed by a share.
/// </summary>
internal static class AccessRules
{
    public const string Home = "home";
    public const string Shared = "shared";
    public const string Apps = "apps";
    public const string System = "system";
    public const string Mounts = "mnt";

    /// <summary>The hidden folder at the root of every mount that holds its trash.</summary>
    public const string TrashFolder = ".trash";

    /// <summary>The top-level folders every node has.</summary>
    public static readonly string[] TopLevel = [Home, Shared, Apps, System, Mounts];

    public static AccessDecision Check(FilePrincipal principal, VfsPath path, Access access)
    {
        var segments = path.Segments;
        if (IsTrash(segments))
        {
            return Final(path, "is inside a trash; use the trash to restore or purge it");
        }

        if (access == Access.Write && IsStructural(segments))
        {
            return Final(path, "is part of the namespace and cannot be changed");
        }

        if (segments.Count > 0 && segments[0] == System && access == Access.Write)
        {
            return Final(path, "is read-only");
        }

        if (principal.AppId is { } app)
        {
            // An app sees its own data folder; anything else only if the user shared it with the app.
            return segments.Count >= 3 && segments[0] == Apps && segments[1] == app && segments[2] == "data"
                ? AccessDecision.Allow
                : Shareable(path, $"is outside the data folder of the app '{app}'");
        }

        if (principal.IsAdmin || segments.Count == 0)
        {
            return AccessDecision.Allow;
        }

        return segments[0] switch
        {
            Home when segments.Count >= 2 && segments[1] == principal.UserName => AccessDecision.Allow,
            Shared => AccessDecision.Allow,
            System when access == Access.Read => AccessDecision.Allow,
            _ when segments.Count == 1 && access == Access.Read => AccessDecision.Allow, // the top folders (a listing shows only what may be read)
            _ => Shareable(path, "is not yours"),
        };
    }

    /// <summary>The folders of the namespace itself (depth-limited).</summary>
    public static bool IsStructural(IReadOnlyList<string> segments) => segments.Count switch
    {
        0 => true,
        1 => TopLevel.Contains(segments[0]),
        2 => segments[0] is Home or Apps or Mounts,
        3 => segments[0] == Apps && segments[2] == "data",
        _ => false,
    };

    /// <summary>Whether the path is a mount's trash folder or inside it.</summary>
    public static bool IsTrash(IReadOnlyList<string> segments) =>
        (segments.Count >= 1 && segments[0] == TrashFolder) || (segments.Count >= 3 && segments[0] == Mounts && segments[2] == TrashFolder);

    /// <summary>
    /// The folder whose quota and trash cover <paramref name="path"/>, and the owner name the trash
    /// files it under: <c>/home/&lt;u&gt;</c> (<c>user:&lt;u&gt;</c>), <c>/shared</c> (<c>shared</c>),
    /// <c>/apps/&lt;a&gt;/data</c> (<c>app:&lt;a&gt;</c>), <c>/mnt/&lt;m&gt;</c> (<c>mount:&lt;m&gt;</c>); null elsewhere.
    /// </summary>
    public static (VfsPath Root, string Owner)? QuotaRootOf(VfsPath path)
    {
        var s = path.Segments;
        return s.Count switch
        {
            >= 2 when s[0] == Home => (Prefix(path, 2), "user:" + s[1]),
            >= 1 when s[0] == Shared => (Prefix(path, 1), "shared"),
            >= 3 when s[0] == Apps && s[2] == "data" => (Prefix(path, 3), "app:" + s[1]),
            >= 2 when s[0] == Mounts => (Prefix(path, 2), "mount:" + s[1]),
            _ => null,
        };
    }

    /// <summary>The first <paramref name="depth"/> segments of <paramref name="path"/>.</summary>
    public static VfsPath Prefix(VfsPath path, int depth)
    {
        var p = path;
        while (p.Depth > depth)
        {
            p = p.Parent;
        }

        return p;
    }

    private static AccessDecision Final(VfsPath path, string why) => new(Forbidden(path, why), Shareable: false);

    private static AccessDecision Shareable(VfsPath path, string why) => new(Forbidden(path, why), Shareable: true);

    private static GreyError Forbidden(VfsPath path, string why) =>
        GreyError.Forbidden(ErrorCodes.Forbidden, $"'{Shorten(path.Value)}' {why}");

    private static string Shorten(string value) => value.Length <= 128 ? value : value[..128] + "…";
}
