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
/// The namespace's built-in rules (before per-file ACLs and sharing, which come later): deny by
/// default. A user reads and writes <c>/home/&lt;their name&gt;/**</c> and <c>/shared/**</c>, reads
/// <c>/system/**</c> and the top-level folders (listing <c>/home</c> shows only their own); an app acting for a user only its
/// <c>/apps/&lt;app&gt;/data/**</c>; an administrator everything except writing <c>/system</c>. The
/// namespace's own folders (<c>/</c>, <c>/home</c>, <c>/home/&lt;user&gt;</c>, <c>/shared</c>, <c>/apps</c>,
/// <c>/apps/&lt;app&gt;</c>, <c>/apps/&lt;app&gt;/data</c>, <c>/system</c>) cannot be written, moved or deleted.
/// </summary>
internal static class AccessRules
{
    public const string Home = "home";
    public const string Shared = "shared";
    public const string Apps = "apps";
    public const string System = "system";

    /// <summary>The top-level folders every node has.</summary>
    public static readonly string[] TopLevel = [Home, Shared, Apps, System];

    public static GreyError? Check(FilePrincipal principal, VfsPath path, Access access)
    {
        var segments = path.Segments;
        if (access == Access.Write && IsStructural(segments))
        {
            return Forbidden(path, "is part of the namespace and cannot be changed");
        }

        if (segments.Count > 0 && segments[0] == System && access == Access.Write)
        {
            return Forbidden(path, "is read-only");
        }

        if (principal.AppId is { } app)
        {
            // An app sees only its own data folder (grants from the user come with sharing).
            return segments.Count >= 3 && segments[0] == Apps && segments[1] == app && segments[2] == "data"
                ? null
                : Forbidden(path, $"is outside the data folder of the app '{app}'");
        }

        if (principal.IsAdmin || segments.Count == 0)
        {
            return null;
        }

        return segments[0] switch
        {
            Home when segments.Count >= 2 && segments[1] == principal.UserName => null,
            Shared => null,
            System when access == Access.Read => null,
            _ when segments.Count == 1 && access == Access.Read => null, // the top folders (a listing shows only what may be read)
            _ => Forbidden(path, "is not yours"),
        };
    }

    /// <summary>The folders of the namespace itself (depth-limited).</summary>
    public static bool IsStructural(IReadOnlyList<string> segments) => segments.Count switch
    {
        0 => true,
        1 => TopLevel.Contains(segments[0]),
        2 => segments[0] is Home or Apps,
        3 => segments[0] == Apps && segments[2] == "data",
        _ => false,
    };

    private static GreyError Forbidden(VfsPath path, string why) =>
        GreyError.Forbidden(ErrorCodes.Forbidden, $"'{Shorten(path.Value)}' {why}");

    private static string Shorten(string value) => value.Length <= 128 ? value : value[..128] + "…";
}
