namespace GreyOS.Abstractions.Identity;

/// <summary>
/// Permission names (docs/design/0003-identity.md §2). A role holds a set of them; <c>*</c> holds all,
/// <c>family.*</c> every permission of a family. Self-service (one's own profile, devices, sessions,
/// usage) needs only authentication.
/// </summary>
public static class Permissions
{
    public const string All = "*";
    public const string UsersRead = "users.read";
    public const string UsersWrite = "users.write";
    public const string GroupsRead = "groups.read";
    public const string GroupsWrite = "groups.write";
    public const string RolesRead = "roles.read";
    public const string RolesWrite = "roles.write";
    public const string DevicesManage = "devices.manage";
    public const string SessionsManage = "sessions.manage";
    public const string ProcessesRun = "processes.run";
    public const string ProcessesManage = "processes.manage";
    public const string ModulesUpload = "modules.upload";
    public const string AuditRead = "audit.read";

    /// <summary>Every path of the virtual file system (except writing <c>/system</c>).</summary>
    public const string FsAdmin = "fs.admin";

    /// <summary>Every permission name a role may hold (besides <c>*</c> and <c>family.*</c>).</summary>
    public static IReadOnlyList<string> Known { get; } =
    [
        UsersRead, UsersWrite, GroupsRead, GroupsWrite, RolesRead, RolesWrite, DevicesManage, SessionsManage,
        ProcessesRun, ProcessesManage, ModulesUpload, AuditRead, FsAdmin,
    ];

    /// <summary>True when <paramref name="held"/> grants <paramref name="needed"/> (exactly, by <c>*</c>, or by its family's <c>x.*</c>).</summary>
    public static bool Grants(IReadOnlyCollection<string> held, string needed)
    {
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(needed);
        if (held.Contains(needed) || held.Contains(All))
        {
            return true;
        }

        var dot = needed.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && held.Contains(string.Concat(needed.AsSpan(0, dot), ".*"));
    }

    /// <summary>True for a name a role may hold: a known permission, <c>*</c>, or <c>family.*</c> of a known family.</summary>
    public static bool IsValid(string name) =>
        name == All
        || Known.Contains(name)
        || (name.EndsWith(".*", StringComparison.Ordinal) && Known.Any(k => k.StartsWith(name[..^1], StringComparison.Ordinal)));
}

/// <summary>The roles every node has; they cannot be deleted or changed.</summary>
public static class BuiltInRoles
{
    public const string Admin = "admin";
    public const string User = "user";
    public const string Guest = "guest";

    /// <summary>The permissions of each built-in role.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> PermissionsOf { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [Admin] = [Permissions.All],
        [User] = [Permissions.ProcessesRun, Permissions.ModulesUpload],
        [Guest] = [],
    };
}
