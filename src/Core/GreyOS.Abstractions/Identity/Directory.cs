using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.Identity;

/// <summary>Whether a user may log in.</summary>
public enum UserStatus
{
    Active,
    Disabled,
}

/// <summary>A user of the node.</summary>
/// <remarks>
/// <c>QuotaBytes</c>: Storage quota in bytes; 0 means the node's default.
/// </remarks>
public sealed record UserRecord(string Id, string Name, string DisplayName, UserStatus Status, long QuotaBytes, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt);

/// <summary>A user to create. Without a password the user cannot log in by password until one is set.</summary>
public sealed record NewUser(string Name, string? DisplayName = null, string? Password = null, IReadOnlyList<string>? Roles = null, long? QuotaBytes = null);

/// <summary>Changes to a user; null fields stay as they are.</summary>
public sealed record UserChange(string? DisplayName = null, UserStatus? Status = null, long? QuotaBytes = null, IReadOnlyList<string>? Roles = null);

/// <summary>What a group member is.</summary>
public enum GroupMemberKind
{
    User,
    Group,
}

/// <summary>A direct member of a group.</summary>
public sealed record GroupMember(GroupMemberKind Kind, string Id, string Name);

/// <summary>A group: users and other groups (nested).</summary>
public sealed record GroupRecord(string Id, string Name, IReadOnlyList<GroupMember> Members, DateTimeOffset CreatedAt);

/// <summary>A role: a named set of permissions.</summary>
public sealed record RoleRecord(string Name, IReadOnlyList<string> Permissions, bool BuiltIn);

/// <summary>
/// Users, groups and roles. Every change names its <c>actor</c> (a user id, or <c>system</c>) and is
/// audited. Lookups by "id or name" accept either form.
/// </summary>
public interface IUserDirectory
{
    ValueTask<Result<UserRecord>> CreateUserAsync(NewUser user, string actor, CancellationToken cancellationToken);

    ValueTask<UserRecord?> FindUserAsync(string idOrName, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken cancellationToken);

    ValueTask<Result<UserRecord>> UpdateUserAsync(string idOrName, UserChange change, string actor, CancellationToken cancellationToken);

    /// <summary>Sets the password (Argon2id hash and SRP verifier); the policy applies.</summary>
    ValueTask<Result<UserRecord>> SetPasswordAsync(string idOrName, string password, string actor, CancellationToken cancellationToken);

    ValueTask<Result<UserRecord>> DeleteUserAsync(string idOrName, string actor, CancellationToken cancellationToken);

    /// <summary>The union of the permissions of the user's roles (empty for unknown or disabled users).</summary>
    ValueTask<IReadOnlySet<string>> PermissionsOfAsync(string userId, CancellationToken cancellationToken);

    ValueTask<Result<GroupRecord>> CreateGroupAsync(string name, string actor, CancellationToken cancellationToken);

    ValueTask<GroupRecord?> FindGroupAsync(string idOrName, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<GroupRecord>> ListGroupsAsync(CancellationToken cancellationToken);

    /// <summary>Adds a user or a group to a group; a group that would contain itself (directly or not) is refused.</summary>
    ValueTask<Result<GroupRecord>> AddMemberAsync(string group, GroupMemberKind kind, string member, string actor, CancellationToken cancellationToken);

    ValueTask<Result<GroupRecord>> RemoveMemberAsync(string group, GroupMemberKind kind, string member, string actor, CancellationToken cancellationToken);

    ValueTask<Result<GroupRecord>> DeleteGroupAsync(string group, string actor, CancellationToken cancellationToken);

    /// <summary>The ids of every group the user belongs to, directly or through nested groups.</summary>
    ValueTask<IReadOnlyList<string>> GroupsOfUserAsync(string userId, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<RoleRecord>> ListRolesAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces a custom role; built-in roles cannot be changed.</summary>
    ValueTask<Result<RoleRecord>> SaveRoleAsync(string name, IReadOnlyList<string> permissions, string actor, CancellationToken cancellationToken);

    /// <summary>Deletes a custom role (users holding it lose it).</summary>
    ValueTask<Result<RoleRecord>> DeleteRoleAsync(string name, string actor, CancellationToken cancellationToken);
}
